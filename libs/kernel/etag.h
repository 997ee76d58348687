#pragma once

// Etags of versioned resources: a letter for the kind of resource and its
// version ("v3"). Opaque to callers; formatted and read back only here, by
// the domain (stores persist versions, never etag text).

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace kla {

// The letters in use; they keep the etags already handed out valid.
inline constexpr char kAccountEtag = 'a';
inline constexpr char kCycleEtag = 'v';
inline constexpr char kTaskForceEtag = 'v';
inline constexpr char kSubmissionEtag = 's';
inline constexpr char kSubscriptionEtag = 's';

// "<kind><version>"; "" for version 0 (a resource not stored yet).
std::string FormatEtag(char kind, int64_t version);
// The version in `etag` when it is an etag of `kind`.
std::optional<int64_t> ParseEtag(char kind, absl::string_view etag);

}  // namespace kla
