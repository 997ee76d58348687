#pragma once

#include "libs/auth/access.h"

namespace kla::notification {

// Who may call each NotificationService RPC: other agencies' systems
// (INTEGRATION) and national admins; each sees only its own subscriptions
// (admins all), decided in the domain.
auth::AccessTable NotificationAccessRules();

}  // namespace kla::notification
