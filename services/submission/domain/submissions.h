#pragma once

#include "services/submission/domain/answers.h"
#include "services/submission/domain/blob_store.h"
#include "services/submission/domain/bulk.h"
#include "services/submission/domain/evaluation_directory.h"
#include "services/submission/domain/evidence.h"
#include "services/submission/domain/objections.h"
#include "services/submission/domain/review.h"
#include "services/submission/domain/submission_steps.h"
#include "services/submission/domain/submission_store.h"

namespace kla::submission {

// The self-evaluation and verification use cases, wired over one store,
// directory and clock. Every change is checked against the state machine
// (flow.h), the cycle's windows and the region's extensions on the
// injected clock, guarded by the etag, recorded in the audit trail and,
// where others need to know, announced through the outbox in the same
// transaction (submission_steps.h). A request id makes every change safe
// to retry.
struct SubmissionUseCases {
  SubmissionUseCases(SubmissionStore* store, EvaluationDirectory* directory, BlobStore* blobs,
                     FieldVerificationGate gate, const Clock* clock, EvidenceLimits limits = {})
      : steps(store, directory, clock),
        answers(&steps),
        review(&steps, std::move(gate)),
        objections(&steps),
        evidence(&steps, blobs, limits),
        bulk(&steps, &answers) {}
  SubmissionUseCases(const SubmissionUseCases&) = delete;
  SubmissionUseCases& operator=(const SubmissionUseCases&) = delete;

  SubmissionSteps steps;
  Answers answers;
  Review review;
  Objections objections;
  EvidenceFiles evidence;
  Bulk bulk;
};

}  // namespace kla::submission
