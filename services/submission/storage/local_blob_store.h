#pragma once

#include <mutex>
#include <string>

#include "absl/synchronization/mutex.h"
#include "libs/common/files.h"
#include "services/submission/domain/blob_store.h"

namespace kla::submission {

// BlobStore on a local folder: <root>/uploads/<upload id>.part while
// receiving, <root>/blobs/<first two hex digits>/<sha256> when done. Every
// append and promotion is fsynced, so a crash loses nothing acknowledged.
class LocalBlobStore final : public BlobStore {
 public:
  explicit LocalBlobStore(std::string root) : root_(std::move(root)) {}
  // Creates the folders.
  absl::Status Init();

  absl::StatusOr<int64_t> Append(const std::string& upload_id, absl::string_view bytes) override;
  absl::StatusOr<int64_t> StagedSize(const std::string& upload_id) override;
  absl::StatusOr<std::string> StagedDigest(const std::string& upload_id) override;
  absl::Status Promote(const std::string& upload_id, const std::string& sha256) override;
  absl::Status Discard(const std::string& upload_id) override;
  absl::StatusOr<std::string> Read(const std::string& sha256, int64_t offset, int64_t max) override;

 private:
  std::string StagedPath(const std::string& upload_id) const;
  std::string BlobPath(const std::string& sha256) const;
  std::string root_;
  absl::Mutex mu_;  // appends to one upload are serialized
};

}  // namespace kla::submission
