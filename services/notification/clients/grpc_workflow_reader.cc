#include "services/notification/clients/grpc_workflow_reader.h"

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/call_deadline.h"
#include "libs/common/status_macros.h"
#include "libs/rpc/error_mapping.h"

namespace kla::notification {

absl::StatusOr<std::vector<registry::v1::Cycle>> GrpcWorkflowReader::ListCycles() { return registry_->ListCycles(); }

absl::StatusOr<std::vector<registry::v1::RegionExtension>> GrpcWorkflowReader::ListExtensions(
    const std::string& cycle_id) {
  return registry_->ListExtensions(cycle_id);
}

absl::StatusOr<std::vector<std::string>> GrpcWorkflowReader::ListRegencyCodes() {
  KLA_ASSIGN_OR_RETURN(std::vector<registry::v1::Region> regions, registry_->ListRegencies());
  std::vector<std::string> codes;
  codes.reserve(regions.size());
  for (const auto& r : regions) codes.push_back(r.code());
  return codes;
}

absl::StatusOr<int> GrpcWorkflowReader::CountItems(const std::string& rulebook_version) {
  {
    absl::MutexLock lock(&mu_);
    if (auto it = items_.find(rulebook_version); it != items_.end()) return it->second;
  }
  KLA_ASSIGN_OR_RETURN(registry::v1::Rulebook rulebook, registry_->GetRulebook(rulebook_version));
  int items = 0;
  for (const auto& indicator : rulebook.indicators()) items += indicator.items_size();
  absl::MutexLock lock(&mu_);
  items_[rulebook_version] = items;
  return items;
}

submission::v1::SubmissionService::Stub* GrpcWorkflowReader::Submission() {
  absl::MutexLock lock(&mu_);
  if (submission_ == nullptr) submission_ = submission::v1::SubmissionService::NewStub(submission_source_());
  return submission_.get();
}

absl::StatusOr<std::vector<submission::v1::Submission>> GrpcWorkflowReader::ListSubmissions(
    const std::string& cycle_id) {
  std::vector<submission::v1::Submission> out;
  submission::v1::ListSubmissionsRequest req;
  req.set_cycle_id(cycle_id);
  req.set_view(submission::v1::SUBMISSION_VIEW_BASIC);
  req.set_page_size(1000);
  do {
    auto token = token_();
    if (!token.ok()) {
      return absl::UnavailableError(absl::StrCat("no token for the submission service: ", token.status().message()));
    }
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(OutboundDeadline(call_timeout_)));
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", *token));
    submission::v1::ListSubmissionsResponse resp;
    grpc::Status s = Submission()->ListSubmissions(&ctx, req, &resp);
    if (!s.ok()) {
      return absl::UnavailableError(
          absl::StrCat("the submission service did not answer: ", rpc::FromGrpcStatus(s).message()));
    }
    for (auto& sub : *resp.mutable_submissions()) out.push_back(std::move(sub));
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  return out;
}

}  // namespace kla::notification
