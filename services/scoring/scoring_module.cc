#include "services/scoring/scoring_module.h"

namespace kla::scoring {

absl::StatusOr<std::unique_ptr<ScoringModule>> ScoringModule::Create(storage::Database* db, rpc::CallPolicy policy,
                                                                 outbox::GrpcSinkDirectory* sinks) {
  std::unique_ptr<ScoringModule> module(new ScoringModule(db, policy, sinks));
  absl::Status st = module->Migrate({EventTablesMigration("scoring")});
  if (!st.ok()) return st;
  return module;
}

}  // namespace kla::scoring
