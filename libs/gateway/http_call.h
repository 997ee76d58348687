#pragma once

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace httplib {
struct Request;
struct Response;
class ContentReader;
}  // namespace httplib

// What every HTTP route of the gateway shares: how an HTTP request becomes
// the in-process gRPC call's context, and how answers and errors are written.

namespace kla::gateway {

// JSON is UTF-8 by definition (RFC 8259) and takes no charset parameter;
// httplib compresses (gzip, brotli) only this exact type.
inline constexpr char kJsonType[] = "application/json";

// Copies to the call what the services read from a gRPC client: the bearer
// token, the preferred language, and the HTTP client's address (so sign-in
// limits per address and the logs name it, not the gateway).
void ForwardCall(const httplib::Request& req, grpc::ClientContext* ctx);

// Writes `status` as the JSON google.rpc.Status an HTTP client gets, with
// the HTTP status of its code (and Retry-After when it carries RetryInfo).
void WriteError(const grpc::Status& status, httplib::Response& res);
void WriteError(grpc::StatusCode code, absl::string_view message, httplib::Response& res);

// Writes `message` as proto3 JSON with status 200.
void WriteJson(const google::protobuf::Message& message, httplib::Response& res);

// Reads a request body of at most `limit` bytes into `body`; false (and 413
// written) when it is longer, or false when the client stopped sending.
bool ReadBody(const httplib::ContentReader& reader, size_t limit, std::string* body, httplib::Response& res);

}  // namespace kla::gateway
