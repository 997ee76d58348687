#include "services/submission/storage/local_blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/errors.h"
#include "libs/common/files.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"

namespace kla::submission {
namespace {

// A full disk (or quota) is the operator's to fix and the client's to
// retry: UNAVAILABLE with a delay, never INTERNAL. The path stays in logs.
absl::Status Errno(absl::string_view what, const std::string& path) {
  const int err = errno;
  std::string text = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  if (err == ENOSPC || err == EDQUOT) {
    return Concealed(WithRetryAfter(absl::UnavailableError(std::move(text)), absl::Seconds(60)));
  }
  return Concealed(absl::InternalError(std::move(text)));
}

// Syncs a folder so a rename into it survives a crash.
void SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

absl::Status LocalBlobStore::Init() {
  // Owner-only: evidence may hold personal data of children and staff.
  KLA_RETURN_IF_ERROR(MakePrivateDirectories(root_ + "/uploads"));
  return MakePrivateDirectories(root_ + "/blobs");
}

std::string LocalBlobStore::StagedPath(const std::string& upload_id) const {
  return absl::StrCat(root_, "/uploads/", upload_id, ".part");  // ids are [A-Za-z0-9._-] (checked by the domain)
}

std::string LocalBlobStore::BlobPath(const std::string& sha256) const {
  return absl::StrCat(root_, "/blobs/", sha256.substr(0, 2), "/", sha256);
}

absl::StatusOr<int64_t> LocalBlobStore::Append(const std::string& upload_id, absl::string_view bytes) {
  absl::MutexLock lock(&mu_);
  const std::string path = StagedPath(upload_id);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot open", path);
  struct stat before {};
  ::fstat(fd, &before);
  // A chunk is kept whole or not at all, so a resume after a failed write
  // (a full disk) continues from what was acknowledged.
  auto fail = [&](absl::string_view what) {
    absl::Status st = Errno(what, path);
    if (::ftruncate(fd, before.st_size) != 0) log::Warn("cannot cut back a failed append", {{"path", path}});
    ::close(fd);
    return st;
  };
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    done += static_cast<size_t>(n);
  }
  // Acknowledged bytes survive a crash: a resume continues after them.
  if (::fdatasync(fd) != 0) return fail("cannot sync");
  struct stat st {};
  ::fstat(fd, &st);
  ::close(fd);
  return static_cast<int64_t>(st.st_size);
}

absl::StatusOr<int64_t> LocalBlobStore::StagedSize(const std::string& upload_id) {
  struct stat st {};
  if (::stat(StagedPath(upload_id).c_str(), &st) != 0) {
    if (errno == ENOENT) return 0;
    return Errno("cannot stat", StagedPath(upload_id));
  }
  return static_cast<int64_t>(st.st_size);
}

absl::StatusOr<std::string> LocalBlobStore::StagedDigest(const std::string& upload_id) {
  return FileSha256(StagedPath(upload_id));
}

absl::Status LocalBlobStore::Promote(const std::string& upload_id, const std::string& sha256) {
  absl::MutexLock lock(&mu_);
  const std::string from = StagedPath(upload_id);
  const std::string to = BlobPath(sha256);
  const std::string dir = to.substr(0, to.rfind('/'));
  KLA_RETURN_IF_ERROR(MakePrivateDirectories(dir));
  std::error_code ec;
  if (std::filesystem::exists(to, ec)) {  // identical file already stored: keep one copy
    std::remove(from.c_str());
    return absl::OkStatus();
  }
  if (std::rename(from.c_str(), to.c_str()) != 0) return Errno("cannot store", to);
  ::chmod(to.c_str(), 0400);  // immutable from here on
  SyncDir(dir);
  return absl::OkStatus();
}

absl::Status LocalBlobStore::Discard(const std::string& upload_id) {
  absl::MutexLock lock(&mu_);
  if (std::remove(StagedPath(upload_id).c_str()) != 0 && errno != ENOENT) {
    return Errno("cannot remove", StagedPath(upload_id));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> LocalBlobStore::Read(const std::string& sha256, int64_t offset, int64_t max) {
  const std::string path = BlobPath(sha256);
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::DataLossError(absl::StrCat("blob ", sha256, " is missing"));
  in.seekg(offset);
  std::string out(static_cast<size_t>(max), '\0');
  in.read(out.data(), max);
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

}  // namespace kla::submission
