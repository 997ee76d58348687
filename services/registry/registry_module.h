#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/status/statusor.h"
#include "libs/auth/token.h"
#include "libs/common/periodic_worker.h"
#include "libs/common/secret_box.h"
#include "libs/outbox/grpc/service_base.h"
#include "libs/rpc/call_context.h"
#include "services/registry/domain/account.h"
#include "services/registry/domain/registry.h"
#include "services/registry/handlers/account_service.h"
#include "services/registry/handlers/registry_service.h"
#include "services/registry/storage/sql_account_store.h"
#include "services/registry/storage/sql_cycle_store.h"
#include "services/registry/storage/sql_region_store.h"
#include "services/registry/storage/sql_rulebook_store.h"
#include "services/registry/storage/sql_taskforce_store.h"
#include "services/registry/storage/sql_training_store.h"

namespace kla::registry {

struct RegistryOptions {
  AccountOptions accounts;
  // How often keys and revocations are re-read from the database (other
  // registry replicas may have rotated or revoked).
  absl::Duration auth_refresh = absl::Seconds(30);
  // Folder with provinces.csv and regencies.csv imported at start (an
  // unchanged file is a no-op); empty: none.
  std::string regions_dir;
  // Where the first national admin's one-time credentials are written when
  // no admin exists; empty: no admin is created.
  std::string first_admin_file;
  // The process's secrets key: token signing private keys are stored
  // sealed with it. nullptr: in clear (a warning at start). Not owned.
  const SecretBox* secrets = nullptr;
};

// The registry as a module kla-server can host: its database (migrated on
// creation), domain and handlers, and the token signing keys it keeps in
// step with the process's verifier.
class RegistryModule final : public outbox::ServiceBase {
 public:
  // Migrates `db` and wires the service. The module owns none of the
  // pointers; `verifier` is the process's (shared by every hosted service).
  static absl::StatusOr<std::unique_ptr<RegistryModule>> Create(storage::Database* db, rpc::CallPolicy policy,
                                                                outbox::GrpcSinkDirectory* sinks,
                                                                auth::TokenVerifier* verifier,
                                                                RegistryOptions options = {});
  ~RegistryModule() override { Stop(); }

  std::vector<grpc::Service*> grpc_services() override { return {&handler_, &account_handler_}; }
  std::vector<std::string> grpc_service_names() const override {
    return {v1::RegistryService::service_full_name(), v1::AccountService::service_full_name()};
  }
  auth::AccessTable access_rules() const override;
  absl::Status Start() override;
  void Stop() override;

  // Accounts and tokens, for wiring (service tokens of co-hosted services).
  AccountManager& accounts() { return accounts_; }

 private:
  RegistryModule(storage::Database* db, rpc::CallPolicy policy, outbox::GrpcSinkDirectory* sinks,
                 auth::TokenVerifier* verifier, RegistryOptions options)
      : ServiceBase("registry", db, policy.clock, sinks),
        options_(std::move(options)),
        store_(db, policy.clock),
        directory_(&store_),
        rulebook_store_(db),
        rulebooks_(&rulebook_store_, policy.clock),
        cycle_store_(db, &outbox()),
        cycles_(&cycle_store_, &rulebook_store_, &store_, policy.clock),
        task_force_store_(db),
        task_forces_(&task_force_store_, &store_, policy.clock),
        training_store_(db),
        trainings_(&training_store_, &store_, policy.clock),
        account_store_(db, options_.secrets),
        accounts_(&account_store_, &store_, verifier, policy.clock, options_.accounts),
        handler_(&directory_, &rulebooks_, &cycles_, &task_forces_, &trainings_, policy),
        account_handler_(&accounts_, policy) {}

  absl::Status SeedRegions();
  absl::Status SealSigningKeys();
  void Refresh();

  RegistryOptions options_;
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
  SqlAccountStore account_store_;
  AccountManager accounts_;
  RegistryServiceHandler handler_;
  AccountServiceHandler account_handler_;

  // Token keys and revocations from the database, for the other replicas'
  // changes.
  PeriodicWorker refresher_{{.interval = options_.auth_refresh, .first_pass_at_start = false}, [this] { Refresh(); }};
};

}  // namespace kla::registry
