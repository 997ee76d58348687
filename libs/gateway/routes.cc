#include "libs/gateway/routes.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/api/annotations.pb.h"
#include "libs/common/status_macros.h"

namespace kla::gateway {
namespace {

// The path and the verb of a request or template: "/v1/a/b:submit" ->
// ("/v1/a/b", "submit"). A ':' counts only in the last segment.
std::pair<absl::string_view, absl::string_view> SplitVerb(absl::string_view path) {
  const size_t slash = path.rfind('/');
  const size_t colon = path.rfind(':');
  if (colon == absl::string_view::npos || (slash != absl::string_view::npos && colon < slash)) return {path, ""};
  if (path.find('}', colon) != absl::string_view::npos) return {path, ""};  // inside a variable
  return {path.substr(0, colon), path.substr(colon + 1)};
}

absl::Status BadRule(const google::protobuf::MethodDescriptor* method, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("google.api.http of ", method->full_name(), ": ", why));
}

// INVALID_ARGUMENT unless `field_path` names a singular scalar field of
// `type` (through singular message fields).
absl::Status CheckFieldPath(const google::protobuf::Descriptor* type, absl::string_view field_path) {
  const google::protobuf::Descriptor* at = type;
  std::vector<absl::string_view> parts = absl::StrSplit(field_path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    const google::protobuf::FieldDescriptor* f = at->FindFieldByName(std::string(parts[i]));
    if (f == nullptr || f->is_repeated()) return absl::InvalidArgumentError(absl::StrCat("no field ", field_path));
    if (i + 1 < parts.size()) {
      if (f->type() != google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
        return absl::InvalidArgumentError(absl::StrCat(field_path, " is not a path of messages"));
      }
      at = f->message_type();
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string PercentDecode(absl::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && absl::ascii_isxdigit(s[i + 1]) && absl::ascii_isxdigit(s[i + 2])) {
      auto hex = [](char c) { return absl::ascii_isdigit(c) ? c - '0' : absl::ascii_tolower(c) - 'a' + 10; };
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

absl::StatusOr<Route> ParseRoute(const google::protobuf::MethodDescriptor* method) {
  if (!method->options().HasExtension(google::api::http)) return BadRule(method, "missing");
  const google::api::HttpRule& rule = method->options().GetExtension(google::api::http);
  Route route;
  route.method = method;
  route.body = rule.body();
  switch (rule.pattern_case()) {
    case google::api::HttpRule::kGet:
      route.http_method = "GET";
      route.path = rule.get();
      break;
    case google::api::HttpRule::kPost:
      route.http_method = "POST";
      route.path = rule.post();
      break;
    case google::api::HttpRule::kPatch:
      route.http_method = "PATCH";
      route.path = rule.patch();
      break;
    case google::api::HttpRule::kDelete:
      route.http_method = "DELETE";
      route.path = rule.delete_();
      break;
    case google::api::HttpRule::kPut:
      route.http_method = "PUT";
      route.path = rule.put();
      break;
    default:
      return BadRule(method, "a custom HTTP method is not served");
  }
  if (route.path.empty() || route.path[0] != '/') return BadRule(method, "the path must start with /");
  auto [path, verb] = SplitVerb(route.path);
  route.verb = std::string(verb);
  for (absl::string_view seg : absl::StrSplit(path.substr(1), '/')) {
    Route::Segment s;
    if (absl::ConsumePrefix(&seg, "{")) {
      if (!absl::ConsumeSuffix(&seg, "}") || seg.find('=') != absl::string_view::npos) {
        return BadRule(method, absl::StrCat("variable ", seg, ": only {field} is served"));
      }
      if (absl::Status st = CheckFieldPath(method->input_type(), seg); !st.ok()) return BadRule(method, st.message());
      s.field = std::string(seg);
    } else {
      if (seg.empty() || seg.find_first_of("{}*") != absl::string_view::npos) {
        return BadRule(method, absl::StrCat("segment \"", seg, "\""));
      }
      s.literal = std::string(seg);
    }
    route.segments.push_back(std::move(s));
  }
  if (!route.body.empty() && route.body != "*") {
    const auto* f = method->input_type()->FindFieldByName(route.body);
    if (f == nullptr || f->type() != google::protobuf::FieldDescriptor::TYPE_MESSAGE || f->is_repeated()) {
      return BadRule(method, absl::StrCat("body \"", route.body, "\" is not a message field"));
    }
  }
  if (route.http_method == "GET" && !route.body.empty()) return BadRule(method, "GET has no body");
  return route;
}

absl::StatusOr<RouteTable> RouteTable::FromServices(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  RouteTable table;
  for (const auto* service : services) {
    if (service == nullptr) return absl::InvalidArgumentError("a service without its descriptor");
    for (int i = 0; i < service->method_count(); ++i) {
      KLA_ASSIGN_OR_RETURN(Route route, ParseRoute(service->method(i)));
      table.routes_.push_back(std::move(route));
    }
  }
  return table;
}

namespace {

// Whether `path` (split) matches `route`; the bindings when it does.
bool Matches(const Route& route, const std::vector<absl::string_view>& segments, absl::string_view verb,
             std::vector<std::pair<std::string, std::string>>* bindings) {
  if (route.verb != verb || route.segments.size() != segments.size()) return false;
  bindings->clear();
  for (size_t i = 0; i < segments.size(); ++i) {
    const Route::Segment& s = route.segments[i];
    if (s.field.empty()) {
      if (s.literal != segments[i]) return false;
    } else {
      if (segments[i].empty()) return false;
      bindings->emplace_back(s.field, PercentDecode(segments[i], false));
    }
  }
  return true;
}

std::vector<absl::string_view> Split(absl::string_view path) {
  if (!path.empty() && path[0] == '/') path.remove_prefix(1);
  return absl::StrSplit(path, '/');
}

}  // namespace

std::optional<RouteMatch> RouteTable::Find(absl::string_view http_method, absl::string_view path) const {
  auto [bare, verb] = SplitVerb(path);
  const std::vector<absl::string_view> segments = Split(bare);
  RouteMatch match;
  for (const Route& route : routes_) {
    if (route.http_method != http_method) continue;
    if (Matches(route, segments, verb, &match.bindings)) {
      match.route = &route;
      return match;
    }
  }
  return std::nullopt;
}

std::vector<std::string> RouteTable::MethodsFor(absl::string_view path) const {
  auto [bare, verb] = SplitVerb(path);
  const std::vector<absl::string_view> segments = Split(bare);
  std::vector<std::string> out;
  std::vector<std::pair<std::string, std::string>> ignored;
  for (const Route& route : routes_) {
    if (Matches(route, segments, verb, &ignored) && std::find(out.begin(), out.end(), route.http_method) == out.end()) {
      out.push_back(route.http_method);
    }
  }
  return out;
}

}  // namespace kla::gateway
