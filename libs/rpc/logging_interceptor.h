#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_interceptor.h>

namespace kla::rpc {

// Logs one line per RPC when its status is sent: method, code, duration in
// milliseconds, and caller (peer address and user agent). A unary request
// that cannot be parsed is answered INVALID_ARGUMENT, not gRPC's INTERNAL.
class LoggingInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;
};

// The canonical name of a gRPC status code, e.g. "NOT_FOUND".
const char* StatusCodeName(grpc::StatusCode code);

}  // namespace kla::rpc
