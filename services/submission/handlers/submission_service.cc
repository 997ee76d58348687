#include "services/submission/handlers/submission_service.h"

#include <google/protobuf/util/time_util.h>

#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/common/errors.h"
#include "libs/common/page_token.h"
#include "libs/common/status_macros.h"
#include "libs/kernel/time.h"
#include "libs/metrics/metrics.h"
#include "libs/rpc/field_limits.h"

namespace kla::submission {
namespace {

template <typename Req>
TransitionCommand Command(const Req& req) {
  return TransitionCommand{
      .request_id = req.request_id(), .cycle_id = req.cycle_id(), .region_code = req.region_code(), .etag = req.etag()};
}

}  // namespace

grpc::Status SubmissionServiceHandler::GetSubmission(grpc::ServerContext* ctx, const v1::GetSubmissionRequest* req,
                                                     v1::GetSubmissionResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return submissions_->answers.Get(req->cycle_id(), req->region_code(), call.principal);
      },
      [&](v1::Submission s) { *resp->mutable_submission() = std::move(s); });
}

grpc::Status SubmissionServiceHandler::ListSubmissions(grpc::ServerContext* ctx, const v1::ListSubmissionsRequest* req,
                                                       v1::ListSubmissionsResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return submissions_->answers.List(
            {.cycle_id = req->cycle_id(), .province_code = req->province_code(), .state = req->state()},
            req->view() == v1::SUBMISSION_VIEW_FULL, req->page_size(), req->page_token(), call.principal);
      },
      [&](SubmissionPage page) {
        for (auto& s : page.submissions) *resp->add_submissions() = std::move(s);
        resp->set_next_page_token(page.next_page_token);
      });
}

grpc::Status SubmissionServiceHandler::SaveAnswers(grpc::ServerContext* ctx, const v1::SaveAnswersRequest* req,
                                                   v1::SaveAnswersResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return submissions_->answers.Save(
            {.request_id = req->request_id(),
             .cycle_id = req->cycle_id(),
             .region_code = req->region_code(),
             .etag = req->etag(),
             .answers = {req->answers().begin(), req->answers().end()},
             .clear_item_ids = {req->clear_item_ids().begin(), req->clear_item_ids().end()}},
            call.principal);
      },
      [&](v1::Submission s) { *resp->mutable_submission() = std::move(s); });
}

grpc::Status SubmissionServiceHandler::SubmitSubmission(grpc::ServerContext* ctx,
                                                        const v1::SubmitSubmissionRequest* req,
                                                        v1::SubmitSubmissionResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) { return submissions_->review.Submit(Command(*req), call.principal); },
      [&](v1::Submission s) { *resp->mutable_submission() = std::move(s); });
}

grpc::Status SubmissionServiceHandler::ReturnSubmission(grpc::ServerContext* ctx,
                                                        const v1::ReturnSubmissionRequest* req,
                                                        v1::ReturnSubmissionResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        TransitionCommand cmd = Command(*req);
        cmd.returns.assign(req->items().begin(), req->items().end());
        cmd.deadline = absl::FromUnixMicros(google::protobuf::util::TimeUtil::TimestampToMicroseconds(req->deadline()));
        return submissions_->review.Return(cmd, call.principal);
      },
      [&](v1::Submission s) { *resp->mutable_submission() = std::move(s); });
}

grpc::Status SubmissionServiceHandler::ExtendReturnDeadline(grpc::ServerContext* ctx,
                                                            const v1::ExtendReturnDeadlineRequest* req,
                                                            v1::ExtendReturnDeadlineResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        TransitionCommand cmd = Command(*req);
        cmd.deadline = absl::FromUnixMicros(google::protobuf::util::TimeUtil::TimestampToMicroseconds(req->deadline()));
        cmd.reason = req->reason();
        return submissions_->review.ExtendReturn(cmd, call.principal);
      },
      [&](v1::Submission s) { *resp->mutable_submission() = std::move(s); });
}

grpc::Status SubmissionServiceHandler::MarkReturnNotCompleted(grpc::ServerContext* ctx,
                                                              const v1::MarkReturnNotCompletedRequest* req,
                                                              v1::MarkReturnNotCompletedResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        TransitionCommand cmd = Command(*req);
        cmd.reason = req->reason();
        return submissions_->review.MarkNotCompleted(cmd, call.principal);
      },
      [&](v1::Submission s) { *resp->mutable_submission() = std::move(s); });
}

grpc::Status SubmissionServiceHandler::VerifySubmission(grpc::ServerContext* ctx,
                                                        const v1::VerifySubmissionRequest* req,
                                                        v1::VerifySubmissionResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        TransitionCommand cmd = Command(*req);
        cmd.adjustments.assign(req->adjustments().begin(), req->adjustments().end());
        return submissions_->review.Verify(cmd, call.principal);
      },
      [&](VerifyOutcome out) {
        *resp->mutable_submission() = std::move(out.submission);
        *resp->mutable_completed() = std::move(out.completed);
      });
}

