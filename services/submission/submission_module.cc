#include "services/submission/submission_module.h"

namespace kla::submission {

absl::StatusOr<std::unique_ptr<SubmissionModule>> SubmissionModule::Create(storage::Database* db,
                                                                           rpc::CallPolicy policy,
                                                                           outbox::GrpcSinkDirectory* sinks) {
  std::unique_ptr<SubmissionModule> module(new SubmissionModule(db, policy, sinks));
  absl::Status st = module->Migrate({EventTablesMigration("submission")});
  if (!st.ok()) return st;
  return module;
}

}  // namespace kla::submission
