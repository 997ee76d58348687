#include "services/scoring/scoring_module.h"

#include "kla/submission/v1/events.pb.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "services/scoring/handlers/access_rules.h"
#include "services/scoring/storage/migrations.h"

namespace kla::scoring {

ScoringModule::ScoringModule(storage::Database* db, rpc::CallPolicy policy, outbox::GrpcSinkDirectory* sinks,
                             registry::RegistryReader::ChannelSource registry,
                             registry::RegistryReader::TokenSource token, redis::RedisClient* cache, Options options)
    : ServiceBase("scoring", db, policy.clock, sinks),
      options_(options),
      redis_(cache),
      store_(db, &outbox(), policy.clock),
      directory_(std::move(registry), std::move(token), policy.clock),
      cache_(cache == nullptr ? nullptr : std::make_unique<RedisRankingCache>(cache)),
      rankings_(&store_, cache_.get(), policy.clock, options.pointer_ttl),
      scoring_(&store_, &directory_, &rankings_, policy.clock, [this] { NotifyRelay(); }),
      handler_(&scoring_, policy) {
  // The worker rebuilds rankings within its interval (debounced).
  events().On<submission::v1::StageAnswersChanged>(
      [this](const event::v1::EventEnvelope& e, const submission::v1::StageAnswersChanged& changed) {
        return scoring_.scores.ApplyStageAnswers(e, changed.answers());
      });
  events().On<submission::v1::SubmissionNotCompleted>(
      [this](const event::v1::EventEnvelope& e, const submission::v1::SubmissionNotCompleted& closed) {
        return scoring_.scores.ApplyNotCompleted(e, closed);
      });
}

absl::StatusOr<std::unique_ptr<ScoringModule>> ScoringModule::Create(storage::Database* db, rpc::CallPolicy policy,
                                                                     outbox::GrpcSinkDirectory* sinks,
                                                                     registry::RegistryReader::ChannelSource registry,
                                                                     registry::RegistryReader::TokenSource token,
                                                                     redis::RedisClient* cache, Options options) {
  std::unique_ptr<ScoringModule> module(
      new ScoringModule(db, policy, sinks, std::move(registry), std::move(token), cache, options));
  absl::Status st = module->Migrate(ScoringMigrations());
  if (!st.ok()) return st;
  return module;
}

auth::AccessTable ScoringModule::access_rules() const { return ScoringAccessRules(); }

absl::Status ScoringModule::Start() {
  // Redis is a cache: an unreachable one is reported, never fatal.
  if (redis_ == nullptr) {
    log::Info("ranking cache not configured; rankings are served from memory and the database");
  } else if (absl::Status st = redis_->Ping(); st.ok()) {
    log::Info("ranking cache reachable", {{"redis", redis_->address()}});
  } else {
    log::Warn("ranking cache unreachable; rankings are read from the database until it returns",
              {{"redis", redis_->address()}, {"error", std::string(st.message())}});
  }
  worker_.Start();
  return ServiceBase::Start();
}

void ScoringModule::Stop() {
  worker_.Stop();
  ServiceBase::Stop();
}

absl::Status ScoringModule::Settle() {
  KLA_RETURN_IF_ERROR(scoring_.jobs.RunPendingJobs().status());
  return rankings_.RefreshStale().status();
}

void ScoringModule::SettleInBackground() {
  if (absl::Status st = Settle(); !st.ok()) {
    log::Warn("scoring worker pass failed; retried", {{"error", std::string(st.message())}});
  }
}

}  // namespace kla::scoring