grpc::Status SubmissionServiceHandler::ImportAnswers(grpc::ServerContext* ctx, const v1::ImportAnswersRequest* req,
                                                     v1::ImportAnswersResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return submissions_->bulk.Import({.request_id = req->request_id(),
                                          .cycle_id = req->cycle_id(),
                                          .region_code = req->region_code(),
                                          .etag = req->etag(),
                                          .csv = req->csv()},
                                         call.principal);
      },
      [&](ImportOutcome out) {
        *resp->mutable_submission() = std::move(out.submission);
        resp->set_imported(out.imported);
      });
}

grpc::Status SubmissionServiceHandler::ExportSubmissions(grpc::ServerContext* ctx,
                                                         const v1::ExportSubmissionsRequest* req,
                                                         grpc::ServerWriter<v1::ExportSubmissionsResponse>* writer) {
  return rpc::ServeStream(ctx, policy_, *req, [&](const rpc::CallContext& call, rpc::StreamLease& lease) {
    const ExportQuery query{.cycle_id = req->cycle_id(),
                            .province_code = req->province_code(),
                            .format = req->format(),
                            .start_after_region_code = req->start_after_region_code()};
    return submissions_->bulk.Export(query, call.principal, [&](std::string lines, const std::string& last, int count) {
      if (ctx->IsCancelled()) return false;
      v1::ExportSubmissionsResponse msg;
      msg.set_data(std::move(lines));
      msg.set_last_region_code(last);
      msg.set_submissions(count);
      if (!writer->Write(msg)) return false;
      lease.Touch();
      return true;
    });
  });
}

grpc::Status SubmissionServiceHandler::FileObjection(grpc::ServerContext* ctx, const v1::FileObjectionRequest* req,
                                                     v1::FileObjectionResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return submissions_->objections.File(
            {.request_id = req->request_id(),
             .cycle_id = req->cycle_id(),
             .region_code = req->region_code(),
             .etag = req->etag(),
             .indicator = req->indicator(),
             .reason = req->reason(),
             .evidence_ids = std::vector<std::string>(req->evidence_ids().begin(), req->evidence_ids().end())},
            call.principal);
      },
      [&](ObjectionOutcome out) {
        *resp->mutable_submission() = std::move(out.submission);
        *resp->mutable_objection() = std::move(out.objection);
      });
}

grpc::Status SubmissionServiceHandler::ResolveObjection(grpc::ServerContext* ctx,
                                                        const v1::ResolveObjectionRequest* req,
                                                        v1::ResolveObjectionResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return submissions_->objections.Resolve(
            {.request_id = req->request_id(),
             .cycle_id = req->cycle_id(),
             .region_code = req->region_code(),
             .etag = req->etag(),
             .objection_id = req->objection_id(),
             .decision = req->decision(),
             .reason = req->reason(),
             .adjustments = std::vector<v1::Adjustment>(req->adjustments().begin(), req->adjustments().end())},
            call.principal);
      },
      [&](ObjectionOutcome out) {
        *resp->mutable_submission() = std::move(out.submission);
        *resp->mutable_objection() = std::move(out.objection);
      });
}

grpc::Status SubmissionServiceHandler::GetStageAnswers(grpc::ServerContext* ctx, const v1::GetStageAnswersRequest* req,
                                                       v1::GetStageAnswersResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) {
        return submissions_->answers.StageAnswersOf(req->cycle_id(), req->region_code(), req->stage());
      },
      [&](v1::StageAnswers a) { *resp->mutable_answers() = std::move(a); });
}

grpc::Status SubmissionServiceHandler::ListAuditEntries(grpc::ServerContext* ctx,
                                                        const v1::ListAuditEntriesRequest* req,
                                                        v1::ListAuditEntriesResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) {
        return submissions_->answers.Audit(req->cycle_id(), req->region_code(), req->item_id(), req->page_size(),
                                           req->page_token());
      },
      [&](AuditPage page) {
        for (auto& e : page.entries) *resp->add_entries() = std::move(e);
        resp->set_next_page_token(page.next_page_token);
      });
}

namespace {

void Fill(const UploadProgress& p, v1::UploadEvidenceResponse* resp) {
  resp->set_received_bytes(p.received);
  if (p.evidence) *resp->mutable_evidence() = *p.evidence;
  if (p.header) *resp->mutable_header() = *p.header;
  if (p.expire_time != absl::InfiniteFuture()) *resp->mutable_expire_time() = ToProtoTime(p.expire_time);
}

constexpr int64_t kChunk = int64_t{256} * 1024;

// A client stream that ended before its header: cut for being idle (the
// server cancelled it), or a client that sent nothing.
grpc::Status StreamEnded(const grpc::ServerContext& ctx, absl::string_view empty) {
  if (ctx.IsCancelled()) return rpc::StreamIdle("resume the upload");
  return rpc::MapStatus(InvalidField("header", empty));
}

}  // namespace

