#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace kla {

// Folds text for case- and accent-insensitive matching: ASCII lowercase,
// Latin-1 and Latin Extended-A letters to their base letter ("É" -> "e"),
// apostrophes dropped, runs of whitespace and hyphens to one space.
std::string FoldForSearch(absl::string_view utf8);

// True when `s` is valid UTF-8.
bool IsValidUtf8(absl::string_view s);

}  // namespace kla
