#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.pb.h"

// The OpenAPI 3.1 document of kla's HTTP/JSON API, generated from the
// services' descriptors (their google.api.http rules, messages, bounds) and
// the comments of the .proto sources, so it says exactly what the contract
// says and never drifts from it.

namespace kla::openapi {

struct Sources {
  // The .proto files with their comments (protoc --include_source_info
  // --include_imports).
  const google::protobuf::FileDescriptorSet* files = nullptr;
  // The services to describe, e.g. "kla.registry.v1.RegistryService".
  std::vector<std::string> services;
  // Whether a method ("kla.registry.v1.RegistryService.GetRegion") is open
  // to callers without a token (its access rule admits everyone).
  std::function<bool(const std::string& method)> is_public;
};

// The document as JSON (two-space indent, stable order); INVALID_ARGUMENT
// when a service or one of its RPCs cannot be described.
absl::StatusOr<std::string> Generate(const Sources& sources);

}  // namespace kla::openapi
