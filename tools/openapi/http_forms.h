#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

// The parts of the OpenAPI document that are not in the descriptors: the
// HTTP forms of the streaming RPCs (tus, files, Server-Sent Events), the
// OAuth token endpoint, the security schemes and the document's info.

namespace kla::openapi {

using Json = nlohmann::ordered_json;

// Rewrites the request and answer of a streaming RPC's operation into its
// HTTP form; `ref` gives the schema of a message by its full name.
void DescribeStream(const std::string& method, const std::function<Json(const std::string&)>& ref, Json* op);
// tus's HEAD and PATCH on an upload's URL (its GET is GetUploadStatus).
void AddTusRequests(const Json& error_content, Json* paths);
// POST /v1/oauth2/token.
void AddTokenEndpoint(Json* paths);
Json SecuritySchemes();
// For operations open to everyone: a token is optional.
Json OptionalSecurity();
Json Info();

}  // namespace kla::openapi
