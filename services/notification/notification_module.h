#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/periodic_worker.h"
#include "libs/common/secret_box.h"
#include "libs/metrics/metrics.h"
#include "libs/outbox/grpc/service_base.h"
#include "libs/rpc/call_context.h"
#include "libs/webhook/http_sender.h"
#include "services/notification/clients/grpc_workflow_reader.h"
#include "services/notification/domain/feed_signal.h"
#include "services/notification/domain/notifications.h"
#include "services/notification/domain/reminders.h"
#include "services/notification/handlers/notification_service.h"
#include "services/notification/storage/sql_notification_store.h"
#include "services/registry/remote/registry_reader.h"

namespace kla::notification {

// The notification service as a module kla-server can host: events from
// submission and scoring become notifications (texts from the templates),
// delivered as signed webhooks by a background worker and streamed by
// Watch. Region names come from the registry over gRPC.
class NotificationModule final : public outbox::ServiceBase {
 public:
  struct Options {
    DeliveryOptions delivery;
    // How often the worker looks for due deliveries when nothing wakes it
    // (an embargo ending, a retry coming due).
    absl::Duration poll_interval = absl::Milliseconds(500);
    // Days before the self-evaluation closes on which regions that have
    // not submitted are reminded; empty: no reminders.
    std::vector<int> reminder_days = {7, 3, 1};
    // How often the worker looks for reminders due.
    absl::Duration reminder_interval = absl::Minutes(1);
    // The process's secrets key: webhook signing secrets are stored
    // encrypted with it. nullptr: stored in clear. Not owned.
    const SecretBox* secrets = nullptr;
  };
  // `templates_file` empty: the built-in texts.
  static absl::StatusOr<std::unique_ptr<NotificationModule>> Create(storage::Database* db, rpc::CallPolicy policy,
                                                                    outbox::GrpcSinkDirectory* sinks,
                                                                    registry::RegistryReader::ChannelSource registry,
                                                                    registry::RegistryReader::ChannelSource submission,
                                                                    registry::RegistryReader::TokenSource token,
                                                                    const std::string& templates_file, Options options);
  ~NotificationModule() override { Stop(); }

  std::vector<grpc::Service*> grpc_services() override { return {&handler_}; }
  std::vector<std::string> grpc_service_names() const override {
    return {v1::NotificationService::service_full_name()};
  }
  auth::AccessTable access_rules() const override;
  absl::Status Start() override;
  void Stop() override;

  // For tests: one pass of the delivery worker now.
  absl::StatusOr<int> DeliverDue();
  // For tests: one pass of the reminders now; how many were made.
  absl::StatusOr<int> RunReminders();

 private:
  NotificationModule(storage::Database* db, rpc::CallPolicy policy, outbox::GrpcSinkDirectory* sinks,
                     registry::RegistryReader::ChannelSource registry,
                     registry::RegistryReader::ChannelSource submission, registry::RegistryReader::TokenSource token,
                     Templates templates, Options options);

  absl::StatusOr<RegionNames> Names();
  // kla_webhook_deliveries by state, read when /metrics is scraped.
  std::vector<prometheus::MetricFamily> DeliveryMetrics() const;
  // Intake of an event (from another service or a reminder); wakes the
  // worker and the watchers when it is new.
  absl::StatusOr<bool> Accept(const event::v1::EventEnvelope& event);
  void Wake() { worker_.Wake(); }
  // The worker's pass: reminders when due or asked for, then deliveries
  // due; no rest while more deliveries wait.
  absl::Duration Work();

  Options options_;
  registry::RegistryReader registry_;
  Templates templates_;
  SqlNotificationStore store_;
  webhook::CurlHttpSender sender_{&options_.delivery.addresses};
  Notifications notifications_;
  GrpcWorkflowReader workflow_;
  Reminders reminders_;
  absl::Mutex reminders_mu_;  // one pass at a time (worker and tests)
  FeedSignal feed_;
  NotificationServiceHandler handler_;

  absl::Mutex names_mu_;
  std::optional<RegionNames> names_ ABSL_GUARDED_BY(names_mu_);
  absl::Time names_fetched_ ABSL_GUARDED_BY(names_mu_) = absl::InfinitePast();

  absl::Mutex mu_;
  bool reminders_requested_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time next_reminders_ = absl::InfinitePast();  // the worker's own
  PeriodicWorker worker_{{.interval = options_.poll_interval}, PeriodicWorker::Pass([this] { return Work(); })};
  int collector_ = 0;  // the metrics collector while started
};

}  // namespace kla::notification
