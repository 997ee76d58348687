#include "services/submission/submission_module.h"

#include "services/submission/handlers/access_rules.h"
#include "services/submission/storage/migrations.h"

namespace kla::submission {

absl::StatusOr<std::unique_ptr<SubmissionModule>> SubmissionModule::Create(
    storage::Database* db, rpc::CallPolicy policy, outbox::GrpcSinkDirectory* sinks,
    GrpcEvaluationDirectory::ChannelSource registry, GrpcEvaluationDirectory::TokenSource token,
    const std::string& evidence_dir) {
  std::unique_ptr<SubmissionModule> module(
      new SubmissionModule(db, policy, sinks, std::move(registry), std::move(token), evidence_dir));
  absl::Status st = module->Migrate(SubmissionMigrations());
  if (!st.ok()) return st;
  st = module->blobs_.Init();
  if (!st.ok()) return st;
  return module;
}

auth::AccessTable SubmissionModule::access_rules() const { return SubmissionAccessRules(); }

}  // namespace kla::submission
