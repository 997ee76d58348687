#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kla::submission {

// Where evidence bytes live: uploads being received (staged by upload id)
// and finished files, content-addressed by SHA-256 so identical files are
// stored once. Implemented on local disk (LocalBlobStore); an object store
// would implement the same.
class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // Appends to a staged upload (created when missing); returns its size.
  virtual absl::StatusOr<int64_t> Append(const std::string& upload_id, absl::string_view bytes) = 0;
  // Bytes staged so far (0 when none): where a resumed upload continues.
  virtual absl::StatusOr<int64_t> StagedSize(const std::string& upload_id) = 0;
  // SHA-256 (lowercase hex) of the staged bytes.
  virtual absl::StatusOr<std::string> StagedDigest(const std::string& upload_id) = 0;
  // Stores the staged bytes under `sha256` (dropping them when that blob
  // already exists) and forgets the upload.
  virtual absl::Status Promote(const std::string& upload_id, const std::string& sha256) = 0;
  // Forgets a staged upload and its bytes.
  virtual absl::Status Discard(const std::string& upload_id) = 0;
  // Up to `max` bytes of a stored blob from `offset` ("" at the end).
  virtual absl::StatusOr<std::string> Read(const std::string& sha256, int64_t offset, int64_t max) = 0;
};

}  // namespace kla::submission
