#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/common/clock.h"
#include "libs/outbox/grpc/grpc_event.h"
#include "libs/outbox/outbox.h"
#include "libs/rpc/service_module.h"
#include "libs/storage/migrations.h"

namespace kla::outbox {

// What every kla service module shares: its database schema (the service's
// migrations, with the outbox and inbox tables as migration 1), an outbox
// and its relay to other services, and a consumer for events addressed to
// it. Subclasses add their gRPC services and event handlers.
class ServiceBase : public rpc::ServiceModule {
 public:
  ServiceBase(const std::string& name, storage::Database* db, const Clock* clock, GrpcSinkDirectory* sinks,
              RelayOptions relay_options = {});

  std::string name() const override { return name_; }
  EventConsumer* event_consumer() override { return &events_; }
  absl::Status Start() override;
  void Stop() override;


  // Delivers the events due now, as the background relay would on its next
  // pass (in-process tests settle a cycle with it). Returns how many.
  absl::StatusOr<int> RelayNow();

 protected:
  // Applies `migrations` (which must start with EventTablesMigration).
  absl::Status Migrate(const std::vector<storage::Migration>& migrations);

  storage::Database* db() const { return db_; }
  const Clock* clock() const { return clock_; }
  const Outbox& outbox() const { return outbox_; }
  // Register the handlers of the events addressed to this service here.
  EventRouter& events() { return events_; }
  // Wake the relay after committing a transaction that enqueued events.
  void NotifyRelay() { relay_.Notify(); }

 private:
  std::string name_;
  storage::Database* db_;
  const Clock* clock_;
  Outbox outbox_;
  OutboxRelay relay_;
  EventRouter events_;
};

}  // namespace kla::outbox
