#include "libs/gateway/downloads.h"

#include <httplib.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/gateway/http_call.h"
#include "libs/gateway/server_stream.h"
#include "libs/gateway/transcode.h"

namespace kla::gateway {
namespace {

namespace v1 = submission::v1;
using EvidenceStream = ServerStream<v1::DownloadEvidenceRequest, v1::DownloadEvidenceResponse>;
using ExportStream = ServerStream<v1::ExportSubmissionsRequest, v1::ExportSubmissionsResponse>;

// Builds the request of `match` into `out`; false (and 400 written) if it
// does not fit.
bool Build(const RouteMatch& match, const httplib::Request& req, google::protobuf::Message* out,
           httplib::Response& res) {
  std::multimap<std::string, std::string> query(req.params.begin(), req.params.end());
  auto built = BuildRequest(match, query, "");
  if (!built.ok()) {
    WriteError(grpc::StatusCode::INVALID_ARGUMENT, built.status().message(), res);
    return false;
  }
  out->CopyFrom(**built);
  return true;
}

// Starts `stream` and waits for its first message; false (and the error
// written) when it ends or stays silent first.
template <class Stream, class Response>
bool First(Stream& stream, absl::Duration idle, Response* first, httplib::Response& res) {
  stream.Start();
  switch (stream.Wait(idle, first)) {
    case Stream::Next::kMessage:
      return true;
    case Stream::Next::kEnd:
      WriteError(stream.status(), res);
      return false;
    case Stream::Next::kTimeout:
      WriteError(grpc::StatusCode::DEADLINE_EXCEEDED, "the service did not start the download in time", res);
      return false;
    case Stream::Next::kStopping:
      WriteError(grpc::StatusCode::UNAVAILABLE, "the server is stopping: try again", res);
      return false;
  }
  return false;
}

// Writes the rest of an evidence file from `position` on, as far as the
// range httplib asks for (offset, length) reaches.
bool PumpEvidence(EvidenceStream& stream, absl::Duration idle, std::string& pending, size_t& position, size_t offset,
                  size_t length, httplib::DataSink& sink) {
  const size_t end = offset + length;
  v1::DownloadEvidenceResponse part;
  while (position < end) {
    if (pending.empty()) {
      if (stream.Wait(idle, &part) != EvidenceStream::Next::kMessage) return false;  // cut: the client sees it short
      pending = std::move(*part.mutable_chunk());
      if (pending.empty()) return false;
    }
    // A range starts past what was sent: skip to it (ranges come in order).
    if (position < offset) {
      const size_t skip = std::min(pending.size(), offset - position);
      pending.erase(0, skip);
      position += skip;
      continue;
    }
    const size_t n = std::min(pending.size(), end - position);
    if (!sink.write(pending.data(), n)) return false;
    pending.erase(0, n);
    position += n;
  }
  return true;
}

std::string ExportFileName(const v1::ExportSubmissionsRequest& r) {
  return absl::StrCat("kla-", r.cycle_id(), r.province_code().empty() ? "" : "-", r.province_code(),
                      r.start_after_region_code().empty() ? "" : "-after-", r.start_after_region_code(),
                      r.format() == v1::EXPORT_FORMAT_JSON_LINES ? ".jsonl" : ".csv");
}

}  // namespace

std::string AttachmentHeader(absl::string_view file_name) {
  std::string ascii;
  std::string encoded;
  for (const unsigned char c : file_name) {
    const bool plain = absl::ascii_isalnum(c) || c == '.' || c == '-' || c == '_';
    ascii += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? static_cast<char>(c) : '_';
    encoded += plain ? std::string(1, static_cast<char>(c)) : absl::StrFormat("%%%02X", c);
  }
  return absl::StrCat("attachment; filename=\"", ascii, "\"; filename*=UTF-8''", encoded);
}

void Downloads::ServeEvidence(const RouteMatch& match, const httplib::Request& req, httplib::Response& res,
                              std::shared_ptr<void> hold) const {
  auto stream = std::make_shared<EvidenceStream>(stopping_);
  if (!Build(match, req, stream->request(), res)) return;
  ForwardCall(req, stream->context());
  stub_->async()->DownloadEvidence(stream->context(), stream->request(), stream.get());
  v1::DownloadEvidenceResponse head;
  if (!First(*stream, idle_, &head, res)) return;
  const v1::Evidence& e = head.evidence();
  res.status = 200;
  res.set_header("Content-Disposition", AttachmentHeader(e.file_name()));
  res.set_header("ETag", absl::StrCat("\"", e.sha256(), "\""));
  res.set_header("Cache-Control", "private, no-store");
  // Evidence is whatever a region uploaded: never run as a page of this origin.
  res.set_header("Content-Security-Policy", "sandbox");
  res.set_header("X-Content-Type-Options", "nosniff");
  struct State {
    std::string pending;
    size_t position = 0;
  };
  auto state = std::make_shared<State>();
  const absl::Duration idle = idle_;
  res.set_content_provider(
      static_cast<size_t>(e.size_bytes()), e.media_type(),
      [stream, state, idle](size_t offset, size_t length, httplib::DataSink& sink) {
        return PumpEvidence(*stream, idle, state->pending, state->position, offset, length, sink);
      },
      [stream, hold = std::move(hold)](bool /*success*/) { stream->Close(); });
}

void Downloads::ServeExport(const RouteMatch& match, const httplib::Request& req, httplib::Response& res,
                            std::shared_ptr<void> hold) const {
  auto stream = std::make_shared<ExportStream>(stopping_);
  if (!Build(match, req, stream->request(), res)) return;
  ForwardCall(req, stream->context());
  stub_->async()->ExportSubmissions(stream->context(), stream->request(), stream.get());
  auto first = std::make_shared<v1::ExportSubmissionsResponse>();
  if (!First(*stream, idle_, first.get(), res)) return;
  const bool lines = stream->request()->format() == v1::EXPORT_FORMAT_JSON_LINES;
  res.status = 200;
  res.set_header("Content-Disposition", AttachmentHeader(ExportFileName(*stream->request())));
  res.set_header("Cache-Control", "private, no-store");
  res.set_header("X-Content-Type-Options", "nosniff");
  const absl::Duration idle = idle_;
  res.set_chunked_content_provider(
      lines ? "application/x-ndjson; charset=utf-8" : "text/csv; charset=utf-8",
      [stream, first, idle](size_t /*offset*/, httplib::DataSink& sink) {
        v1::ExportSubmissionsResponse part = std::move(*first);
        for (ExportStream::Next next = ExportStream::Next::kMessage;; next = stream->Wait(idle, &part)) {
          if (next == ExportStream::Next::kTimeout || next == ExportStream::Next::kStopping) return false;
          if (next == ExportStream::Next::kEnd) {
            if (!stream->status().ok()) return false;  // cut short: resume with start_after_region_code
            sink.done();
            return true;
          }
          if (!sink.write(part.data().data(), part.data().size())) return false;
        }
      },
      [stream, hold = std::move(hold)](bool /*success*/) { stream->Close(); });
}

}  // namespace kla::gateway
