#pragma once

#include "kla/submission/v1/submission_service.grpc.pb.h"
#include "libs/rpc/call_context.h"
#include "services/submission/domain/submissions.h"

namespace kla::submission {

// gRPC handlers of kla.submission.v1.SubmissionService: parse, call the
// domain, map the result.
class SubmissionServiceHandler final : public v1::SubmissionService::Service {
 public:
  SubmissionServiceHandler(SubmissionUseCases* submissions, rpc::CallPolicy policy)
      : submissions_(submissions), policy_(policy) {}

  grpc::Status GetSubmission(grpc::ServerContext* ctx, const v1::GetSubmissionRequest* req,
                             v1::GetSubmissionResponse* resp) override;
  grpc::Status ListSubmissions(grpc::ServerContext* ctx, const v1::ListSubmissionsRequest* req,
                               v1::ListSubmissionsResponse* resp) override;
  grpc::Status SaveAnswers(grpc::ServerContext* ctx, const v1::SaveAnswersRequest* req,
                           v1::SaveAnswersResponse* resp) override;
  grpc::Status SubmitSubmission(grpc::ServerContext* ctx, const v1::SubmitSubmissionRequest* req,
                                v1::SubmitSubmissionResponse* resp) override;
  grpc::Status ReturnSubmission(grpc::ServerContext* ctx, const v1::ReturnSubmissionRequest* req,
                                v1::ReturnSubmissionResponse* resp) override;
  grpc::Status ExtendReturnDeadline(grpc::ServerContext* ctx, const v1::ExtendReturnDeadlineRequest* req,
                                    v1::ExtendReturnDeadlineResponse* resp) override;
  grpc::Status MarkReturnNotCompleted(grpc::ServerContext* ctx, const v1::MarkReturnNotCompletedRequest* req,
                                      v1::MarkReturnNotCompletedResponse* resp) override;
  grpc::Status VerifySubmission(grpc::ServerContext* ctx, const v1::VerifySubmissionRequest* req,
                                v1::VerifySubmissionResponse* resp) override;
  grpc::Status ImportAnswers(grpc::ServerContext* ctx, const v1::ImportAnswersRequest* req,
                             v1::ImportAnswersResponse* resp) override;
  grpc::Status ExportSubmissions(grpc::ServerContext* ctx, const v1::ExportSubmissionsRequest* req,
                                 grpc::ServerWriter<v1::ExportSubmissionsResponse>* writer) override;
  grpc::Status FileObjection(grpc::ServerContext* ctx, const v1::FileObjectionRequest* req,
                             v1::FileObjectionResponse* resp) override;
  grpc::Status ResolveObjection(grpc::ServerContext* ctx, const v1::ResolveObjectionRequest* req,
                                v1::ResolveObjectionResponse* resp) override;
  grpc::Status GetStageAnswers(grpc::ServerContext* ctx, const v1::GetStageAnswersRequest* req,
                               v1::GetStageAnswersResponse* resp) override;
  grpc::Status ListAuditEntries(grpc::ServerContext* ctx, const v1::ListAuditEntriesRequest* req,
                                v1::ListAuditEntriesResponse* resp) override;
  grpc::Status UploadEvidence(grpc::ServerContext* ctx, grpc::ServerReader<v1::UploadEvidenceRequest>* reader,
                              v1::UploadEvidenceResponse* resp) override;
  grpc::Status GetUploadStatus(grpc::ServerContext* ctx, const v1::GetUploadStatusRequest* req,
                               v1::UploadEvidenceResponse* resp) override;
  grpc::Status ListEvidence(grpc::ServerContext* ctx, const v1::ListEvidenceRequest* req,
                            v1::ListEvidenceResponse* resp) override;
  grpc::Status DownloadEvidence(grpc::ServerContext* ctx, const v1::DownloadEvidenceRequest* req,
                                grpc::ServerWriter<v1::DownloadEvidenceResponse>* writer) override;
  grpc::Status DetachEvidence(grpc::ServerContext* ctx, const v1::DetachEvidenceRequest* req,
                              v1::DetachEvidenceResponse* resp) override;

 private:
  SubmissionUseCases* submissions_;
  rpc::CallPolicy policy_;
};

}  // namespace kla::submission
