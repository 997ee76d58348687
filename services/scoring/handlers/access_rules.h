#pragma once

#include "libs/auth/access.h"

namespace kla::scoring {

// Who may call each ScoringService RPC. Published results are public; the
// domain decides what a caller sees of them (see Scoring).
auth::AccessTable ScoringAccessRules();

}  // namespace kla::scoring
