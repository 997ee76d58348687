#pragma once

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kla/submission/v1/submission_service.grpc.pb.h"
#include "libs/gateway/routes.h"

namespace httplib {
struct Request;
struct Response;
class ContentReader;
}  // namespace httplib

namespace kla::gateway {

struct TusOptions {
  // Largest evidence file (Tus-Max-Size); the service checks it too.
  int64_t max_upload_bytes = int64_t{25} << 20;
  // Largest PATCH that carries Upload-Checksum: it is held whole until its
  // checksum is checked, so nothing unchecked is stored.
  size_t max_checksummed_chunk = size_t{8} << 20;
};

// Evidence upload as tus 1.0 resumable uploads (tus.io; the core protocol
// with the creation, creation-with-upload, checksum (sha256) and expiration
// extensions), each request mapped onto the same UploadEvidence stream and
// its checks as gRPC clients use:
//   POST  /v1/cycles/{cycle}/submissions/{region}/uploads   creates it
//         (Upload-Length; Upload-Metadata: filename, filetype, item_id,
//         sha256 of the whole file in hex, optional purpose and upload_id),
//         answered 201 with its Location, /v1/regions/{region}/uploads/{id};
//   HEAD  that Location: Upload-Offset, what the server holds;
//   PATCH that Location from Upload-Offset: the next bytes, streamed to the
//         service as they arrive, so a connection that drops keeps what
//         arrived and the upload resumes from there, never from the start.
// GET of the Location is GetUploadStatus as JSON (the evidence once done).
class TusUploads {
 public:
  TusUploads(const std::shared_ptr<grpc::Channel>& channel, TusOptions options)
      : stub_(submission::v1::SubmissionService::NewStub(channel)), options_(options) {}

  // `match`: UploadEvidence's route (creation).
  void Create(const RouteMatch& match, const httplib::Request& req, const httplib::ContentReader& body,
              httplib::Response& res) const;
  // `match`: GetUploadStatus's route (the upload's URL).
  void Head(const RouteMatch& match, const httplib::Request& req, httplib::Response& res) const;
  void Patch(const RouteMatch& match, const httplib::Request& req, const httplib::ContentReader& body,
             httplib::Response& res) const;
  // The tus headers OPTIONS answers with (discovery).
  void Describe(httplib::Response& res) const;

 private:
  // The upload as the service holds it; false (and the error written) if not.
  bool Status(const RouteMatch& match, const httplib::Request& req, submission::v1::UploadEvidenceResponse* out,
              httplib::Response& res) const;

  std::unique_ptr<submission::v1::SubmissionService::Stub> stub_;
  TusOptions options_;
};

// Upload-Metadata ("key base64value,key2 base64value2", a key may stand
// alone) decoded; INVALID_ARGUMENT when a value is not base64 or a key
// repeats.
absl::StatusOr<std::map<std::string, std::string>> ParseUploadMetadata(absl::string_view header);

}  // namespace kla::gateway
