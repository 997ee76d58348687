#pragma once

#include "libs/auth/access.h"

namespace kla::submission {

// Who may call each RPC of kla.submission.v1.SubmissionService, and which
// request field names the region. Which verifier acts at which stage is the
// state machine's business (domain/flow.cc); this table only keeps everyone
// to their regions.
auth::AccessTable SubmissionAccessRules();

}  // namespace kla::submission
