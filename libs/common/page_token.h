#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

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

// One page of a bounded list already in memory, in the order of `key` (a
// unique string per item): the items after the token's key, at most the
// resolved page size, and the token of the next page ("" after the last).
template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_page_token;
};
template <typename T, typename KeyFn>
absl::StatusOr<Page<T>> PageOf(std::vector<T> sorted, int page_size, absl::string_view page_token,
                               absl::string_view fingerprint, KeyFn key) {
  absl::StatusOr<int> size = ResolvePageSize(page_size);
  if (!size.ok()) return size.status();
  absl::StatusOr<std::string> after = DecodePageToken(page_token, fingerprint);
  if (!after.ok()) return after.status();
  std::stable_sort(sorted.begin(), sorted.end(), [&](const T& a, const T& b) { return key(a) < key(b); });
  Page<T> page;
  for (T& item : sorted) {
    if (!after->empty() && !(key(item) > *after)) continue;
    if (static_cast<int>(page.items.size()) == *size) {
      page.next_page_token = EncodePageToken(fingerprint, key(page.items.back()));
      break;
    }
    page.items.push_back(std::move(item));
  }
  return page;
}

}  // namespace kla
