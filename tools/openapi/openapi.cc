#include "tools/openapi/openapi.h"

#include <google/protobuf/descriptor.h>

#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/rpc/status.pb.h"
#include "kla/type/v1/limits.pb.h"
#include "libs/gateway/routes.h"
#include "libs/gateway/transcode.h"
#include "tools/openapi/http_forms.h"

namespace kla::openapi {
namespace {

namespace pb = google::protobuf;
using Json = nlohmann::ordered_json;

std::string Ref(const std::string& name) { return "#/components/schemas/" + name; }

// A proto comment as text: one leading space per line removed, trimmed.
std::string CleanComment(const std::string& raw) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(raw, '\n')) {
    absl::ConsumePrefix(&line, " ");
    lines.emplace_back(absl::StripTrailingAsciiWhitespace(line));
  }
  return std::string(absl::StripAsciiWhitespace(absl::StrJoin(lines, "\n")));
}

// The first sentence, for an operation's summary.
std::string Summary(const std::string& text) {
  std::string first = text.substr(0, text.find("\n\n"));
  absl::StrReplaceAll({{"\n", " "}}, &first);
  const size_t stop = first.find(". ");
  if (stop != std::string::npos) first = first.substr(0, stop + 1);
  return first;
}

// The codes an RPC's "Errors:" section lists, each with its text.
std::map<std::string, std::string> ErrorSection(const std::string& comment) {
  std::map<std::string, std::string> out;
  const size_t start = comment.find("Errors:");
  if (start == std::string::npos) return out;
  std::string* current = nullptr;
  absl::string_view rest = absl::string_view(comment).substr(start + 7);
  absl::ConsumePrefix(&rest, "\n");
  for (absl::string_view line : absl::StrSplit(rest, '\n')) {
    if (line.empty()) break;
    if (absl::ConsumePrefix(&line, "- ")) {
      const size_t colon = line.find(':');
      const std::string codes(line.substr(0, colon));
      const std::string text(absl::StripAsciiWhitespace(line.substr(colon + 1)));
      for (absl::string_view code : absl::StrSplit(codes, absl::ByAnyChar(", /"), absl::SkipEmpty())) {
        current = &out[std::string(code)];
        if (!current->empty()) absl::StrAppend(current, " ");
        absl::StrAppend(current, text);
      }
    } else if (current != nullptr) {
      absl::StrAppend(current, " ", absl::StripAsciiWhitespace(line));
    }
  }
  return out;
}

int CodeNumber(absl::string_view name) {
  static const auto* const kCodes = new std::map<std::string, int, std::less<>>{
      {"CANCELLED", 1},           {"UNKNOWN", 2},        {"INVALID_ARGUMENT", 3},  {"DEADLINE_EXCEEDED", 4},
      {"NOT_FOUND", 5},           {"ALREADY_EXISTS", 6}, {"PERMISSION_DENIED", 7}, {"RESOURCE_EXHAUSTED", 8},
      {"FAILED_PRECONDITION", 9}, {"ABORTED", 10},       {"OUT_OF_RANGE", 11},     {"UNIMPLEMENTED", 12},
      {"INTERNAL", 13},           {"UNAVAILABLE", 14},   {"DATA_LOSS", 15},        {"UNAUTHENTICATED", 16}};
  auto it = kCodes->find(name);
  return it == kCodes->end() ? -1 : it->second;
}

// The example a comment gives, as in `e.g. "35.72"`.
std::string ExampleOf(const std::string& comment) {
  const size_t at = comment.find("e.g. \"");
  if (at == std::string::npos) return "";
  const size_t end = comment.find('"', at + 6);
  return end == std::string::npos ? "" : comment.substr(at + 6, end - at - 6);
}

