#include "services/scoring/scoring_module.h"

#include "libs/common/log.h"

namespace kla::scoring {

absl::StatusOr<std::unique_ptr<ScoringModule>> ScoringModule::Create(storage::Database* db, rpc::CallPolicy policy,
                                                                     outbox::GrpcSinkDirectory* sinks,
                                                                     redis::RedisClient* cache) {
  std::unique_ptr<ScoringModule> module(new ScoringModule(db, policy, sinks, cache));
  absl::Status st = module->Migrate({EventTablesMigration("scoring")});
  if (!st.ok()) return st;
  return module;
}

absl::Status ScoringModule::Start() {
  // Redis is a cache: an unreachable one is reported, never fatal.
  if (cache_ == nullptr) {
    log::Info("ranking cache not configured; rankings are read from the database");
  } else if (absl::Status st = cache_->Ping(); st.ok()) {
    log::Info("ranking cache reachable", {{"redis", cache_->address()}});
  } else {
    log::Warn("ranking cache unreachable; rankings are read from the database until it returns",
              {{"redis", cache_->address()}, {"error", std::string(st.message())}});
  }
  return ServiceBase::Start();
}

}  // namespace kla::scoring
