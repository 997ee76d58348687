#pragma once

// CSV as kla reads and writes it: RFC 4180 (quoted fields may hold commas,
// doubled quotes and line breaks), LF or CRLF line ends, and a UTF-8 byte
// order mark as Excel's "CSV UTF-8" writes it. One reader for every import
// (regions, training participants, answers, past results).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kla {

// One record and the line it starts on (1-based), for messages.
struct CsvRecord {
  int line = 0;
  std::vector<std::string> fields;
};

struct CsvOptions {
  // Lines beginning with '#' (outside a quoted field) are comments.
  bool comments = false;
};

// The records of `text`; blank lines (and comments) are skipped. Fields are
// kept as written (not trimmed). INVALID_ARGUMENT "line N: ..." for a quote
// never closed or text after a closing quote.
absl::StatusOr<std::vector<CsvRecord>> ParseCsv(absl::string_view text, CsvOptions options = {});

// `field` as one CSV cell: quoted when it holds a comma, quote or line
// break; a cell a spreadsheet would run as a formula (starting with =, +, -,
// @, tab or CR, OWASP CSV injection) gets a leading apostrophe, except plain
// numbers such as "-12" or "82,5".
std::string CsvField(absl::string_view field);

}  // namespace kla
