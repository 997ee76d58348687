#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace kla::rpc {

// The bounds a request's contract declares on its fields
// ((kla.type.v1.limits), proto/kla/type/v1/limits.proto), checked before the
// service reads it. INVALID_ARGUMENT naming every field over its bound
// ("answers[3].text": "at most 4000 characters"); OK otherwise. A field
// without a declared bound is not limited here (the contract test makes sure
// there is none).
absl::Status CheckFieldLimits(const google::protobuf::Message& message);

// The string, bytes, repeated and map fields reachable from `type` that
// declare no bound, as "kla.registry.v1.Account.display_name". For the test
// that keeps every request bounded.
std::vector<std::string> UnboundedFields(const google::protobuf::Descriptor* type);

}  // namespace kla::rpc
