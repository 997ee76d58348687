// kla_openapi <descriptor set> <openapi.json> <openapi_document.cc>: writes
// the OpenAPI document of the services kla-server serves over HTTP, and the
// same document as C++ for kla-server to serve at /openapi.json.
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "services/server/http_services.h"
#include "tools/openapi/openapi.h"

namespace {

// `text` as C++ string literals, in pieces a compiler takes happily.
std::string AsCpp(const std::string& text) {
  std::string out = "#include \"services/server/openapi_document.h\"\n\nnamespace kla::server {\n\n";
  out += "const std::string_view kOpenApiDocument =\n";
  for (size_t at = 0; at < text.size(); at += 2000) {
    out += "    R\"kla_openapi(" + text.substr(at, 2000) + ")kla_openapi\"\n";
  }
  return out + "    \"\";\n\n}  // namespace kla::server\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: kla_openapi <descriptor set> <openapi.json> <openapi_document.cc>\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  google::protobuf::FileDescriptorSet files;
  if (!files.ParseFromIstream(&in)) {
    std::cerr << "kla_openapi: " << argv[1] << " is not a descriptor set\n";
    return 1;
  }
  auto doc = kla::openapi::Generate(
      {.files = &files, .services = kla::server::HttpServices(), .is_public = kla::server::IsPublicMethod});
  if (!doc.ok()) {
    std::cerr << "kla_openapi: " << doc.status() << "\n";
    return 1;
  }
  std::ofstream(argv[2], std::ios::binary) << *doc;
  std::ofstream(argv[3], std::ios::binary) << AsCpp(*doc);
  return 0;
}
