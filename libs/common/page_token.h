#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kla {

// Opaque keyset page tokens (AIP-158). A token records the last key
// returned and a fingerprint of the query's filters, so a token used with
// other filters, or a token that was edited or made up, is refused with
// INVALID_ARGUMENT on "page_token" instead of returning a wrong page.
std::string EncodePageToken(absl::string_view query_fingerprint, absl::string_view last_key);

// The last key from `token`; an empty token means the first page ("").
absl::StatusOr<std::string> DecodePageToken(absl::string_view token, absl::string_view query_fingerprint);

// Page size policy shared by every List RPC: negative is INVALID_ARGUMENT
// on "page_size", 0 means `default_size`, larger than `max_size` is capped.
absl::StatusOr<int> ResolvePageSize(int requested, int default_size = 100, int max_size = 1000);

}  // namespace kla
