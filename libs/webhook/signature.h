#pragma once

// Standard Webhooks (https://www.standardwebhooks.com/) signatures:
//   webhook-id:        the message id (the same on every retry)
//   webhook-timestamp: unix seconds of this attempt
//   webhook-signature: "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>",
//                      one per valid secret, space-separated (two while a
//                      secret is being rotated)
// Secrets are "whsec_" + base64 of 32 random bytes.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kla::webhook {

// A new secret: "whsec_" + base64 of 32 random bytes.
std::string NewSecret();

// The key bytes of a secret ("whsec_" prefix optional). INVALID_ARGUMENT
// when it is not base64 or shorter than 24 bytes.
absl::StatusOr<std::string> DecodeSecret(absl::string_view secret);

// The webhook-signature header value for `keys` (decoded), in order.
std::string Sign(absl::string_view message_id, int64_t timestamp, absl::string_view body,
                 const std::vector<std::string>& keys);

// What a receiver does: true when one of the header's v1 signatures matches
// one of `secrets` and the timestamp is within `tolerance` of `now`.
bool Verify(const std::vector<std::string>& secrets, absl::string_view message_id, absl::string_view timestamp,
            absl::string_view body, absl::string_view signature_header, absl::Time now,
            absl::Duration tolerance = absl::Minutes(5));

}  // namespace kla::webhook
