#include "libs/auth/access.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace kla::auth {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

bool Admits(const AccessRule& rule, Role role) {
  return std::find(rule.roles.begin(), rule.roles.end(), role) != rule.roles.end() ||
         std::find(rule.roles.begin(), rule.roles.end(), Role::kPublic) != rule.roles.end();
}

}  // namespace

std::vector<Role> AnyAuthenticated() {
  return {Role::kNationalAdmin,   Role::kProvinceVerifier, Role::kRegionOperator, Role::kOpdContributor,
          Role::kCentralReviewer, Role::kFieldVerifier,    Role::kIntegration,    Role::kService};
}

absl::Status AccessPolicy::Add(const AccessTable& table) {
  for (const AccessRule& rule : table) {
    const auto* method = DescriptorPool::generated_pool()->FindMethodByName(rule.method);
    if (method == nullptr) return absl::InvalidArgumentError(absl::StrCat("access rule for unknown RPC ", rule.method));
    if (by_method_.contains(rule.method)) {
      return absl::InvalidArgumentError(absl::StrCat("two access rules for ", rule.method));
    }
    const Descriptor* request = method->input_type();
    if (method_by_request_.contains(request->full_name())) {
      return absl::InvalidArgumentError(absl::StrCat(rule.method, " shares its request type with ",
                                                     method_by_request_.find(request->full_name())->second));
    }
    Entry entry{rule, {}};
    if (!rule.scope_field.empty()) {
      const Descriptor* msg = request;
      for (absl::string_view part : absl::StrSplit(rule.scope_field, '.')) {
        const FieldDescriptor* f = msg == nullptr ? nullptr : msg->FindFieldByName(std::string(part));
        if (f == nullptr || f->is_repeated()) {
          return absl::InvalidArgumentError(absl::StrCat("scope field ", rule.scope_field, " of ", rule.method,
                                                         " is not a singular field of ", request->full_name()));
        }
        entry.path.push_back(f);
        msg = f->message_type();
      }
      if (entry.path.back()->type() != FieldDescriptor::TYPE_STRING) {
        return absl::InvalidArgumentError(absl::StrCat("scope field ", rule.scope_field, " is not a string"));
      }
    }
    method_by_request_[request->full_name()] = rule.method;
    by_method_[rule.method] = std::move(entry);
  }
  return absl::OkStatus();
}

absl::Status AccessPolicy::CheckCovers(const google::protobuf::ServiceDescriptor* service) const {
  std::vector<std::string> missing;
  for (int i = 0; i < service->method_count(); ++i) {
    if (!by_method_.contains(service->method(i)->full_name())) missing.push_back(service->method(i)->full_name());
  }
  if (missing.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("RPCs without an access rule: ", absl::StrJoin(missing, ", ")));
}

const AccessRule* AccessPolicy::RuleForMethod(absl::string_view method) const {
  auto it = by_method_.find(method);
  return it == by_method_.end() ? nullptr : &it->second.rule;
}

const AccessRule* AccessPolicy::RuleForRequest(const Descriptor* request_type) const {
  auto it = method_by_request_.find(request_type->full_name());
  return it == method_by_request_.end() ? nullptr : RuleForMethod(it->second);
}

std::string AccessPolicy::ScopeOf(const AccessRule& rule, const Message& request) const {
  auto it = by_method_.find(rule.method);
  if (it == by_method_.end() || it->second.path.empty()) return "";
  const Message* msg = &request;
  const auto& path = it->second.path;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    const auto* reflection = msg->GetReflection();
    if (!reflection->HasField(*msg, path[i])) return "";
    msg = &reflection->GetMessage(*msg, path[i]);
  }
  return msg->GetReflection()->GetString(*msg, path.back());
}

AccessDecision AccessPolicy::Check(const Principal& principal, const Message& request) const {
  const AccessRule* rule = RuleForRequest(request.GetDescriptor());
  // No rule: nobody, not even an admin (the startup check prevents this).
  if (rule == nullptr) return {AccessDecision::kDenied, "no access rule for this RPC", "NO_ACCESS_RULE"};
  if (!Admits(*rule, principal.role)) {
    if (principal.anonymous()) {
      return {AccessDecision::kUnauthenticated, "sign in first (authorization: Bearer token)", "SIGN_IN_REQUIRED"};
    }
    return {AccessDecision::kDenied, absl::StrCat("role ", RoleName(principal.role), " may not call this RPC"),
            "ROLE_NOT_ALLOWED"};
  }
  const bool is_public = std::find(rule->roles.begin(), rule->roles.end(), Role::kPublic) != rule->roles.end();
  if (rule->scope_field.empty() || is_public || IsNational(principal.role)) return {AccessDecision::kAllow, ""};
  const std::string scope = ScopeOf(*rule, request);
  if (scope.empty()) {
    return {AccessDecision::kDenied, absl::StrCat(rule->scope_field, " must name a region within your reach"),
            "OUT_OF_SCOPE"};
  }
  if (!InScope(principal, scope)) {
    return {AccessDecision::kDenied, absl::StrCat("region ", scope, " is outside your reach"), "OUT_OF_SCOPE", scope};
  }
  return {AccessDecision::kAllow, ""};
}

}  // namespace kla::auth
