#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "libs/common/periodic_worker.h"
#include "libs/outbox/grpc/service_base.h"
#include "libs/rpc/call_context.h"
#include "services/submission/clients/grpc_evaluation_directory.h"
#include "services/submission/domain/submissions.h"
#include "services/submission/handlers/submission_service.h"
#include "services/submission/storage/local_blob_store.h"
#include "services/submission/storage/sql_submission_store.h"

namespace kla::submission {

// The submission service as a module kla-server can host: self-evaluations,
// their verification through the stages, the audit trail, and the events
// to scoring and notification through its outbox. It reads cycles,
// rulebooks, windows and regions from the registry over gRPC.
class SubmissionModule final : public outbox::ServiceBase {
 public:
  // `registry` gives the channel to the registry (resolved once the process
  // knows its addresses); `token` this service's own token for calling it.
  static absl::StatusOr<std::unique_ptr<SubmissionModule>> Create(storage::Database* db, rpc::CallPolicy policy,
                                                                  outbox::GrpcSinkDirectory* sinks,
                                                                  GrpcEvaluationDirectory::ChannelSource registry,
                                                                  GrpcEvaluationDirectory::TokenSource token,
                                                                  const std::string& evidence_dir,
                                                                  EvidenceLimits options = {});
  std::vector<grpc::Service*> grpc_services() override { return {&handler_}; }
  std::vector<std::string> grpc_service_names() const override { return {v1::SubmissionService::service_full_name()}; }
  auth::AccessTable access_rules() const override;
  // Also removes expired uploads, at start and then hourly.
  absl::Status Start() override;
  void Stop() override;

 private:
  SubmissionModule(storage::Database* db, rpc::CallPolicy policy, outbox::GrpcSinkDirectory* sinks,
                   GrpcEvaluationDirectory::ChannelSource registry, GrpcEvaluationDirectory::TokenSource token,
                   const std::string& evidence_dir, EvidenceLimits options)
      : ServiceBase("submission", db, policy.clock, sinks),
        store_(db, &outbox(), policy.clock, [this] { NotifyRelay(); }),
        directory_(std::move(registry), std::move(token), policy.clock),
        blobs_(evidence_dir),
        submissions_(&store_, &directory_, &blobs_, ThresholdGate(), policy.clock, options),
        handler_(&submissions_, policy) {}

  SqlSubmissionStore store_;
  GrpcEvaluationDirectory directory_;
  LocalBlobStore blobs_;
  SubmissionUseCases submissions_;
  SubmissionServiceHandler handler_;

  // Removes staged uploads abandoned past their lifetime, hourly.
  void Sweep();
  PeriodicWorker sweeper_{{.interval = absl::Hours(1)}, [this] { Sweep(); }};
};

}  // namespace kla::submission
