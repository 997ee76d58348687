#include "libs/outbox/grpc/service_base.h"

#include "libs/common/status_macros.h"

namespace kla::outbox {

ServiceBase::ServiceBase(const std::string& name, storage::Database* db, const Clock* clock, GrpcSinkDirectory* sinks,
                         RelayOptions relay_options)
    : name_(name),
      db_(db),
      clock_(clock),
      outbox_(name, clock),
      relay_(
          db, name, [sinks](absl::string_view target) { return sinks->Get(target); }, clock, relay_options) {}

absl::Status ServiceBase::Migrate(const std::vector<storage::Migration>& migrations) {
  return storage::ApplyMigrations(*db_, name_, migrations);
}

absl::Status ServiceBase::Start() {
  relay_.Start();
  return absl::OkStatus();
}

void ServiceBase::Stop() { relay_.Stop(); }

absl::StatusOr<int> ServiceBase::RelayNow() {
  KLA_ASSIGN_OR_RETURN(RelayPass pass, relay_.RunOnce());
  return pass.delivered;
}

}  // namespace kla::outbox
