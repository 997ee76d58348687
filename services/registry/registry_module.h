#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "libs/outbox/service_base.h"
#include "libs/rpc/call_context.h"
#include "services/registry/domain/registry.h"
#include "services/registry/handlers/registry_service.h"
#include "services/registry/storage/sql_cycle_store.h"
#include "services/registry/storage/sql_region_store.h"
#include "services/registry/storage/sql_rulebook_store.h"
#include "services/registry/storage/sql_taskforce_store.h"
#include "services/registry/storage/sql_training_store.h"

namespace kla::registry {

// The registry as a module kla-server can host: its database (migrated on
// creation), domain and handlers.
class RegistryModule final : public outbox::ServiceBase {
 public:
  // Migrates `db` and wires the service. The module owns neither argument.
  static absl::StatusOr<std::unique_ptr<RegistryModule>> Create(storage::Database* db, rpc::CallPolicy policy,
                                                                outbox::GrpcSinkDirectory* sinks);

  std::vector<grpc::Service*> grpc_services() override { return {&handler_}; }
  std::vector<std::string> grpc_service_names() const override { return {v1::RegistryService::service_full_name()}; }

 private:
  RegistryModule(storage::Database* db, rpc::CallPolicy policy, outbox::GrpcSinkDirectory* sinks)
      : ServiceBase("registry", db, policy.clock, sinks),
        store_(db, policy.clock),
        directory_(&store_),
        rulebook_store_(db),
        rulebooks_(&rulebook_store_, policy.clock),
        cycle_store_(db),
        cycles_(&cycle_store_, &rulebook_store_, &store_, policy.clock),
        task_force_store_(db),
        task_forces_(&task_force_store_, &store_, policy.clock),
        training_store_(db),
        trainings_(&training_store_, &store_, policy.clock),
        handler_(&directory_, &rulebooks_, &cycles_, &task_forces_, &trainings_, policy) {}

  SqlRegionStore store_;
  RegionDirectory directory_;
  SqlRulebookStore rulebook_store_;
  RulebookLibrary rulebooks_;
  SqlCycleStore cycle_store_;
  CycleManager cycles_;
  SqlTaskForceStore task_force_store_;
  TaskForceRegistry task_forces_;
  SqlTrainingStore training_store_;
  TrainingRegistry trainings_;
  RegistryServiceHandler handler_;
};

}  // namespace kla::registry
