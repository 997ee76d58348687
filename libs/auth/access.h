#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "libs/auth/principal.h"

namespace kla::auth {

// Who may call one RPC, and where. Declared per service in one table (see
// services/*/handlers/access_rules.cc); checked before any handler code.
struct AccessRule {
  // Full method name: "kla.registry.v1.RegistryService.GetRegion".
  std::string method;
  // Roles admitted. Role::kPublic admits everyone, anonymous callers too.
  std::vector<Role> roles;
  // Dotted path of the request field naming the region ("35.72") or province
  // ("35") the call is about, e.g. "task_force.region_code". Callers with a
  // regional role (province verifier, operator, OPD contributor, field
  // verifier) are admitted only when it lies within their reach. Empty: the
  // RPC touches no regional data and role alone decides.
  std::string scope_field;
};

using AccessTable = std::vector<AccessRule>;

// Every authenticated role.
std::vector<Role> AnyAuthenticated();

// The outcome of a check.
struct AccessDecision {
  enum Verdict { kAllow, kUnauthenticated, kDenied };
  Verdict verdict = kDenied;
  // Why, for the refusal's message and the log (never secret).
  std::string reason;
  // The same for programs: SIGN_IN_REQUIRED, ROLE_NOT_ALLOWED,
  // OUT_OF_SCOPE or NO_ACCESS_RULE (google.rpc.ErrorInfo.reason).
  std::string code;
  // The region refused (OUT_OF_SCOPE).
  std::string region;
};

// The rule tables of the services a process hosts.
class AccessPolicy {
 public:
  // Adds a service's table. Refuses a rule for a method the linked protos
  // do not define, a method with two rules, a scope path that does not name
  // a string field of the request, and two methods sharing a request type
  // (rules are found by request type).
  absl::Status Add(const AccessTable& table);

  // OK when every method of `service` has a rule; otherwise names the first
  // ones without (a service without rules must not be served).
  absl::Status CheckCovers(const google::protobuf::ServiceDescriptor* service) const;

  // The rule of the RPC whose request message type is `request_type`.
  const AccessRule* RuleForRequest(const google::protobuf::Descriptor* request_type) const;
  const AccessRule* RuleForMethod(absl::string_view method) const;

  // Checks `principal` calling the RPC of `request`.
  AccessDecision Check(const Principal& principal, const google::protobuf::Message& request) const;

  // The region or province code a request is about under its rule ("" when
  // the rule has no scope field).
  std::string ScopeOf(const AccessRule& rule, const google::protobuf::Message& request) const;

 private:
  struct Entry {
    AccessRule rule;
    std::vector<const google::protobuf::FieldDescriptor*> path;
  };
  std::map<std::string, Entry, std::less<>> by_method_;
  std::map<std::string, std::string, std::less<>> method_by_request_;
};

}  // namespace kla::auth
