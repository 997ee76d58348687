#pragma once

#include <vector>

#include "libs/storage/migrations.h"

namespace kla::notification {

// The notification service's schema, oldest first.
const std::vector<storage::Migration>& NotificationMigrations();

}  // namespace kla::notification
