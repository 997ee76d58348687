#include "services/notification/notification_module.h"

namespace kla::notification {

absl::StatusOr<std::unique_ptr<NotificationModule>> NotificationModule::Create(storage::Database* db,
                                                                               rpc::CallPolicy policy,
                                                                               outbox::GrpcSinkDirectory* sinks) {
  std::unique_ptr<NotificationModule> module(new NotificationModule(db, policy, sinks));
  absl::Status st = module->Migrate({EventTablesMigration("notification")});
  if (!st.ok()) return st;
  return module;
}

}  // namespace kla::notification
