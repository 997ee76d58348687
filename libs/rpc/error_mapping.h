#pragma once

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"

namespace kla::rpc {

// The one place that turns a domain status into a gRPC status. Codes carry
// over unchanged (absl and gRPC share them). Details travel as a serialized
// google.rpc.Status in the grpc-status-details-bin trailer:
// google.rpc.BadRequest for field violations, google.rpc.ResourceInfo for
// NOT_FOUND. INTERNAL and UNKNOWN errors never leak their text: the client
// gets "internal error" and a reference that is also logged with the cause.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The reverse, for clients: code, message and field violations (as status
// payloads, readable with kla::GetFieldViolations).
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace kla::rpc
