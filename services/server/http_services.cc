#include "services/server/http_services.h"

#include <algorithm>

#include "kla/notification/v1/notification_service.grpc.pb.h"
#include "kla/registry/v1/account.grpc.pb.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "kla/scoring/v1/scoring_service.grpc.pb.h"
#include "kla/submission/v1/submission_service.grpc.pb.h"
#include "libs/auth/access.h"
#include "services/notification/handlers/access_rules.h"
#include "services/registry/handlers/access_rules.h"
#include "services/scoring/handlers/access_rules.h"
#include "services/submission/handlers/access_rules.h"

namespace kla::server {

std::vector<std::string> HttpServices() {
  // A request type of each file, so that its descriptors (the services
  // with them) are linked into whatever reads the generated pool.
  (void)registry::v1::GetRegionRequest::descriptor();
  (void)registry::v1::LoginRequest::descriptor();
  (void)submission::v1::GetSubmissionRequest::descriptor();
  (void)scoring::v1::GetScoreRequest::descriptor();
  (void)notification::v1::WatchRequest::descriptor();
  return {registry::v1::RegistryService::service_full_name(), registry::v1::AccountService::service_full_name(),
          submission::v1::SubmissionService::service_full_name(), scoring::v1::ScoringService::service_full_name(),
          notification::v1::NotificationService::service_full_name()};
}

bool IsPublicMethod(const std::string& method) {
  static const auto* const kRules = [] {
    auto* rules = new auth::AccessTable(registry::RegistryAccessRules());
    for (const auto& more : {submission::SubmissionAccessRules(), scoring::ScoringAccessRules(),
                             notification::NotificationAccessRules()}) {
      rules->insert(rules->end(), more.begin(), more.end());
    }
    return rules;
  }();
  return std::any_of(kRules->begin(), kRules->end(), [&](const auth::AccessRule& r) {
    return r.method == method && std::find(r.roles.begin(), r.roles.end(), auth::Role::kPublic) != r.roles.end();
  });
}

}  // namespace kla::server
