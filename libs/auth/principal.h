#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/kernel/region_code.h"

namespace kla::auth {

// Who may do what. The scope fields of a principal say where.
enum class Role {
  kPublic,            // anonymous: published results only
  kNationalAdmin,     // KemenPPPA: cycles, rulebooks, rankings, awards
  kProvinceVerifier,  // one province's DP3A
  kRegionOperator,    // one kab/kota's Gugus Tugas secretariat
  kOpdContributor,    // one agency (OPD) of one kab/kota
  kCentralReviewer,   // KemenPPPA and other ministries
  kFieldVerifier,     // assigned regions, never in their own province
  kIntegration,       // another agency's system: read results, receive events
  kService,           // a kla service calling another
};

// Stable names used in tokens and configuration ("NATIONAL_ADMIN").
absl::string_view RoleName(Role role);
bool ParseRole(absl::string_view name, Role* out);

// An authenticated caller.
struct Principal {
  std::string subject;  // account id
  Role role = Role::kPublic;
  std::string province_code;                  // PROVINCE_VERIFIER; home province of a FIELD_VERIFIER
  std::string region_code;                    // REGION_OPERATOR, OPD_CONTRIBUTOR
  std::string agency;                         // OPD_CONTRIBUTOR
  std::vector<std::string> assigned_regions;  // FIELD_VERIFIER
  std::string token_id;                       // jti
  // The account's token generation when issued: revoking an account's
  // tokens raises its generation, and older tokens are refused.
  int64_t generation = 0;
  absl::Time issued_at = absl::InfinitePast();
  // When the person signed in with a password; tokens renewed from that
  // sign-in keep it (claim auth_time), so a session has an end.
  absl::Time auth_time = absl::InfinitePast();
  absl::Time expires = absl::InfiniteFuture();

  static Principal Anonymous() { return Principal{}; }
  bool anonymous() const { return role == Role::kPublic; }
};

// Roles whose reach is the whole country (no region scope).
bool IsNational(Role role);

// Whether `code` (a province "NN" or kabupaten/kota "NN.NN") lies within the
// principal's reach: national roles everywhere; a province verifier in its
// province and its kabupaten/kota; an operator or OPD contributor in its own
// kabupaten/kota only; a field verifier in its assigned regions outside its
// home province. An empty code (the whole country) is within national
// roles' reach only.
bool InScope(const Principal& p, absl::string_view code);

}  // namespace kla::auth
