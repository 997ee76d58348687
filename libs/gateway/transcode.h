#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "libs/gateway/routes.h"

// HTTP/JSON <-> protobuf for the gateway: the request message an HTTP
// request stands for (path variables, query parameters, JSON body, per the
// proto3 JSON mapping), and the JSON of a response or an error.

namespace kla::gateway {

// The request message of `match`: the body (all of it, or the field the rule
// names) parsed as proto3 JSON, then path variables, then query parameters
// (field paths such as `page_size`, `view`, `update_mask=a,b`; repeated
// fields may repeat). INVALID_ARGUMENT naming what does not fit.
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> BuildRequest(
    const RouteMatch& match, const std::multimap<std::string, std::string>& query, const std::string& body);

// Sets `field_path` (e.g. "task_force.region_code") of `message` from text:
// strings, numbers, bools, enums by name or number, FieldMask, Timestamp.
absl::Status SetField(google::protobuf::Message* message, const std::string& field_path, const std::string& value);

// proto3 JSON of a message (lowerCamelCase names, as every JSON client
// expects; input accepts both spellings).
std::string ToJson(const google::protobuf::Message& message);

// The etag of a response: its own `etag` field, or that of the resource it
// carries (the first message field that has one); empty when none.
std::string EtagOf(const google::protobuf::Message& message);

// The HTTP status of a gRPC status code (google.rpc.Code's mapping).
int HttpStatusOf(int grpc_code);

}  // namespace kla::gateway
