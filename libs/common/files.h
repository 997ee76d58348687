#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kla {

// The whole content of a file; NOT_FOUND or INTERNAL naming the path.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

// Writes `content` to a temporary file beside `path` with `mode`, syncs it and
// renames it over `path`, so a reader sees the old file or the whole new one
// and a secret is never readable by others, even briefly.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view content, int mode = 0644);

// Creates `path` and any missing parent folders with mode 0700 (owner
// only); folders that exist keep their mode. UNAVAILABLE naming the folder.
absl::Status MakePrivateDirectories(const std::string& path);

// Creates `path` as an empty file with mode 0600 unless it exists (a
// database file before its library opens it, so it is never readable by
// others, not even between creation and a chmod).
absl::Status CreatePrivateFile(const std::string& path);

// True when the file or folder at `path` exists and its group or others
// may read, write or enter it (mode & 077). Data files and keys are meant
// to be owner-only; kla-server warns at start about those that are not.
bool AccessibleByOthers(const std::string& path);

// SHA-256 of a file's content, lowercase hex.
absl::StatusOr<std::string> FileSha256(const std::string& path);

// SHA-256 of `data`, lowercase hex.
std::string Sha256Hex(absl::string_view data);

}  // namespace kla