std::optional<Json> WellKnown(const std::string& name) {
  if (name == "google.protobuf.Timestamp") return Json{{"type", "string"}, {"format", "date-time"}};
  if (name == "google.protobuf.Duration") {
    return Json{{"type", "string"}, {"pattern", "^-?[0-9]+(\\.[0-9]+)?s$"}, {"examples", {"30s"}}};
  }
  if (name == "google.protobuf.FieldMask") {
    return Json{{"type", "string"}, {"description", "Field paths, comma-separated, e.g. \"decree,members\"."}};
  }
  if (name == "google.protobuf.Struct" || name == "google.protobuf.Empty") return Json{{"type", "object"}};
  if (name == "google.protobuf.Value") return Json::object();
  if (name == "google.protobuf.Any") {
    return Json{{"type", "object"},
                {"properties", {{"@type", {{"type", "string"}}}}},
                {"required", {"@type"}},
                {"additionalProperties", true}};
  }
  return std::nullopt;
}

class Builder {
 public:
  Builder(const Sources& sources, const pb::DescriptorPool* commented) : sources_(sources), commented_(commented) {}

  absl::StatusOr<Json> Build();

 private:
  template <typename T>
  std::string CommentOf(const T* d) const;
  std::string FieldComment(const pb::FieldDescriptor* f) const;
  Json TypeRef(const pb::FieldDescriptor* f);
  Json FieldSchema(const pb::FieldDescriptor* f);
  Json MessageSchema(const pb::Descriptor* m);
  Json EnumSchema(const pb::EnumDescriptor* e) const;
  Json MessageRef(const pb::Descriptor* m);
  Json ErrorContent();
  Json Components();
  absl::StatusOr<Json> Operation(const gateway::Route& route);
  void AddQueryParameters(const pb::Descriptor* m, const std::string& prefix, const std::set<std::string>& skip,
                          int depth, Json* params);
  Json Responses(const pb::MethodDescriptor* m);

  const Sources& sources_;
  const pb::DescriptorPool* commented_;
  std::set<std::string> referenced_;
  std::deque<const pb::Descriptor*> messages_;
  std::deque<const pb::EnumDescriptor*> enums_;
};

template <typename T>
std::string Builder::CommentOf(const T* d) const {
  const T* found = nullptr;
  if constexpr (std::is_same_v<T, pb::Descriptor>) found = commented_->FindMessageTypeByName(d->full_name());
  if constexpr (std::is_same_v<T, pb::EnumDescriptor>) found = commented_->FindEnumTypeByName(d->full_name());
  if constexpr (std::is_same_v<T, pb::ServiceDescriptor>) found = commented_->FindServiceByName(d->full_name());
  if constexpr (std::is_same_v<T, pb::MethodDescriptor>) found = commented_->FindMethodByName(d->full_name());
  pb::SourceLocation loc;
  if (found == nullptr || !found->GetSourceLocation(&loc)) return "";
  return CleanComment(loc.leading_comments);
}

std::string Builder::FieldComment(const pb::FieldDescriptor* f) const {
  const pb::FieldDescriptor* found = commented_->FindFieldByName(f->full_name());
  pb::SourceLocation loc;
  if (found == nullptr || !found->GetSourceLocation(&loc)) return "";
  return CleanComment(loc.leading_comments + loc.trailing_comments);
}

// The schema of one value of `f` (an element, for a repeated field).
Json Builder::TypeRef(const pb::FieldDescriptor* f) {
  using FD = pb::FieldDescriptor;
  switch (f->type()) {
    case FD::TYPE_STRING:
      return {{"type", "string"}};
    case FD::TYPE_BYTES:
      return {{"type", "string"}, {"contentEncoding", "base64"}};
    case FD::TYPE_BOOL:
      return {{"type", "boolean"}};
    case FD::TYPE_INT32:
    case FD::TYPE_SINT32:
    case FD::TYPE_SFIXED32:
      return {{"type", "integer"}, {"format", "int32"}};
    case FD::TYPE_UINT32:
    case FD::TYPE_FIXED32:
      return {{"type", "integer"}, {"minimum", 0}};
    case FD::TYPE_INT64:
    case FD::TYPE_SINT64:
    case FD::TYPE_SFIXED64:
    case FD::TYPE_UINT64:
    case FD::TYPE_FIXED64:
      // proto3 JSON writes 64-bit integers as strings (and reads either).
      return {{"type", "string"}, {"format", "int64"}};
    case FD::TYPE_FLOAT:
      return {{"type", "number"}, {"format", "float"}};
    case FD::TYPE_DOUBLE:
      return {{"type", "number"}, {"format", "double"}};
    case FD::TYPE_ENUM:
      if (referenced_.insert(f->enum_type()->full_name()).second) enums_.push_back(f->enum_type());
      return {{"$ref", Ref(f->enum_type()->full_name())}};
    default:
      return MessageRef(f->message_type());
  }
}

