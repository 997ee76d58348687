#include "services/registry/registry_module.h"

#include "services/registry/storage/migrations.h"

namespace kla::registry {

absl::StatusOr<std::unique_ptr<RegistryModule>> RegistryModule::Create(storage::Database* db, rpc::CallPolicy policy,
                                                                       outbox::GrpcSinkDirectory* sinks) {
  std::unique_ptr<RegistryModule> module(new RegistryModule(db, policy, sinks));
  absl::Status st = module->Migrate(RegistryMigrations());
  if (!st.ok()) return st;
  return module;
}

}  // namespace kla::registry
