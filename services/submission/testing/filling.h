#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kla/registry/v1/rulebook.pb.h"
#include "kla/submission/v1/submission_service.grpc.pb.h"

namespace kla::testing {

// A valid answer earning the item's whole weight.
submission::v1::AnswerValue BestValue(const registry::v1::ItemRule& item);
// A valid answer earning nothing.
submission::v1::AnswerValue WorstValue(const registry::v1::ItemRule& item);

// Answers for every item of `rulebook`, from `value`, in batches of `batch`.
std::vector<std::vector<submission::v1::Answer>> AllAnswers(
    const registry::v1::Rulebook& rulebook, size_t batch,
    const std::function<submission::v1::AnswerValue(const registry::v1::ItemRule&)>& value = BestValue);

// Uploads one small PDF for `item_id` in one chunk; returns its evidence id.
absl::StatusOr<std::string> UploadSmallEvidence(
    submission::v1::SubmissionService::Stub* stub, const std::string& token, const std::string& cycle_id,
    const std::string& region_code, const std::string& item_id,
    submission::v1::EvidencePurpose purpose = submission::v1::EVIDENCE_PURPOSE_ANSWER);

// Fills a region's self-evaluation through the API as its operator
// (`token`): every answer from `value`, one small file of evidence for each
// item that requires one, then submits. Errors name the call that failed.
absl::StatusOr<submission::v1::Submission> FillAndSubmit(
    submission::v1::SubmissionService::Stub* stub, const std::string& token, const std::string& cycle_id,
    const std::string& region_code, const registry::v1::Rulebook& rulebook,
    const std::function<submission::v1::AnswerValue(const registry::v1::ItemRule&)>& value = BestValue);

}  // namespace kla::testing