Json Builder::FieldSchema(const pb::FieldDescriptor* f) {
  Json schema;
  if (f->is_map()) {
    schema = {{"type", "object"}, {"additionalProperties", TypeRef(f->message_type()->map_value())}};
  } else if (f->is_repeated()) {
    schema = {{"type", "array"}, {"items", TypeRef(f)}};
  } else {
    schema = TypeRef(f);
  }
  const std::string comment = FieldComment(f);
  if (!comment.empty()) schema["description"] = comment;
  if (absl::StartsWith(comment, "Output only")) schema["readOnly"] = true;
  if (const std::string example = ExampleOf(comment); !example.empty() && f->type() == f->TYPE_STRING) {
    (f->is_repeated() ? schema["items"] : schema)["examples"] = {example};
  }
  const auto& limits = f->options().GetExtension(type::v1::limits);
  if (limits.max_items() > 0) schema[f->is_map() ? "maxProperties" : "maxItems"] = limits.max_items();
  if (limits.max_length() > 0 && f->type() == f->TYPE_STRING) {
    (f->is_repeated() ? schema["items"] : schema)["maxLength"] = limits.max_length();
  }
  return schema;
}

Json Builder::MessageSchema(const pb::Descriptor* m) {
  Json properties = Json::object();
  for (int i = 0; i < m->field_count(); ++i) properties[m->field(i)->json_name()] = FieldSchema(m->field(i));
  Json schema = {{"type", "object"}};
  if (const std::string c = CommentOf(m); !c.empty()) schema["description"] = c;
  schema["properties"] = std::move(properties);
  return schema;
}

Json Builder::EnumSchema(const pb::EnumDescriptor* e) const {
  Json values = Json::array();
  std::string legend;
  const pb::EnumDescriptor* commented = commented_->FindEnumTypeByName(e->full_name());
  for (int i = 0; i < e->value_count(); ++i) {
    values.push_back(e->value(i)->name());
    pb::SourceLocation loc;
    if (commented != nullptr && commented->value(i)->GetSourceLocation(&loc)) {
      absl::StrAppend(&legend, "\n- `", e->value(i)->name(), "`: ", CleanComment(loc.leading_comments));
    }
  }
  Json schema = {{"type", "string"}, {"enum", values}};
  schema["description"] = absl::StrCat(CommentOf(e), legend.empty() ? "" : "\n", legend);
  return schema;
}

// Every message and enum reached from the operations, by full name.
Json Builder::Components() {
  std::map<std::string, Json> schemas;
  while (!messages_.empty() || !enums_.empty()) {
    if (!messages_.empty()) {
      const pb::Descriptor* m = messages_.front();
      messages_.pop_front();
      schemas[m->full_name()] = MessageSchema(m);
    } else {
      const pb::EnumDescriptor* e = enums_.front();
      enums_.pop_front();
      schemas[e->full_name()] = EnumSchema(e);
    }
  }
  Json out = Json::object();
  for (auto& [name, schema] : schemas) out[name] = std::move(schema);
  return out;
}

void Builder::AddQueryParameters(const pb::Descriptor* m, const std::string& prefix, const std::set<std::string>& skip,
                                 int depth, Json* params) {
  for (int i = 0; i < m->field_count(); ++i) {
    const pb::FieldDescriptor* f = m->field(i);
    const std::string path = prefix + f->name();
    if (skip.contains(path) || f->is_map()) continue;
    const bool message = f->type() == f->TYPE_MESSAGE && !WellKnown(f->message_type()->full_name());
    if (message) {
      if (depth < 2 && !f->is_repeated()) AddQueryParameters(f->message_type(), path + ".", skip, depth + 1, params);
      continue;
    }
    Json schema = FieldSchema(f);
    Json param = {{"name", prefix.empty() ? f->json_name() : path}, {"in", "query"}};
    if (schema.contains("description")) param["description"] = schema["description"];
    schema.erase("description");
    param["schema"] = std::move(schema);
    params->push_back(std::move(param));
  }
}

