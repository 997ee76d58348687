#include "services/notification/handlers/access_rules.h"

#include "absl/strings/str_cat.h"

namespace kla::notification {

auth::AccessTable NotificationAccessRules() {
  using auth::Role;
  const std::vector<Role> owners = {Role::kNationalAdmin, Role::kIntegration};
  auth::AccessTable table;
  for (const char* method :
       {"CreateSubscription", "GetSubscription", "ListSubscriptions", "UpdateSubscription", "DeleteSubscription",
        "RotateSubscriptionSecret", "EnableSubscription", "ListDeliveries", "ReplayDeliveries", "Watch"}) {
    table.push_back(auth::AccessRule{absl::StrCat("kla.notification.v1.NotificationService.", method), owners, ""});
  }
  // Published announcements are public.
  table.push_back(auth::AccessRule{"kla.notification.v1.NotificationService.ListAnnouncements", {Role::kPublic}, ""});
  return table;
}

}  // namespace kla::notification
