#pragma once

#include <CLI/CLI.hpp>

#include "tools/klactl/client.h"

namespace kla::klactl {

// subscriptions create|list|get|update|delete|rotate-secret|enable,
// deliveries, replay, watch: webhooks and the feed of the notification
// service.
void AddNotificationCommands(CLI::App& app, Options& o, int* rc);

}  // namespace kla::klactl
