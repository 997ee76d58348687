#include "services/registry/registry_module.h"

#include "libs/storage/migrations.h"
#include "services/registry/storage/migrations.h"

namespace kla::registry {

absl::StatusOr<std::unique_ptr<RegistryModule>> RegistryModule::Create(storage::Database* db,
                                                                       rpc::CallPolicy policy) {
  absl::Status st = storage::ApplyMigrations(*db, "registry", RegistryMigrations());
  if (!st.ok()) return st;
  return std::unique_ptr<RegistryModule>(new RegistryModule(db, policy));
}

}  // namespace kla::registry
