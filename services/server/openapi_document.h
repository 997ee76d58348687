#pragma once

#include <string_view>

namespace kla::server {

// The OpenAPI 3.1 document of the HTTP/JSON API, generated at build time
// from the .proto sources (tools/openapi; committed as docs/openapi.json).
extern const std::string_view kOpenApiDocument;

}  // namespace kla::server
