#include "libs/rpc/logging_interceptor.h"

#include <chrono>
#include <string>

#include "libs/common/log.h"
#include "libs/metrics/metrics.h"
#include "libs/rpc/error_text.h"
#include "libs/rpc/peer.h"

namespace kla::rpc {
namespace {

using grpc::experimental::InterceptionHookPoints;

class LoggingInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit LoggingInterceptor(grpc::experimental::ServerRpcInfo* info)
      : info_(info), start_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        info_->type() == grpc::experimental::ServerRpcInfo::Type::UNARY && methods->GetRecvMessage() == nullptr) {
      unparsable_ = true;
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) && unparsable_ &&
        methods->GetSendStatus().error_code() == grpc::StatusCode::INTERNAL) {
      // gRPC answers a request it cannot parse (e.g. text that is not UTF-8)
      // with INTERNAL; the fault is the caller's.
      methods->ModifySendStatus(
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                       "the request is not a valid message of this method (text fields must be UTF-8)"));
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      if (auto* md = methods->GetRecvInitialMetadata(); md != nullptr) {
        if (auto it = md->find("user-agent"); it != md->end()) user_agent_.assign(it->second.data(), it->second.size());
        if (auto it = md->find("accept-language"); it != md->end()) {
          language_ = PreferredLanguage(absl::string_view(it->second.data(), it->second.size()));
        }
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) &&
        !methods->GetSendStatus().ok()) {
      // Every error a person may read, in their language (Accept-Language).
      methods->ModifySendStatus(LocalizeStatus(methods->GetSendStatus(), language_));
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
      const std::string peer = info_->server_context() != nullptr ? PeerOf(*info_->server_context()) : "";
      const auto level = status.error_code() == grpc::StatusCode::INTERNAL ||
                                 status.error_code() == grpc::StatusCode::UNKNOWN ||
                                 status.error_code() == grpc::StatusCode::DATA_LOSS
                             ? log::Level::kError
                             : log::Level::kInfo;
      metrics::RecordRpc(info_->method(), StatusCodeName(status.error_code()), ms / 1000);
      log::Write(level, "rpc",
                 {{"method", info_->method()},
                  {"code", StatusCodeName(status.error_code())},
                  {"duration_ms", ms},
                  {"peer", peer},
                  {"user_agent", user_agent_}});
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
  std::chrono::steady_clock::time_point start_;
  std::string user_agent_;
  bool unparsable_ = false;
  std::string language_ = "id";
};

}  // namespace

grpc::experimental::Interceptor* LoggingInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new LoggingInterceptor(info);
}

const char* StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

}  // namespace kla::rpc
