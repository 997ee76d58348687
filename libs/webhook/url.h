#pragma once

#include <sys/socket.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kla::webhook {

// Whether `url` may receive webhooks: http or https, a host, no user info,
// and not a link-local or cloud metadata address (169.254.0.0/16, fe80::/10,
// metadata.google.internal, ...), which would let a subscriber reach the
// server's own cloud credentials. Private and loopback addresses are
// allowed (government networks, local receivers). INVALID_ARGUMENT naming
// the problem.
absl::Status ValidateUrl(absl::string_view url);

// The same rule for an address a host name resolved to, checked again when
// connecting (a name may resolve differently later).
bool ForbiddenAddress(const struct sockaddr* address);

}  // namespace kla::webhook
