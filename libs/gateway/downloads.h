#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kla/submission/v1/submission_service.grpc.pb.h"
#include "libs/gateway/routes.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace kla::gateway {

// The submission service's server streams as HTTP downloads: an evidence
// file with its media type, length and name (DownloadEvidence), and a
// cycle's export as one chunked CSV or JSON-lines file (ExportSubmissions;
// resume with start_after_region_code, the region code of the last whole
// line received). Errors before the first byte are JSON google.rpc.Status
// answers; a stream that fails later is cut short, which HTTP clients see as
// an incomplete transfer.
class Downloads {
 public:
  // `idle`: a service stream that sends nothing this long is given up.
  // `stopping`: set when the gateway stops; transfers then end at once.
  Downloads(const std::shared_ptr<grpc::Channel>& channel, absl::Duration idle, const std::atomic<bool>* stopping)
      : stub_(submission::v1::SubmissionService::NewStub(channel)), idle_(idle), stopping_(stopping) {}

  // `hold` is kept until the answer is written (after these return).
  void ServeEvidence(const RouteMatch& match, const httplib::Request& req, httplib::Response& res,
                     std::shared_ptr<void> hold) const;
  void ServeExport(const RouteMatch& match, const httplib::Request& req, httplib::Response& res,
                   std::shared_ptr<void> hold) const;

 private:
  std::unique_ptr<submission::v1::SubmissionService::Stub> stub_;
  absl::Duration idle_;
  const std::atomic<bool>* stopping_;
};

// Content-Disposition for a download named `file_name` (RFC 6266: an ASCII
// fallback and the UTF-8 name).
std::string AttachmentHeader(absl::string_view file_name);

}  // namespace kla::gateway