grpc::Status SubmissionServiceHandler::UploadEvidence(grpc::ServerContext* ctx,
                                                      grpc::ServerReader<v1::UploadEvidenceRequest>* reader,
                                                      v1::UploadEvidenceResponse* resp) {
  // Admitted (and timed) before the first read: a stream that never sends
  // its header is cancelled when idle, and counts against its account.
  const ScopedCallDeadline scoped(rpc::StreamDeadline(*ctx));
  auto lease = rpc::OpenStream(ctx, policy_);
  if (!lease.ok()) return rpc::MapStatus(lease.status());
  const metrics::UploadInFlight in_flight;
  v1::UploadEvidenceRequest first;
  if (!reader->Read(&first)) return StreamEnded(*ctx, "the stream is empty: send the header");
  (*lease)->Touch();
  if (!first.has_header()) return rpc::MapStatus(InvalidField("header", "the first message must be the header"));
  // The header carries the region: the guard admits the call on it.
  auto call = rpc::MakeCallContext(*ctx, policy_, first);
  if (!call.ok()) return rpc::MapStatus(call.status());
  const v1::UploadHeader& header = first.header();
  auto progress = submissions_->evidence.BeginUpload(header, call->principal);
  if (!progress.ok()) return rpc::MapStatus(progress.status());
  v1::UploadEvidenceRequest msg;
  while (!progress->evidence && reader->Read(&msg)) {
    (*lease)->Touch();
    if (!msg.has_chunk()) return rpc::MapStatus(InvalidField("chunk", "after the header, only chunks"));
    if (auto bounded = rpc::CheckFieldLimits(msg); !bounded.ok()) return rpc::MapStatus(bounded);
    progress = submissions_->evidence.AppendChunk(header, msg.chunk(), call->principal);
    if (!progress.ok()) return rpc::MapStatus(progress.status());
  }
  // A stream that ended early keeps what arrived; the response says where
  // to resume (GetUploadStatus when it was cut for being idle).
  if (ctx->IsCancelled()) return StreamEnded(*ctx, "");
  Fill(*progress, resp);
  return grpc::Status::OK;
}

grpc::Status SubmissionServiceHandler::GetUploadStatus(grpc::ServerContext* ctx, const v1::GetUploadStatusRequest* req,
                                                       v1::UploadEvidenceResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) {
        return submissions_->evidence.UploadStatus(req->upload_id(), req->region_code());
      },
      [&](const UploadProgress& p) { Fill(p, resp); });
}

grpc::Status SubmissionServiceHandler::ListEvidence(grpc::ServerContext* ctx, const v1::ListEvidenceRequest* req,
                                                    v1::ListEvidenceResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) -> absl::StatusOr<Page<v1::Evidence>> {
        auto list = submissions_->evidence.List(req->cycle_id(), req->region_code(), req->item_id());
        if (!list.ok()) return list.status();
        // By item, then upload time, as stored.
        return PageOf(*std::move(list), req->page_size(), req->page_token(),
                      absl::StrCat("evidence|", req->cycle_id(), "|", req->region_code(), "|", req->item_id()),
                      [](const v1::Evidence& e) {
                        return absl::StrCat(e.item_id(), "\x01",
                                            absl::StrFormat("%020d", e.upload_time().seconds() * 1000000 +
                                                                         e.upload_time().nanos() / 1000),
                                            "|", e.evidence_id());
                      });
      },
      [&](Page<v1::Evidence> page) {
        for (auto& e : page.items) *resp->add_evidence() = std::move(e);
        resp->set_next_page_token(page.next_page_token);
      });
}

grpc::Status SubmissionServiceHandler::DownloadEvidence(grpc::ServerContext* ctx,
                                                        const v1::DownloadEvidenceRequest* req,
                                                        grpc::ServerWriter<v1::DownloadEvidenceResponse>* writer) {
  return rpc::ServeStream(ctx, policy_, *req, [&](const rpc::CallContext&, rpc::StreamLease& lease) -> absl::Status {
    KLA_ASSIGN_OR_RETURN(v1::Evidence evidence,
                         submissions_->evidence.Get(req->cycle_id(), req->region_code(), req->evidence_id()));
    v1::DownloadEvidenceResponse head;
    *head.mutable_evidence() = evidence;
    if (!writer->Write(head)) return absl::CancelledError();
    for (int64_t offset = 0; offset < evidence.size_bytes();) {
      if (ctx->IsCancelled()) return absl::CancelledError();
      KLA_ASSIGN_OR_RETURN(std::string bytes, submissions_->evidence.Read(evidence, offset, kChunk));
      if (bytes.empty()) return absl::DataLossError(absl::StrCat("evidence ", evidence.evidence_id(), " is truncated"));
      v1::DownloadEvidenceResponse chunk;
      chunk.set_chunk(std::move(bytes));
      offset += static_cast<int64_t>(chunk.chunk().size());
      if (!writer->Write(chunk)) return absl::CancelledError();
      lease.Touch();
    }
    return absl::OkStatus();
  });
}

grpc::Status SubmissionServiceHandler::DetachEvidence(grpc::ServerContext* ctx, const v1::DetachEvidenceRequest* req,
                                                      v1::DetachEvidenceResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return submissions_->evidence.Detach(req->request_id(), req->cycle_id(), req->region_code(), req->evidence_id(),
                                             call.principal);
      },
      [&](v1::Evidence e) { *resp->mutable_evidence() = std::move(e); });
}

}  // namespace kla::submission
