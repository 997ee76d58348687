#pragma once

#include <vector>

#include "libs/storage/migrations.h"

namespace kla::registry {

// The registry's schema, in order. Tables are prefixed "registry_" so all
// services can share one PostgreSQL database.
const std::vector<storage::Migration>& RegistryMigrations();

}  // namespace kla::registry
