#include "libs/gateway/transcode.h"

#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <type_traits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/common/errors.h"
#include "libs/common/status_macros.h"

namespace kla::gateway {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Sets a well-known message field from its JSON-mapping text form.
absl::Status SetWellKnown(Message* m, const FieldDescriptor* f, const std::string& value) {
  Message* sub = m->GetReflection()->MutableMessage(m, f);
  if (f->message_type()->full_name() == "google.protobuf.FieldMask") {
    auto* mask = static_cast<google::protobuf::FieldMask*>(sub);
    for (absl::string_view p : absl::StrSplit(value, ',', absl::SkipEmpty())) mask->add_paths(std::string(p));
    return absl::OkStatus();
  }
  if (f->message_type()->full_name() == "google.protobuf.Timestamp") {
    if (!google::protobuf::util::TimeUtil::FromString(value, static_cast<google::protobuf::Timestamp*>(sub))) {
      return InvalidField(f->name(), "an RFC 3339 time such as 2026-04-15T23:59:59+07:00");
    }
    return absl::OkStatus();
  }
  return InvalidField(f->name(), "give it in the JSON body");
}

// A number field from its text, through the reflection setter (or adder,
// for a repeated field) of its type.
template <typename T>
absl::Status SetNumber(Message* m, const FieldDescriptor* f, const std::string& value,
                       void (Reflection::*set)(Message*, const FieldDescriptor*, T) const,
                       void (Reflection::*add)(Message*, const FieldDescriptor*, T) const) {
  T v{};
  const bool parsed = [&] {
    if constexpr (std::is_floating_point_v<T>) {
      return absl::SimpleAtod(value, &v);
    } else {
      return absl::SimpleAtoi(value, &v);
    }
  }();
  if (!parsed) return InvalidField(f->name(), std::is_floating_point_v<T> ? "a number" : "a whole number");
  (m->GetReflection()->*(f->is_repeated() ? add : set))(m, f, v);
  return absl::OkStatus();
}

absl::Status SetScalar(Message* m, const FieldDescriptor* f, const std::string& value) {
  const Reflection* r = m->GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      rep ? r->AddString(m, f, value) : r->SetString(m, f, value);
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_INT32:
      return SetNumber<int32_t>(m, f, value, &Reflection::SetInt32, &Reflection::AddInt32);
    case FieldDescriptor::CPPTYPE_INT64:
      return SetNumber<int64_t>(m, f, value, &Reflection::SetInt64, &Reflection::AddInt64);
    case FieldDescriptor::CPPTYPE_UINT32:
      return SetNumber<uint32_t>(m, f, value, &Reflection::SetUInt32, &Reflection::AddUInt32);
    case FieldDescriptor::CPPTYPE_UINT64:
      return SetNumber<uint64_t>(m, f, value, &Reflection::SetUInt64, &Reflection::AddUInt64);
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return SetNumber<double>(m, f, value, &Reflection::SetDouble, &Reflection::AddDouble);
    case FieldDescriptor::CPPTYPE_BOOL: {
      if (value != "true" && value != "false") return InvalidField(f->name(), "true or false");
      rep ? r->AddBool(m, f, value == "true") : r->SetBool(m, f, value == "true");
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* e = f->enum_type()->FindValueByName(value);
      int number = 0;
      if (e == nullptr && absl::SimpleAtoi(value, &number)) e = f->enum_type()->FindValueByNumber(number);
      if (e == nullptr) return InvalidField(f->name(), absl::StrCat("a value of ", f->enum_type()->name()));
      rep ? r->AddEnum(m, f, e) : r->SetEnum(m, f, e);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (rep) return InvalidField(f->name(), "give it in the JSON body");
      return SetWellKnown(m, f, value);
    default:
      return InvalidField(f->name(), "give it in the JSON body");
  }
}

}  // namespace

