#include "tools/openapi/http_forms.h"

namespace kla::openapi {
namespace {

Json Header(const char* description, Json schema = {{"type", "string"}}) {
  return {{"description", description}, {"schema", std::move(schema)}};
}

Json TusVersion() {
  return {{"name", "Tus-Resumable"},
          {"in", "header"},
          {"required", true},
          {"description", "The tus protocol version."},
          {"schema", {{"type", "string"}, {"const", "1.0.0"}}}};
}

// A text body; `item`, when given, is the schema of the JSON each line or
// event carries.
Json Text(const char* media, const char* description, Json item = nullptr) {
  Json schema = {{"type", "string"}, {"description", description}};
  if (!item.is_null()) {
    schema["contentMediaType"] = "application/json";
    schema["contentSchema"] = std::move(item);
  }
  return {{media, {{"schema", std::move(schema)}}}};
}

void DescribeUpload(Json* op) {
  op->erase("requestBody");
  // The header comes in tus's headers, not in the query.
  Json path_only = Json::array();
  for (const Json& p : (*op)["parameters"]) {
    if (p["in"] == "path") path_only.push_back(p);
  }
  (*op)["parameters"] = std::move(path_only);
  (*op)["parameters"].push_back(TusVersion());
  (*op)["parameters"].push_back({{"name", "Upload-Length"},
                                 {"in", "header"},
                                 {"required", true},
                                 {"description", "The file's size in bytes (at most Tus-Max-Size)."},
                                 {"schema", {{"type", "integer"}, {"minimum", 0}}}});
  (*op)["parameters"].push_back(
      {{"name", "Upload-Metadata"},
       {"in", "header"},
       {"required", true},
       {"description",
        "Comma-separated `key base64(value)` pairs: `filename`, `filetype` (the media type), `item_id`, `sha256` "
        "(of the whole file, lowercase hex) are required; `purpose` (`answer` or `objection`) and `upload_id` (to "
        "make a repeated creation name the same upload) are optional."},
       {"schema", {{"type", "string"}}}});
  (*op)["requestBody"] = {
      {"required", false},
      {"description", "creation-with-upload: the first bytes may come with the creation."},
      {"content", {{"application/offset+octet-stream", {{"schema", {{"type", "string"}, {"format", "binary"}}}}}}}};
  Json& responses = (*op)["responses"];
  responses.erase("200");
  responses["201"] = {{"description", "Created: the upload's URL, where HEAD and PATCH continue it."},
                      {"headers",
                       {{"Location", Header("/v1/regions/{region_code}/uploads/{upload_id}")},
                        {"Upload-Offset", Header("Bytes the server holds.", {{"type", "integer"}})},
                        {"Tus-Resumable", Header("1.0.0")}}}};
  responses["412"] = {{"description", "Tus-Resumable missing or not 1.0.0 (Tus-Version says which is served)."}};
}

void DescribeFile(Json* op, Json content, const char* description) {
  Json& ok = (*op)["responses"]["200"];
  ok["description"] = description;
  ok["content"] = std::move(content);
  ok["headers"] = {{"Content-Disposition", Header("attachment, with the file's name.")}};
}

}  // namespace

void DescribeStream(const std::string& method, const std::function<Json(const std::string&)>& ref, Json* op) {
  if (method == "kla.submission.v1.SubmissionService.UploadEvidence") return DescribeUpload(op);
  if (method == "kla.submission.v1.SubmissionService.DownloadEvidence") {
    DescribeFile(op, {{"*/*", {{"schema", {{"type", "string"}, {"format", "binary"}}}}}},
                 "The file, with its media type and length; its SHA-256 is the ETag.");
    return;
  }
  if (method == "kla.submission.v1.SubmissionService.ExportSubmissions") {
    Json content = Text("text/csv", "EXPORT_FORMAT_CSV: the header line, then one line per answer.");
    content.update(Text("application/x-ndjson", "EXPORT_FORMAT_JSON_LINES: one Submission per line.",
                        ref("kla.submission.v1.Submission")));
    DescribeFile(op, std::move(content), "The export file, chunked, in region code order.");
    return;
  }
  if (method == "kla.notification.v1.NotificationService.Watch") {
    (*op)["parameters"].push_back({{"name", "Last-Event-ID"},
                                   {"in", "header"},
                                   {"description", "Resume after this sequence (EventSource sends it by itself)."},
                                   {"schema", {{"type", "string"}}}});
    Json& ok = (*op)["responses"]["200"];
    ok["description"] = "Server-Sent Events: `id` the notification's sequence, `data` its JSON (a Notification).";
    ok["content"] = Text("text/event-stream", "id: <sequence>\ndata: <Notification as JSON>\n\n per event.",
                         ref("kla.notification.v1.Notification"));
  }
}

void AddTusRequests(const Json& error_content, Json* paths) {
  Json& upload = (*paths)["/v1/regions/{region_code}/uploads/{upload_id}"];
  const Json params = upload["get"]["parameters"];
  Json head_params = params;
  head_params.push_back(TusVersion());
  upload["head"] = {
      {"operationId", "Tus_Head"},
      {"summary", "How much of a tus upload the server holds."},
      {"tags", {"SubmissionService"}},
      {"parameters", head_params},
      {"responses",
       {{"200",
         {{"description", "The upload as the server holds it."},
          {"headers",
           {{"Upload-Offset", Header("Bytes held: send the next PATCH from here.", {{"type", "integer"}})},
            {"Upload-Length", Header("The file's size.", {{"type", "integer"}})},
            {"Upload-Expires", Header("When an unfinished upload is removed (RFC 9110 date).")}}}}},
        {"404", {{"description", "No such upload (or it expired): create it again."}}}}}};
  Json patch_params = head_params;
  patch_params.push_back({{"name", "Upload-Offset"},
                          {"in", "header"},
                          {"required", true},
                          {"description", "Where these bytes start: the Upload-Offset HEAD gave."},
                          {"schema", {{"type", "integer"}, {"minimum", 0}}}});
  patch_params.push_back({{"name", "Upload-Checksum"},
                          {"in", "header"},
                          {"description", "`sha256 <base64 digest>` of this request's bytes (at most 8 MiB then)."},
                          {"schema", {{"type", "string"}}}});
  upload["patch"] = {
      {"operationId", "Tus_Patch"},
      {"summary", "The next bytes of a tus upload."},
      {"description",
       "Streamed to the service as they arrive: a connection that drops keeps what arrived; HEAD says where to "
       "resume. When the last byte arrives the file's SHA-256 is checked and the evidence attached."},
      {"tags", {"SubmissionService"}},
      {"parameters", patch_params},
      {"requestBody",
       {{"required", true},
        {"content", {{"application/offset+octet-stream", {{"schema", {{"type", "string"}, {"format", "binary"}}}}}}}}},
      {"responses",
       {{"204", {{"description", "Taken."}, {"headers", {{"Upload-Offset", Header("Bytes now held.")}}}}},
        {"409", {{"description", "Upload-Offset is not where the server is."}, {"content", error_content}}},
        {"415", {{"description", "Not application/offset+octet-stream."}, {"content", error_content}}},
        {"460", {{"description", "Upload-Checksum does not match: nothing was kept."}, {"content", error_content}}},
        {"default", {{"description", "As UploadEvidence's errors."}, {"content", error_content}}}}}};
}

void AddTokenEndpoint(Json* paths) {
  const Json form = {{"type", "object"},
                     {"required", {"grant_type"}},
                     {"properties",
                      {{"grant_type", {{"type", "string"}, {"const", "client_credentials"}}},
                       {"client_id", {{"type", "string"}, {"description", "The account's name (or by HTTP Basic)."}}},
                       {"client_secret", {{"type", "string"}, {"description", "Its API key (or by HTTP Basic)."}}},
                       {"scope", {{"type", "string"}, {"description", "Not used: the token carries the role."}}}}}};
  const Json error_schema = {
      {"type", "object"},
      {"properties", {{"error", {{"type", "string"}}}, {"error_description", {{"type", "string"}}}}}};
  const Json error = {{"application/json", {{"schema", error_schema}}}};
  const Json token_schema = {{"type", "object"},
                             {"properties",
                              {{"access_token", {{"type", "string"}}},
                               {"token_type", {{"type", "string"}, {"const", "Bearer"}}},
                               {"expires_in", {{"type", "integer"}}}}}};
  (*paths)["/v1/oauth2/token"]["post"] = {
      {"operationId", "OAuth2_Token"},
      {"summary", "A token for an INTEGRATION account (OAuth 2.0 client credentials, RFC 6749 §4.4)."},
      {"tags", {"AccountService"}},
      {"security", Json::array({{{"clientBasic", Json::array()}}, Json::object()})},
      {"requestBody", {{"required", true}, {"content", {{"application/x-www-form-urlencoded", {{"schema", form}}}}}}},
      {"responses",
       {{"200",
         {{"description", "The token, as LoginWithApiKey gives it."},
          {"content", {{"application/json", {{"schema", token_schema}}}}}}},
        {"400",
         {{"description", "invalid_request, unsupported_grant_type or unauthorized_client."}, {"content", error}}},
        {"401", {{"description", "invalid_client: unknown client_id or client_secret."}, {"content", error}}},
        {"429", {{"description", "Too many requests; Retry-After says when to try again."}, {"content", error}}}}}};
}

Json SecuritySchemes() {
  return {{"bearer",
           {{"type", "http"},
            {"scheme", "bearer"},
            {"bearerFormat", "JWT"},
            {"description", "A token from AccountService.Login, LoginWithApiKey or /v1/oauth2/token."}}},
          {"oauth2",
           {{"type", "oauth2"},
            {"flows", {{"clientCredentials", {{"tokenUrl", "/v1/oauth2/token"}, {"scopes", Json::object()}}}}}}},
          {"clientBasic",
           {{"type", "http"},
            {"scheme", "basic"},
            {"description", "The token endpoint's client credentials: account name and API key."}}}};
}

Json OptionalSecurity() {
  return Json::array({Json::object(), {{"bearer", Json::array()}}, {{"oauth2", Json::array()}}});
}

Json Info() {
  return {{"title", "kla: Kabupaten/Kota Layak Anak"},
          {"version", "v1"},
          {"summary", "The national evaluation of child-friendly regencies and cities (KemenPPPA)."},
          {"description",
           "Every RPC of kla's gRPC services, over HTTP/JSON as its google.api.http rule declares (AIP-127), with "
           "the proto3 JSON mapping. The same rules answer both doors: access, bounds, deadlines and errors. "
           "Errors are a google.rpc.Status with the HTTP status of its code; messages follow Accept-Language "
           "(Bahasa Indonesia by default, or English). ETag and If-Match carry etags. Region codes are "
           "Kemendagri's (e.g. 35.72, Kota Blitar). Evidence uploads are tus 1.0, notifications Server-Sent "
           "Events."},
          {"contact", {{"name", "Kementerian Pemberdayaan Perempuan dan Perlindungan Anak"}}}};
}

}  // namespace kla::openapi
