#include "libs/gateway/tus.h"

#include <httplib.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/common/files.h"
#include "libs/common/ids.h"
#include "libs/gateway/http_call.h"
#include "libs/gateway/transcode.h"

namespace kla::gateway {
namespace {

namespace v1 = submission::v1;

constexpr char kTusVersion[] = "1.0.0";
constexpr char kOctets[] = "application/offset+octet-stream";
// At most this much per UploadEvidence chunk message (its declared bound).
constexpr size_t kMessageBytes = size_t{1} << 20;

// One UploadEvidence stream fed from an HTTP body as it arrives.
class UploadCall {
 public:
  UploadCall(v1::SubmissionService::Stub& stub, const httplib::Request& req, const v1::UploadHeader& header) {
    ForwardCall(req, &ctx_);
    writer_ = stub.UploadEvidence(&ctx_, &response_);
    v1::UploadEvidenceRequest first;
    *first.mutable_header() = header;
    open_ = writer_->Write(first);
  }

  // False once the service ended the stream (Finish says why).
  bool Append(const char* data, size_t n) {
    while (open_ && n > 0) {
      const size_t take = std::min(n, kMessageBytes - pending_.size());
      pending_.append(data, take);
      data += take;
      n -= take;
      if (pending_.size() == kMessageBytes) Send();
    }
    return open_;
  }

  grpc::Status Finish(v1::UploadEvidenceResponse* out) {
    if (open_ && !pending_.empty()) Send();
    if (open_) writer_->WritesDone();
    grpc::Status status = writer_->Finish();
    *out = response_;
    return status;
  }

 private:
  // The bytes held so far as one chunk message (moved, not copied).
  void Send() {
    v1::UploadEvidenceRequest chunk;
    chunk.set_chunk(std::move(pending_));
    pending_.clear();
    pending_.reserve(kMessageBytes);
    open_ = writer_->Write(chunk);
  }

  grpc::ClientContext ctx_;
  v1::UploadEvidenceResponse response_;
  std::unique_ptr<grpc::ClientWriter<v1::UploadEvidenceRequest>> writer_;
  std::string pending_;
  bool open_ = false;
};

// Every tus answer says the protocol version; a request for another
// version is refused (412) before anything happens.
bool CheckVersion(const httplib::Request& req, httplib::Response& res) {
  res.set_header("Tus-Resumable", kTusVersion);
  if (req.get_header_value("Tus-Resumable") == kTusVersion) return true;
  res.set_header("Tus-Version", kTusVersion);
  WriteError(grpc::StatusCode::FAILED_PRECONDITION, "tus requests must carry the header Tus-Resumable: 1.0.0", res);
  res.status = 412;
  return false;
}

bool HasReason(const grpc::Status& status, absl::string_view reason) {
  google::rpc::Status detail;
  if (!detail.ParseFromString(status.error_details())) return false;
  for (const auto& any : detail.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info) && info.reason() == reason) return true;
  }
  return false;
}

bool ReadInt(const httplib::Request& req, const char* header, int64_t* out, httplib::Response& res) {
  if (absl::SimpleAtoi(req.get_header_value(header), out) && *out >= 0) return true;
  WriteError(grpc::StatusCode::INVALID_ARGUMENT, absl::StrCat(header, " must be a whole number of bytes"), res);
  return false;
}

std::string Required(const std::map<std::string, std::string>& meta, const std::string& key, absl::Status* missing) {
  auto it = meta.find(key);
  if (it == meta.end() || it->second.empty()) {
    if (missing->ok()) *missing = absl::InvalidArgumentError(absl::StrCat("Upload-Metadata lacks \"", key, "\""));
    return "";
  }
  return it->second;
}

// The UploadHeader a creation request announces: the cycle and region from
// its path, the rest from Upload-Length and Upload-Metadata.
absl::StatusOr<v1::UploadHeader> HeaderOf(const RouteMatch& match, const httplib::Request& req, int64_t length) {
  auto built = BuildRequest(match, {}, "");
  if (!built.ok()) return built.status();
  v1::UploadEvidenceRequest request;
  request.CopyFrom(**built);
  v1::UploadHeader header = request.header();
  auto meta = ParseUploadMetadata(req.get_header_value("Upload-Metadata"));
  if (!meta.ok()) return meta.status();
  absl::Status missing;
  header.set_file_name(Required(*meta, "filename", &missing));
  header.set_media_type(Required(*meta, "filetype", &missing));
  header.set_item_id(Required(*meta, "item_id", &missing));
  header.set_sha256(absl::AsciiStrToLower(Required(*meta, "sha256", &missing)));
  if (!missing.ok()) return missing;
  const auto purpose = meta->find("purpose");
  if (purpose != meta->end() && purpose->second == "objection") {
    header.set_purpose(v1::EVIDENCE_PURPOSE_OBJECTION);
  } else if (purpose != meta->end() && purpose->second != "answer") {
    return absl::InvalidArgumentError("Upload-Metadata purpose is \"answer\" or \"objection\"");
  }
  const auto id = meta->find("upload_id");
  header.set_upload_id(id != meta->end() ? id->second : absl::StrCat("tus-", NewUuid()));
  header.set_size_bytes(length);
  header.set_offset(0);
  return header;
}

