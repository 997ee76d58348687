#pragma once

#include <string>

#include "absl/status/status.h"
#include "libs/auth/principal.h"

// Who sees what in scoring, beyond the per-RPC rule table: national
// admins, central reviewers and services see everything; regional roles
// see their own regions' scores at every stage and published rankings
// (FINAL once announced); province verifiers also their province's live
// ranking; the public and integrations only final results after the
// announcement time.

namespace kla::scoring {

// Roles that see every score and ranking, published or not.
bool SeesEverything(auth::Role r);
// Roles that see only what is announced to everyone.
bool PublicOnly(auth::Role r);
// Whether a regional caller reaches the region for unpublished data.
bool Reaches(const auth::Principal& who, const std::string& region_code);

// PERMISSION_DENIED RESULTS_NOT_ANNOUNCED.
absl::Status NotAnnounced(const std::string& cycle_id);

absl::Status CheckCycleId(const std::string& cycle_id);
absl::Status CheckRegion(const std::string& region_code);

}  // namespace kla::scoring