Json Builder::MessageRef(const pb::Descriptor* m) {
  if (auto known = WellKnown(m->full_name())) return *known;
  if (referenced_.insert(m->full_name()).second) messages_.push_back(m);
  return {{"$ref", Ref(m->full_name())}};
}

Json Builder::ErrorContent() {
  return {{"application/json", {{"schema", MessageRef(google::rpc::Status::descriptor())}}}};
}

// 200 with the response message (a stream's HTTP form says its own);
// each documented error code under its HTTP status, with what the contract
// says of it; any other as "default".
Json Builder::Responses(const pb::MethodDescriptor* m) {
  Json responses = Json::object();
  if (m->server_streaming() || m->client_streaming()) {
    responses["200"] = {{"description", "OK"}};
  } else {
    responses["200"] = {{"description", "OK"},
                        {"content", {{"application/json", {{"schema", MessageRef(m->output_type())}}}}}};
  }
  std::map<int, std::vector<std::string>> by_status;
  for (const auto& [code, text] : ErrorSection(CommentOf(m))) {
    const int number = CodeNumber(code);
    if (number > 0) by_status[gateway::HttpStatusOf(number)].push_back(absl::StrCat(code, ": ", text));
  }
  for (const auto& [status, lines] : by_status) {
    responses[std::to_string(status)] = {{"description", absl::StrJoin(lines, "\n\n")}, {"content", ErrorContent()}};
  }
  responses["default"] = {
      {"description",
       "Any error: a google.rpc.Status with an ErrorInfo (domain kla.kemenpppa.go.id, a stable reason) and a "
       "LocalizedMessage in the Accept-Language of the call (docs/errors.md). Every call may also answer 401 "
       "(UNAUTHENTICATED), 403 (PERMISSION_DENIED), 429 (RESOURCE_EXHAUSTED, with Retry-After), 503 "
       "(UNAVAILABLE), 504 (DEADLINE_EXCEEDED) and 500 (INTERNAL)."},
      {"content", ErrorContent()}};
  return responses;
}

// The field at a dotted path of `m` ("header.region_code").
const pb::FieldDescriptor* FieldAt(const pb::Descriptor* m, const std::string& path) {
  const pb::FieldDescriptor* f = nullptr;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (m == nullptr) return nullptr;
    f = m->FindFieldByName(std::string(part));
    if (f == nullptr) return nullptr;
    m = f->message_type();
  }
  return f;
}

absl::StatusOr<Json> Builder::Operation(const gateway::Route& route) {
  const pb::MethodDescriptor* m = route.method;
  const std::string comment = CommentOf(m);
  Json op = {{"operationId", absl::StrCat(m->service()->name(), "_", m->name())},
             {"summary", Summary(comment)},
             {"description", comment},
             {"tags", {m->service()->name()}}};
  Json params = Json::array();
  std::set<std::string> bound;
  for (const auto& segment : route.segments) {
    if (segment.field.empty()) continue;
    const pb::FieldDescriptor* f = FieldAt(m->input_type(), segment.field);
    if (f == nullptr) return absl::InvalidArgumentError(absl::StrCat(m->full_name(), ": no field ", segment.field));
    bound.insert(segment.field);
    Json schema = FieldSchema(f);
    Json param = {{"name", segment.field}, {"in", "path"}, {"required", true}};
    if (schema.contains("description")) param["description"] = schema["description"];
    schema.erase("description");
    param["schema"] = std::move(schema);
    params.push_back(std::move(param));
  }
  if (route.body == "*") {
    op["requestBody"] = {{"required", true},
                         {"content", {{"application/json", {{"schema", MessageRef(m->input_type())}}}}}};
  } else {
    if (!route.body.empty()) {
      bound.insert(route.body);
      op["requestBody"] = {
          {"required", true},
          {"content", {{"application/json", {{"schema", TypeRef(FieldAt(m->input_type(), route.body))}}}}}};
    }
    AddQueryParameters(m->input_type(), "", bound, 0, &params);
  }
  if (!params.empty()) op["parameters"] = std::move(params);
  op["responses"] = Responses(m);
  if (sources_.is_public(m->full_name())) op["security"] = OptionalSecurity();
  return op;
}

