#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kla/registry/v1/rulebook.pb.h"
#include "libs/common/errors.h"

namespace kla::registry {

// The whole instrument is 1000 points: 100000 hundredths.
inline constexpr int64_t kTotalHundredths = 100000;

// Every rule a rulebook must satisfy, each broken one reported with its
// field path ("indicators[3].items[1].weight"), so that a file with ten
// mistakes gets ten violations. Empty when the rulebook is valid.
std::vector<FieldViolation> ValidateRulebook(const v1::Rulebook& rulebook);

// Parses a rulebook authored as textproto. INVALID_ARGUMENT with a
// violation on "textproto" naming line and column of a syntax error.
absl::StatusOr<v1::Rulebook> ParseRulebookText(absl::string_view text);

// SHA-256 (hex) of the rulebook's deterministic encoding: equal contents,
// equal hash, whatever the formatting of the source file.
std::string RulebookHash(const v1::Rulebook& rulebook);

int ItemCount(const v1::Rulebook& rulebook);

// Whether `correction` may replace `in_force` in a cycle that has opened:
// the same indicators with the same items, of the same types and, for
// choices, the same option ids, so every answer given stays an answer.
// Weights, shares, steps, bands, evidence rules and texts may change. The
// first difference as INVALID_ARGUMENT on "cycle.rulebook_version".
absl::Status CheckCorrection(const v1::Rulebook& in_force, const v1::Rulebook& correction);

}  // namespace kla::registry