// Streams the body into `call`; false when the client stopped sending
// (what arrived still goes to the service).
bool Stream(const httplib::ContentReader& body, UploadCall& call) {
  return body([&](const char* data, size_t n) { return call.Append(data, n); });
}

// The base64 SHA-256 an Upload-Checksum header names; INVALID_ARGUMENT for
// another algorithm or a malformed one.
absl::StatusOr<std::string> ChecksumOf(absl::string_view header) {
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(absl::StripAsciiWhitespace(header), absl::MaxSplits(' ', 1));
  if (parts.first != "sha256") {
    return absl::InvalidArgumentError("Upload-Checksum: only sha256 is supported (Tus-Checksum-Algorithm)");
  }
  std::string digest;
  if (!absl::Base64Unescape(parts.second, &digest) || digest.size() != 32) {
    return absl::InvalidArgumentError("Upload-Checksum: \"sha256 <base64 of the 32-byte digest>\"");
  }
  return digest;
}

// Reads a PATCH body that carries Upload-Checksum into `chunk`; false (and
// the answer written: 400, 413, or tus's 460 Checksum Mismatch) unless it
// matches.
bool ReadChecked(const httplib::Request& req, const httplib::ContentReader& body, size_t limit, std::string* chunk,
                 httplib::Response& res) {
  auto digest = ChecksumOf(req.get_header_value("Upload-Checksum"));
  if (!digest.ok()) {
    WriteError(grpc::StatusCode::INVALID_ARGUMENT, digest.status().message(), res);
    return false;
  }
  if (!ReadBody(body, limit, chunk, res)) return false;
  if (absl::HexStringToBytes(Sha256Hex(*chunk)) == *digest) return true;
  WriteError(grpc::StatusCode::INVALID_ARGUMENT, "Upload-Checksum does not match the bytes sent: send them again", res);
  res.status = 460;
  return false;
}

// Reads and drops up to `limit` bytes of a body the answer does not need:
// a client still sending would otherwise meet a reset connection instead of
// the answer. Past `limit` the connection is closed after the answer.
void Discard(const httplib::ContentReader& body, size_t limit) {
  size_t seen = 0;
  body([&](const char*, size_t n) {
    seen += n;
    return seen <= limit;
  });
}

std::string HttpDate(absl::Time t) { return absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", t, absl::UTCTimeZone()); }

}  // namespace

absl::StatusOr<std::map<std::string, std::string>> ParseUploadMetadata(absl::string_view header) {
  std::map<std::string, std::string> out;
  for (absl::string_view pair : absl::StrSplit(header, ',', absl::SkipWhitespace())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(absl::StripAsciiWhitespace(pair), absl::MaxSplits(' ', 1));
    std::string value;
    if (!absl::Base64Unescape(absl::StripAsciiWhitespace(kv.second), &value)) {
      return absl::InvalidArgumentError(absl::StrCat("Upload-Metadata \"", kv.first, "\" is not base64"));
    }
    if (!out.emplace(std::string(kv.first), std::move(value)).second) {
      return absl::InvalidArgumentError(absl::StrCat("Upload-Metadata gives \"", kv.first, "\" twice"));
    }
  }
  return out;
}

void TusUploads::Describe(httplib::Response& res) const {
  res.set_header("Tus-Resumable", kTusVersion);
  res.set_header("Tus-Version", kTusVersion);
  res.set_header("Tus-Extension", "creation,creation-with-upload,checksum,expiration");
  res.set_header("Tus-Checksum-Algorithm", "sha256");
  res.set_header("Tus-Max-Size", std::to_string(options_.max_upload_bytes));
}

