#include "services/submission/submission_module.h"

#include "libs/common/log.h"
#include "services/submission/handlers/access_rules.h"
#include "services/submission/storage/migrations.h"

namespace kla::submission {

absl::StatusOr<std::unique_ptr<SubmissionModule>> SubmissionModule::Create(
    storage::Database* db, rpc::CallPolicy policy, outbox::GrpcSinkDirectory* sinks,
    GrpcEvaluationDirectory::ChannelSource registry, GrpcEvaluationDirectory::TokenSource token,
    const std::string& evidence_dir, EvidenceLimits options) {
  std::unique_ptr<SubmissionModule> module(
      new SubmissionModule(db, policy, sinks, std::move(registry), std::move(token), evidence_dir, options));
  absl::Status st = module->Migrate(SubmissionMigrations());
  if (!st.ok()) return st;
  st = module->blobs_.Init();
  if (!st.ok()) return st;
  return module;
}

auth::AccessTable SubmissionModule::access_rules() const { return SubmissionAccessRules(); }

absl::Status SubmissionModule::Start() {
  sweeper_.Start();
  return ServiceBase::Start();
}

void SubmissionModule::Stop() {
  sweeper_.Stop();
  ServiceBase::Stop();
}

void SubmissionModule::Sweep() {
  constexpr int kBatch = 500;
  absl::StatusOr<int> removed = kBatch;
  while (removed.ok() && *removed == kBatch) removed = submissions_.evidence.ExpireStagedUploads(kBatch);
  if (!removed.ok()) {
    log::Warn("expired uploads not removed; tried again later", {{"error", std::string(removed.status().message())}});
  }
}

}  // namespace kla::submission
