#pragma once

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "kla/submission/v1/submission_service.grpc.pb.h"
#include "services/notification/domain/reminders.h"
#include "services/registry/remote/registry_reader.h"

namespace kla::notification {

// WorkflowReader over gRPC: cycles, extensions, kabupaten/kota and
// rulebooks from the registry (RegistryReader), submissions from the
// submission service, every call with the notification service's token and
// a deadline. Anything but success is UNAVAILABLE: the reminder pass is
// tried again later.
class GrpcWorkflowReader final : public WorkflowReader {
 public:
  GrpcWorkflowReader(registry::RegistryReader* registry, registry::RegistryReader::ChannelSource submission,
                     registry::RegistryReader::TokenSource token, absl::Duration call_timeout = absl::Seconds(20))
      : registry_(registry),
        submission_source_(std::move(submission)),
        token_(std::move(token)),
        call_timeout_(call_timeout) {}

  absl::StatusOr<std::vector<registry::v1::Cycle>> ListCycles() override;
  absl::StatusOr<std::vector<registry::v1::RegionExtension>> ListExtensions(const std::string& cycle_id) override;
  absl::StatusOr<std::vector<std::string>> ListRegencyCodes() override;
  absl::StatusOr<std::vector<submission::v1::Submission>> ListSubmissions(const std::string& cycle_id) override;
  absl::StatusOr<int> CountItems(const std::string& rulebook_version) override;

 private:
  submission::v1::SubmissionService::Stub* Submission();

  registry::RegistryReader* registry_;
  registry::RegistryReader::ChannelSource submission_source_;
  registry::RegistryReader::TokenSource token_;
  absl::Duration call_timeout_;
  absl::Mutex mu_;
  std::unique_ptr<submission::v1::SubmissionService::Stub> submission_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> items_ ABSL_GUARDED_BY(mu_);  // rulebooks do not change once published
};

}  // namespace kla::notification
