#pragma once

#include "libs/auth/access.h"

namespace kla::registry {

// Who may call each RPC of kla.registry.v1.RegistryService and
// AccountService, and which request field names the region in scope. The
// one table for the registry; docs/access-matrix.md shows its effect.
auth::AccessTable RegistryAccessRules();

}  // namespace kla::registry
