#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kla {

// Opaque keyset page tokens (AIP-158). A token records the last key
// returned and a fingerprint of the query's filters, authenticated with an
// HMAC-SHA256 under the process's page-token key, so a token used with other
// filters, or a token that was edited or made up, is refused with
// INVALID_ARGUMENT on "page_token" instead of returning a wrong page. A
// token never grants access: readers check what it names against the caller
// as for a first page.
// Sets the secret page tokens are authenticated with (replicas of a service
// share it, so a token from one is accepted by another). Until it is set, a
// random per-process key is used. Call at start-up.
void SetPageTokenKey(absl::string_view secret);

std::string EncodePageToken(absl::string_view query_fingerprint, absl::string_view last_key);

// The last key from `token`; an empty token means the first page ("").
absl::StatusOr<std::string> DecodePageToken(absl::string_view token, absl::string_view query_fingerprint);

// Page size policy shared by every List RPC: negative is INVALID_ARGUMENT
// on "page_size", 0 means `default_size`, larger than `max_size` is capped.
absl::StatusOr<int> ResolvePageSize(int requested, int default_size = 100, int max_size = 1000);

}  // namespace kla
