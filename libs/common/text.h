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

// Why `name` cannot be a stored file's name (empty when it can): at most 255
// bytes of UTF-8, no "/" or "\\", no control characters, no bidirectional
// overrides or isolates (U+202A-U+202E, U+2066-U+2069: "gpj.exe" shown as
// "exe.jpg"), not "." or "..", no leading or trailing space or dot, not a
// Windows device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9, with any
// extension). The people who download evidence use every kind of system.
std::string FileNameProblem(absl::string_view name);

// `text` without a leading UTF-8 byte order mark (Excel's "CSV UTF-8" starts
// with one).
absl::string_view StripUtf8Bom(absl::string_view text);

}  // namespace kla
