#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace kla::gateway {

// One `google.api.http` rule (AIP-127): an HTTP method and path template
// bound to an RPC.
struct Route {
  std::string http_method;  // "GET", "POST", "PATCH", "DELETE", "PUT"
  std::string path;         // the template as written, e.g. "/v1/regions/{code}"
  // Template segments: a literal, or a field path bound to one segment.
  struct Segment {
    std::string literal;
    std::string field;  // e.g. "cycle_id", "task_force.region_code"
  };
  std::vector<Segment> segments;
  std::string verb;  // the custom method after ':', e.g. "submit"
  std::string body;  // "", "*", or the field the body fills
  const google::protobuf::MethodDescriptor* method = nullptr;
};

struct RouteMatch {
  const Route* route = nullptr;
  // Field path -> the percent-decoded path segment.
  std::vector<std::pair<std::string, std::string>> bindings;
};

// The HTTP routes of a set of gRPC services, read from their descriptors at
// start-up (never written by hand per RPC).
class RouteTable {
 public:
  // INVALID_ARGUMENT when an RPC has no rule or a rule is malformed: every
  // RPC of the contract is reachable over HTTP, or the server does not start.
  static absl::StatusOr<RouteTable> FromServices(
      const std::vector<const google::protobuf::ServiceDescriptor*>& services);

  // The route `path` reaches with `http_method`; nullopt when none does.
  std::optional<RouteMatch> Find(absl::string_view http_method, absl::string_view path) const;
  // The HTTP methods some route serves `path` with (for 405 and CORS).
  std::vector<std::string> MethodsFor(absl::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// The rule of one RPC parsed; INVALID_ARGUMENT naming the RPC when it is not
// a path this gateway serves.
absl::StatusOr<Route> ParseRoute(const google::protobuf::MethodDescriptor* method);

// Percent-decoding of one path segment or query component ('+' is a space
// only in queries).
std::string PercentDecode(absl::string_view s, bool plus_is_space);

}  // namespace kla::gateway
