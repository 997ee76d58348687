#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "kla/registry/v1/rulebook.pb.h"
#include "kla/submission/v1/submission.pb.h"

namespace kla::submission {

// Answers as people type them and as CSV files carry them: one reading for
// klactl, ImportAnswers and ExportSubmissions, so an export imports back.

// Reads `text` as a value of `item`'s type: "ya"/"tidak" (also yes/no,
// true/false, 1/0), an option id, "87,5" or "87.5" (percent, at most two
// decimals, an optional "%"), "12", or any text. Returns "" and sets `out`,
// or what is expected, in Indonesian and English.
std::string ParseAnswerText(const registry::v1::ItemRule& item, absl::string_view text, v1::AnswerValue* out);

// The value as ParseAnswerText reads it back ("ya", "87.50", "12", ...).
std::string AnswerText(const v1::AnswerValue& value);

}  // namespace kla::submission