// The names of a path template's variables, in order.
std::vector<std::string> PathVariables(const std::string& path) {
  std::vector<std::string> out;
  for (size_t at = path.find('{'); at != std::string::npos; at = path.find('{', at + 1)) {
    out.push_back(path.substr(at + 1, path.find('}', at) - at - 1));
  }
  return out;
}

// A template with its variables unnamed: "/v1/cycles/{}".
std::string Shape(const std::string& path) {
  std::string out = path;
  for (const std::string& v : PathVariables(path)) absl::StrReplaceAll({{"{" + v + "}", "{}"}}, &out);
  return out;
}

// OpenAPI names a path's variables once for all its operations: an
// operation whose rule names them otherwise (UpdateCycle's {cycle.id} beside
// GetCycle's {cycle_id}) takes the first spelling, saying which field each
// sets.
void RenameVariables(const std::string& from, const std::string& to, Json* op) {
  const std::vector<std::string> old_names = PathVariables(from), new_names = PathVariables(to);
  for (Json& param : (*op)["parameters"]) {
    if (param["in"] != "path") continue;
    for (size_t i = 0; i < old_names.size() && i < new_names.size(); ++i) {
      if (param["name"] != old_names[i]) continue;
      param["name"] = new_names[i];
      param["description"] =
          absl::StrCat("Sets the request's `", old_names[i], "`. ", param.value("description", std::string()));
      break;
    }
  }
}

absl::StatusOr<Json> Builder::Build() {
  std::map<std::string, std::string> spellings;  // shape -> the first template
  Json tags = Json::array();
  Json paths = Json::object();
  for (const std::string& name : sources_.services) {
    const pb::ServiceDescriptor* service = pb::DescriptorPool::generated_pool()->FindServiceByName(name);
    if (service == nullptr) return absl::InvalidArgumentError(absl::StrCat("no service ", name));
    tags.push_back({{"name", service->name()}, {"description", CommentOf(service)}});
    for (int i = 0; i < service->method_count(); ++i) {
      auto route = gateway::ParseRoute(service->method(i));
      if (!route.ok()) return route.status();
      auto op = Operation(*route);
      if (!op.ok()) return op.status();
      if (route->method->client_streaming() || route->method->server_streaming()) {
        DescribeStream(
            route->method->full_name(),
            [this](const std::string& message) {
              return MessageRef(pb::DescriptorPool::generated_pool()->FindMessageTypeByName(message));
            },
            &*op);
      }
      std::string path = route->path;
      const auto [first, fresh] = spellings.emplace(Shape(path), path);
      if (!fresh && first->second != path) {
        RenameVariables(path, first->second, &*op);
        path = first->second;
      }
      paths[path][absl::AsciiStrToLower(route->http_method)] = *std::move(op);
    }
  }
  AddTusRequests(ErrorContent(), &paths);
  AddTokenEndpoint(&paths);
  Json doc = {{"openapi", "3.1.0"}, {"info", Info()}, {"servers", {{{"url", "/"}}}}};
  doc["security"] = Json::array({{{"bearer", Json::array()}}, {{"oauth2", Json::array()}}});
  doc["tags"] = std::move(tags);
  doc["paths"] = std::move(paths);
  doc["components"] = {{"schemas", Components()}, {"securitySchemes", SecuritySchemes()}};
  return doc;
}

}  // namespace

absl::StatusOr<std::string> Generate(const Sources& sources) {
  pb::DescriptorPool commented;
  for (const pb::FileDescriptorProto& file : sources.files->file()) {
    if (commented.BuildFile(file) == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("the descriptor set does not build at ", file.name()));
    }
  }
  Builder builder(sources, &commented);
  auto doc = builder.Build();
  if (!doc.ok()) return doc.status();
  return doc->dump(2) + "\n";
}

}  // namespace kla::openapi
