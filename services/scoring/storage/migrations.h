#pragma once

#include <vector>

#include "libs/storage/migrations.h"

namespace kla::scoring {

// The scoring service's schema, oldest first.
const std::vector<storage::Migration>& ScoringMigrations();

}  // namespace kla::scoring
