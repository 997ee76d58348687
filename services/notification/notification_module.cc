#include "services/notification/notification_module.h"

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "kla/registry/v1/events.pb.h"
#include "libs/common/files.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "services/notification/handlers/access_rules.h"
#include "services/notification/storage/migrations.h"

namespace kla::notification {

NotificationModule::NotificationModule(storage::Database* db, rpc::CallPolicy policy, outbox::GrpcSinkDirectory* sinks,
                                       registry::RegistryReader::ChannelSource registry,
                                       registry::RegistryReader::ChannelSource submission,
                                       registry::RegistryReader::TokenSource token, Templates templates,
                                       Options options)
    : ServiceBase("notification", db, policy.clock, sinks),
      options_(std::move(options)),
      registry_(std::move(registry), token),
      templates_(std::move(templates)),
      store_(db, policy.clock, options_.secrets),
      notifications_(
          &store_, &sender_, &templates_, [this] { return Names(); }, policy.clock, options_.delivery),
      workflow_(&registry_, std::move(submission), std::move(token)),
      reminders_(
          &workflow_, [this](const event::v1::EventEnvelope& e) { return Accept(e); }, policy.clock,
          options_.reminder_days),
      handler_(&notifications_, &feed_, policy) {
  // Intake reads every envelope itself (and refuses a type it does not know).
  events().Otherwise([this](const event::v1::EventEnvelope& e) { return Accept(e); });
}

absl::StatusOr<std::unique_ptr<NotificationModule>> NotificationModule::Create(
    storage::Database* db, rpc::CallPolicy policy, outbox::GrpcSinkDirectory* sinks,
    registry::RegistryReader::ChannelSource registry, registry::RegistryReader::ChannelSource submission,
    registry::RegistryReader::TokenSource token, const std::string& templates_file, Options options) {
  std::string text = Templates::BuiltIn();
  if (!templates_file.empty()) {
    auto read = ReadWholeFile(templates_file);
    if (!read.ok()) return absl::InvalidArgumentError(absl::StrCat("--templates: ", read.status().message()));
    text = *std::move(read);
  }
  auto templates = Templates::Parse(text);
  if (!templates.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--templates: ", templates.status().message()));
  }
  std::unique_ptr<NotificationModule> module(new NotificationModule(db, policy, sinks, std::move(registry),
                                                                    std::move(submission), std::move(token),
                                                                    *std::move(templates), std::move(options)));
  KLA_RETURN_IF_ERROR(module->Migrate(NotificationMigrations()));
  return module;
}

auth::AccessTable NotificationModule::access_rules() const { return NotificationAccessRules(); }

absl::StatusOr<RegionNames> NotificationModule::Names() {
  {
    absl::MutexLock lock(&names_mu_);
    if (names_ && absl::Now() - names_fetched_ < absl::Minutes(10)) return *names_;
  }
  RegionNames names;
  KLA_ASSIGN_OR_RETURN(std::vector<registry::v1::Region> regions, registry_.ListRegencies());
  for (const auto& r : regions) {
    names[r.code()] = r.name();
    names[r.province().code()] = r.province().name();
  }
  absl::MutexLock lock(&names_mu_);
  names_ = names;
  names_fetched_ = absl::Now();
  return names;
}

absl::StatusOr<bool> NotificationModule::Accept(const event::v1::EventEnvelope& event) {
  absl::StatusOr<bool> duplicate = notifications_.Accept(event);
  if (duplicate.ok() && !*duplicate) {
    feed_.Notify();
    // A cycle that opened may already be within its reminder days.
    if (event.payload().Is<registry::v1::CycleOpened>()) {
      absl::MutexLock lock(&mu_);
      reminders_requested_ = true;
    }
    Wake();
  }
  return duplicate;
}

absl::StatusOr<int> NotificationModule::RunReminders() {
  absl::MutexLock lock(&reminders_mu_);
  return reminders_.Run();
}

absl::StatusOr<int> NotificationModule::DeliverDue() {
  KLA_ASSIGN_OR_RETURN(int attempts, notifications_.DeliverDue());
  feed_.Notify();  // embargoes may have ended
  return attempts;
}

std::vector<prometheus::MetricFamily> NotificationModule::DeliveryMetrics() const {
  auto rows = db()->Execute("SELECT state, COUNT(*) FROM notification_deliveries GROUP BY state");
  if (!rows.ok()) return {};  // nothing this scrape rather than a failed scrape
  std::map<int64_t, int64_t> counts;
  for (const storage::Row& r : rows->rows) counts[r.Int(0)] = r.Int(1);
  metrics::Samples samples;
  for (const v1::DeliveryState s :
       {v1::DELIVERY_STATE_HELD, v1::DELIVERY_STATE_PENDING, v1::DELIVERY_STATE_DELIVERED, v1::DELIVERY_STATE_FAILED}) {
    const std::string state = absl::AsciiStrToLower(absl::StripPrefix(v1::DeliveryState_Name(s), "DELIVERY_STATE_"));
    samples.push_back({{{"state", state}}, static_cast<double>(counts[s])});  // every state, 0 included
  }
  return {metrics::GaugeFamily("kla_webhook_deliveries",
                               "Webhook deliveries by state: held (embargo), pending (waiting for an attempt), "
                               "delivered, failed (dead letter: every attempt failed)",
                               samples)};
}

absl::Status NotificationModule::Start() {
  worker_.Start();
  if (collector_ == 0) collector_ = metrics::AddCollector([this] { return DeliveryMetrics(); });
  return ServiceBase::Start();
}

void NotificationModule::Stop() {
  if (collector_ != 0) metrics::RemoveCollector(collector_);
  collector_ = 0;
  feed_.Close();  // Watch streams end at once, not after a delivery pass
  worker_.Stop();
  ServiceBase::Stop();
}

absl::Duration NotificationModule::Work() {
  // Reminders by the wall clock's pace; their due times by the injected
  // clock (RunReminders).
  bool requested = false;
  {
    absl::MutexLock lock(&mu_);
    std::swap(requested, reminders_requested_);
  }
  if (requested || absl::Now() >= next_reminders_) {
    next_reminders_ = absl::Now() + options_.reminder_interval;
    auto made = RunReminders();
    if (!made.ok()) {
      log::Warn("reminder pass failed; tried again later", {{"error", std::string(made.status().message())}});
    } else if (*made > 0) {
      log::Info("reminders made", {{"count", *made}});
    }
  }
  auto pass = DeliverDue();
  if (!pass.ok()) log::Warn("delivery pass failed; retried", {{"error", std::string(pass.status().message())}});
  return pass.ok() && *pass > 0 ? absl::ZeroDuration() : options_.poll_interval;  // more may be due
}

}  // namespace kla::notification
