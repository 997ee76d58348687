#pragma once

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/status/status.h"

namespace kla::rpc {

// The one place that turns a domain status into a gRPC status. Codes carry
// over unchanged (absl and gRPC share them). Details travel as a serialized
// google.rpc.Status in the grpc-status-details-bin trailer:
// google.rpc.BadRequest for field violations, google.rpc.ResourceInfo for
// NOT_FOUND, google.rpc.RetryInfo when to try again, and on every error a
// google.rpc.ErrorInfo (domain kErrorDomain) with the stable reason
// programs switch on (kla::WithReason, else one derived from the code and
// details; docs/errors.md). INTERNAL and UNKNOWN errors never leak their
// text: the client gets "internal error" and a reference that is also
// logged with the cause. The caller's localized message is added on the way
// out (LocalizeStatus, in the server's interceptor).
grpc::Status ToGrpcStatus(const absl::Status& status);

// The ErrorInfo.reason of an error that names none and has no details.
std::string ReasonOfCode(absl::StatusCode code);

// The ErrorInfo.domain of kla's errors.
inline constexpr char kErrorDomain[] = "kla.kemenpppa.go.id";

// The reverse, for clients: code, message, field and precondition
// violations and the ErrorInfo reason (as status payloads, readable with
// kla::GetFieldViolations, kla::GetReason).
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace kla::rpc
