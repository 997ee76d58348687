#pragma once

// The one check of an answer's value against its rulebook item: used when
// answers are saved, adjusted or imported (submission) and when a draft is
// scored as a dry run (scoring), so both accept and refuse the same values.

#include <string>

#include "kla/registry/v1/rulebook.pb.h"
#include "kla/submission/v1/submission.pb.h"
#include "libs/common/errors.h"

namespace kla::score {

// Checks a value against its item: the kind matches the item's type, a
// percentage is 0-100 %, a count is not negative, a choice is one of the
// options, a text is not empty and at most 4000 bytes of UTF-8. Violations
// are added under `field` and name the item.
void CheckAnswerValue(const registry::v1::ItemRule& item, const submission::v1::AnswerValue& value,
                      const std::string& field, Violations* violations);

}  // namespace kla::score
