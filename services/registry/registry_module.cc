#include "services/registry/registry_module.h"

#include "absl/strings/str_cat.h"
#include "libs/auth/password.h"
#include "libs/common/files.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "services/registry/handlers/access_rules.h"
#include "services/registry/storage/migrations.h"

namespace kla::registry {

absl::StatusOr<std::unique_ptr<RegistryModule>> RegistryModule::Create(storage::Database* db, rpc::CallPolicy policy,
                                                                       outbox::GrpcSinkDirectory* sinks,
                                                                       auth::TokenVerifier* verifier,
                                                                       RegistryOptions options) {
  std::unique_ptr<RegistryModule> module(new RegistryModule(db, policy, sinks, verifier, std::move(options)));
  KLA_RETURN_IF_ERROR(module->Migrate(RegistryMigrations()));
  KLA_RETURN_IF_ERROR(module->SealSigningKeys());
  // Keys before serving: tokens must verify from the first call on.
  KLA_RETURN_IF_ERROR(module->accounts_.Start());
  KLA_RETURN_IF_ERROR(module->SeedRegions());
  if (!module->options_.first_admin_file.empty()) {
    KLA_RETURN_IF_ERROR(module->accounts_.EnsureFirstAdmin(module->options_.first_admin_file).status());
  }
  return module;
}

absl::Status RegistryModule::SealSigningKeys() {
  if (options_.secrets == nullptr) {
    log::Warn("token signing private keys are stored in clear: give kla-server --secrets-key-file", {});
    return absl::OkStatus();
  }
  KLA_ASSIGN_OR_RETURN(const int sealed, account_store_.SealKeys());
  if (sealed > 0) log::Info("token signing private keys sealed", {{"keys", sealed}});
  return absl::OkStatus();
}

auth::AccessTable RegistryModule::access_rules() const { return RegistryAccessRules(); }

absl::Status RegistryModule::SeedRegions() {
  if (options_.regions_dir.empty()) return absl::OkStatus();
  ImportRegionsCommand cmd;
  KLA_ASSIGN_OR_RETURN(cmd.provinces_csv, ReadWholeFile(options_.regions_dir + "/provinces.csv"));
  KLA_ASSIGN_OR_RETURN(cmd.regencies_csv, ReadWholeFile(options_.regions_dir + "/regencies.csv"));
  // Keyed by content: the same files again are a no-op, changed files update.
  cmd.request_id = absl::StrCat("seed:", auth::SecretDigest(cmd.provinces_csv + "\n--\n" + cmd.regencies_csv));
  KLA_ASSIGN_OR_RETURN(ImportOutcome outcome, directory_.ImportRegions(cmd));
  log::Info("official regions loaded", {{"dir", options_.regions_dir},
                                        {"provinces", outcome.province_count},
                                        {"regencies", outcome.regency_count},
                                        {"created", outcome.created},
                                        {"updated", outcome.updated}});
  return absl::OkStatus();
}

absl::Status RegistryModule::Start() {
  KLA_RETURN_IF_ERROR(ServiceBase::Start());
  refresher_.Start();
  return absl::OkStatus();
}

void RegistryModule::Stop() {
  refresher_.Stop();
  ServiceBase::Stop();
}

void RegistryModule::Refresh() {
  absl::Status st = accounts_.Refresh();
  if (!st.ok()) log::Warn("token keys not refreshed", {{"error", st.ToString()}});
}

}  // namespace kla::registry
