#pragma once

#include <vector>

#include "libs/storage/migrations.h"

namespace kla::submission {

// The submission service's schema, in order. Migration 1 is the outbox and
// inbox every service has.
const std::vector<storage::Migration>& SubmissionMigrations();

}  // namespace kla::submission
