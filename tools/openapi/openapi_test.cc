// The OpenAPI document as generated from the contract: every RPC is an
// operation at its route, every reference resolves, and what the .proto
// comments say is there.
#include "tools/openapi/openapi.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "services/server/http_services.h"

namespace kla::openapi {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

class OpenApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::ifstream in(KLA_API_DESCRIPTORS, std::ios::binary);
    google::protobuf::FileDescriptorSet files;
    ASSERT_TRUE(files.ParseFromIstream(&in));
    auto text = Generate({.files = &files, .services = server::HttpServices(), .is_public = server::IsPublicMethod});
    ASSERT_TRUE(text.ok()) << text.status();
    doc_ = new Json(Json::parse(*text));
  }
  static void TearDownTestSuite() { delete doc_; }
  static inline Json* doc_;
};

// Every "$ref" under `node`.
void CollectRefs(const Json& node, std::vector<std::string>* out) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it.key() == "$ref" && it->is_string()) out->push_back(*it);
      CollectRefs(*it, out);
    }
  } else if (node.is_array()) {
    for (const auto& v : node) CollectRefs(v, out);
  }
}

TEST_F(OpenApiTest, EveryRpcIsAnOperationOnce) {
  int operations = 0;
  std::set<std::string> ids;
  for (const auto& [path, item] : (*doc_)["paths"].items()) {
    for (const auto& [verb, op] : item.items()) {
      ++operations;
      EXPECT_TRUE(ids.insert(op["operationId"]).second) << op["operationId"];
      EXPECT_FALSE(op["summary"].get<std::string>().empty()) << path << " " << verb;
    }
  }
  int rpcs = 0;
  for (const std::string& name : server::HttpServices()) {
    rpcs += google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name)->method_count();
  }
  EXPECT_EQ(operations, rpcs + 3);  // and tus's HEAD and PATCH, the token endpoint
  EXPECT_TRUE((*doc_)["paths"]["/v1/cycles/{cycle_id}/submissions/{region_code}:submit"].contains("post"));
}

TEST_F(OpenApiTest, EveryReferenceResolves) {
  std::vector<std::string> refs;
  CollectRefs(*doc_, &refs);
  EXPECT_GT(refs.size(), 200u);
  for (const std::string& ref : refs) {
    ASSERT_THAT(ref, ::testing::StartsWith("#/components/schemas/"));
    EXPECT_TRUE((*doc_)["components"]["schemas"].contains(ref.substr(21))) << ref;
  }
}

TEST_F(OpenApiTest, TheProtoCommentsBoundsAndErrorsAreThere) {
  const Json& get = (*doc_)["paths"]["/v1/regions/{code}"]["get"];
  EXPECT_EQ(get["summary"], "Returns one province or kabupaten/kota by its code.");
  EXPECT_EQ(get["parameters"][0]["name"], "code");
  EXPECT_THAT(get["parameters"][0]["description"].get<std::string>(), HasSubstr("Kemendagri code"));
  EXPECT_EQ(get["parameters"][0]["schema"]["maxLength"], 16);
  EXPECT_THAT(get["responses"]["404"]["description"].get<std::string>(), HasSubstr("NOT_FOUND: no region"));
  EXPECT_THAT(get["responses"]["400"]["description"].get<std::string>(), HasSubstr("INVALID_ARGUMENT"));
  // Open to everyone: a token is optional.
  EXPECT_EQ(get["security"][0], Json::object());
  const Json& accounts = (*doc_)["paths"]["/v1/accounts"]["get"];
  EXPECT_FALSE(accounts.contains("security"));  // the document's default: a token
  // Enums by name, with what each value means; 64-bit integers as strings.
  const Json& schemas = (*doc_)["components"]["schemas"];
  EXPECT_THAT(schemas["kla.registry.v1.Role"]["enum"], ::testing::Contains("ROLE_INTEGRATION"));
  EXPECT_EQ(schemas["kla.notification.v1.Notification"]["properties"]["sequence"]["type"], "string");
  EXPECT_EQ(schemas["kla.registry.v1.Account"]["properties"]["createTime"]["readOnly"], true);
}

TEST_F(OpenApiTest, StreamsHaveTheirHttpForms) {
  const Json& paths = (*doc_)["paths"];
  EXPECT_TRUE(
      paths["/v1/cycles/{header.cycle_id}/submissions/{header.region_code}/uploads"]["post"]["responses"].contains(
          "201"));
  EXPECT_TRUE(paths["/v1/regions/{region_code}/uploads/{upload_id}"].contains("patch"));
  EXPECT_TRUE(paths["/v1/notifications:watch"]["get"]["responses"]["200"]["content"].contains("text/event-stream"));
  EXPECT_TRUE(
      paths["/v1/cycles/{cycle_id}/submissions:export"]["get"]["responses"]["200"]["content"].contains("text/csv"));
  EXPECT_TRUE(paths["/v1/oauth2/token"].contains("post"));
  EXPECT_EQ((*doc_)["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["tokenUrl"],
            "/v1/oauth2/token");
}

}  // namespace
}  // namespace kla::openapi