absl::Status SetField(Message* message, const std::string& field_path, const std::string& value) {
  Message* at = message;
  std::vector<std::string> parts = absl::StrSplit(field_path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    const FieldDescriptor* f = at->GetDescriptor()->FindFieldByName(parts[i]);
    if (f == nullptr) f = at->GetDescriptor()->FindFieldByLowercaseName(parts[i]);
    if (f == nullptr) f = at->GetDescriptor()->FindFieldByCamelcaseName(parts[i]);
    if (f == nullptr) return InvalidField(field_path, "no such field in this request");
    if (i + 1 == parts.size()) return SetScalar(at, f, value);
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || f->is_repeated()) {
      return InvalidField(field_path, "no such field in this request");
    }
    at = at->GetReflection()->MutableMessage(at, f);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Message>> BuildRequest(const RouteMatch& match,
                                                      const std::multimap<std::string, std::string>& query,
                                                      const std::string& body) {
  const Route& route = *match.route;
  const Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(route.method->input_type());
  std::unique_ptr<Message> request(prototype->New());
  if (!body.empty()) {
    if (route.body.empty()) return InvalidField("body", "this method takes no body: give its fields in the query");
    Message* target = request.get();
    if (route.body != "*") {
      target = request->GetReflection()->MutableMessage(request.get(),
                                                        request->GetDescriptor()->FindFieldByName(route.body));
    }
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;  // a misspelt field is an error, not silently dropped
    if (auto st = google::protobuf::util::JsonStringToMessage(body, target, options); !st.ok()) {
      return InvalidField("body", absl::StrCat("not JSON of ", target->GetDescriptor()->full_name(), ": ",
                                               std::string(st.message()).substr(0, 200)));
    }
  }
  for (const auto& [field, value] : match.bindings) KLA_RETURN_IF_ERROR(SetField(request.get(), field, value));
  for (const auto& [field, value] : query) {
    if (route.body == "*") return InvalidField(field, "this method takes its fields in the JSON body");
    KLA_RETURN_IF_ERROR(SetField(request.get(), field, value));
  }
  return request;
}

std::string ToJson(const Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  if (!google::protobuf::util::MessageToJsonString(message, &out, options).ok()) return "{}";
  return out;
}

std::string EtagOf(const Message& message) {
  const auto* d = message.GetDescriptor();
  const Reflection* r = message.GetReflection();
  if (const FieldDescriptor* f = d->FindFieldByName("etag");
      f != nullptr && f->cpp_type() == FieldDescriptor::CPPTYPE_STRING && !f->is_repeated()) {
    return r->GetString(message, f);
  }
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || f->is_repeated() || !r->HasField(message, f)) continue;
    const Message& sub = r->GetMessage(message, f);
    const FieldDescriptor* e = sub.GetDescriptor()->FindFieldByName("etag");
    if (e != nullptr && e->cpp_type() == FieldDescriptor::CPPTYPE_STRING && !e->is_repeated()) {
      return sub.GetReflection()->GetString(sub, e);
    }
  }
  return "";
}

int HttpStatusOf(int grpc_code) {
  switch (grpc_code) {
    case 0:
      return 200;
    case 1:  // CANCELLED
      return 499;
    case 3:   // INVALID_ARGUMENT
    case 9:   // FAILED_PRECONDITION
    case 11:  // OUT_OF_RANGE
      return 400;
    case 4:  // DEADLINE_EXCEEDED
      return 504;
    case 5:  // NOT_FOUND
      return 404;
    case 6:   // ALREADY_EXISTS
    case 10:  // ABORTED
      return 409;
    case 7:  // PERMISSION_DENIED
      return 403;
    case 8:  // RESOURCE_EXHAUSTED
      return 429;
    case 12:  // UNIMPLEMENTED
      return 501;
    case 14:  // UNAVAILABLE
      return 503;
    case 16:  // UNAUTHENTICATED
      return 401;
    default:  // UNKNOWN, INTERNAL, DATA_LOSS
      return 500;
  }
}

}  // namespace kla::gateway