void TusUploads::Create(const RouteMatch& match, const httplib::Request& req, const httplib::ContentReader& body,
                        httplib::Response& res) const {
  if (!CheckVersion(req, res)) return;
  if (req.has_header("Upload-Defer-Length")) {
    WriteError(grpc::StatusCode::INVALID_ARGUMENT, "give Upload-Length: the size is checked before any byte", res);
    return;
  }
  int64_t length = 0;
  if (!ReadInt(req, "Upload-Length", &length, res)) return;
  auto header = HeaderOf(match, req, length);
  if (!header.ok()) {
    WriteError(grpc::StatusCode::INVALID_ARGUMENT, header.status().message(), res);
    return;
  }
  UploadCall call(*stub_, req, *header);
  // creation-with-upload: the first bytes may come with the creation.
  if (req.get_header_value("Content-Type") == kOctets) Stream(body, call);
  v1::UploadEvidenceResponse done;
  if (grpc::Status status = call.Finish(&done); !status.ok()) {
    WriteError(status, res);
    return;
  }
  res.status = 201;
  res.set_header("Location", absl::StrCat("/v1/regions/", header->region_code(), "/uploads/", header->upload_id()));
  res.set_header("Upload-Offset", std::to_string(done.received_bytes()));
}

bool TusUploads::Status(const RouteMatch& match, const httplib::Request& req, v1::UploadEvidenceResponse* out,
                        httplib::Response& res) const {
  auto built = BuildRequest(match, {}, "");
  if (!built.ok()) {
    WriteError(grpc::StatusCode::INVALID_ARGUMENT, built.status().message(), res);
    return false;
  }
  v1::GetUploadStatusRequest request;
  request.CopyFrom(**built);
  grpc::ClientContext ctx;
  ForwardCall(req, &ctx);
  if (grpc::Status status = stub_->GetUploadStatus(&ctx, request, out); !status.ok()) {
    WriteError(status, res);
    return false;
  }
  return true;
}

void TusUploads::Head(const RouteMatch& match, const httplib::Request& req, httplib::Response& res) const {
  if (!CheckVersion(req, res)) return;
  v1::UploadEvidenceResponse upload;
  if (!Status(match, req, &upload, res)) return;
  res.status = 200;
  res.set_header("Cache-Control", "no-store");
  res.set_header("Upload-Offset", std::to_string(upload.received_bytes()));
  res.set_header("Upload-Length", std::to_string(upload.header().size_bytes()));
  if (upload.has_expire_time()) {
    res.set_header("Upload-Expires", HttpDate(absl::FromUnixSeconds(upload.expire_time().seconds())));
  }
}

void TusUploads::Patch(const RouteMatch& match, const httplib::Request& req, const httplib::ContentReader& body,
                       httplib::Response& res) const {
  if (!CheckVersion(req, res)) return;
  if (req.get_header_value("Content-Type") != kOctets) {
    WriteError(grpc::StatusCode::INVALID_ARGUMENT, "a PATCH carries Content-Type: application/offset+octet-stream",
               res);
    res.status = 415;
    return;
  }
  int64_t offset = 0;
  if (!ReadInt(req, "Upload-Offset", &offset, res)) return;
  v1::UploadEvidenceResponse upload;
  if (!Status(match, req, &upload, res)) return;
  if (offset != upload.received_bytes()) {
    Discard(body, options_.max_checksummed_chunk);
    WriteError(grpc::StatusCode::FAILED_PRECONDITION,
               absl::StrCat("the server holds ", upload.received_bytes(), " bytes of this upload: resume from there"),
               res);
    res.status = 409;
    return;
  }
  v1::UploadHeader header = upload.header();
  header.set_offset(offset);
  // With Upload-Checksum the chunk is held whole and checked first, so a
  // chunk that does not match is not kept; without, it streams through.
  const bool checked = req.has_header("Upload-Checksum");
  std::string chunk;
  if (checked && !ReadChecked(req, body, options_.max_checksummed_chunk, &chunk, res)) return;
  UploadCall call(*stub_, req, header);
  if (checked) {
    call.Append(chunk.data(), chunk.size());
  } else {
    Stream(body, call);
  }
  v1::UploadEvidenceResponse done;
  const grpc::Status status = call.Finish(&done);
  if (!status.ok()) {
    WriteError(status, res);
    if (HasReason(status, "UPLOAD_OFFSET_MISMATCH")) res.status = 409;
    return;
  }
  res.status = 204;
  res.set_header("Upload-Offset", std::to_string(done.received_bytes()));
}

}  // namespace kla::gateway
