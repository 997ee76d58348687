// The authorization matrix: every RPC of every kla service, called as every
// role, inside and outside the role's region, through the real server and
// guard. The outcome table must equal docs/access-matrix.md (the reviewed,
// declared expectation); a new RPC without a rule stops the server from
// starting, and a changed rule shows up as a diff of that file.
//
// Regenerate after a deliberate change:
//   KLA_UPDATE_GOLDEN=1 ctest --test-dir build -R AccessMatrix

#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <future>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/gateway/routes.h"
#include "libs/gateway/transcode.h"
#include "libs/rpc/logging_interceptor.h"
#include "libs/testing/auth.h"
#include "libs/testing/process.h"
#include "services/server/testing/in_process_suite.h"

namespace kla {
namespace {

using auth::Role;
using google::protobuf::Message;
using google::protobuf::MethodDescriptor;
using rpc::StatusCodeName;

enum class Outcome { kAllowed, kDenied, kUnauthenticated };

// One caller of the matrix: a role with its home region, and the region in
// and out of its reach used for scoped RPCs.
struct Caller {
  std::string label;
  auth::Principal principal;  // role kPublic: no token
  std::string in_region;
  std::string out_region;
};

std::vector<Caller> Callers() {
  using testing::TestTokens;
  return {
      {"PUBLIC", auth::Principal::Anonymous(), "35.72", "35.05"},
      {"NATIONAL_ADMIN", TestTokens::Of(Role::kNationalAdmin, "admin"), "35.72", "61.71"},
      {"PROVINCE_VERIFIER 35", TestTokens::ProvinceVerifier("35"), "35.72", "61.71"},
      {"REGION_OPERATOR 35.72", TestTokens::Operator("35.72"), "35.72", "35.05"},
      {"OPD_CONTRIBUTOR 35.72", TestTokens::Contributor("35.72", "Dinas Kesehatan"), "35.72", "35.05"},
      {"CENTRAL_REVIEWER", TestTokens::Of(Role::kCentralReviewer, "reviewer"), "35.72", "61.71"},
      {"FIELD_VERIFIER 32→35.72", TestTokens::FieldVerifier("32", {"35.72"}), "35.72", "35.05"},
      {"INTEGRATION", TestTokens::Of(Role::kIntegration, "bps"), "35.72", "61.71"},
      {"SERVICE", TestTokens::Of(Role::kService, "svc.scoring"), "35.72", "61.71"},
  };
}

class AccessMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto suite = testing::InProcessSuite::Start({.official_regions = false, .http = true});
    ASSERT_TRUE(suite.ok()) << suite.status();
    suite_ = *std::move(suite);
    tokens_ = std::make_unique<testing::TestTokens>(&suite_->suite().verifier());
    channel_ = suite_->channel();
  }

  // Calls `method` with a default request whose scope field (if any) is
  // `scope`, as `who`.
  Outcome Call(const MethodDescriptor* method, const std::string& scope_field, const std::string& scope,
               const auth::Principal& who) {
    const grpc::Status s = CallStatus(method, scope_field, scope, who);
    if (s.error_code() == grpc::StatusCode::UNAUTHENTICATED) return Outcome::kUnauthenticated;
    if (s.error_code() == grpc::StatusCode::PERMISSION_DENIED) return Outcome::kDenied;
    EXPECT_NE(s.error_code(), grpc::StatusCode::UNIMPLEMENTED) << method->full_name();
    return Outcome::kAllowed;
  }

  grpc::Status CallStatus(const MethodDescriptor* method, const std::string& scope_field, const std::string& scope,
                          const auth::Principal& who) {
    std::unique_ptr<Message> request(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(method->input_type())->New());
    if (!scope_field.empty()) SetPath(request.get(), scope_field, scope);
    grpc::ByteBuffer in;
    bool own = false;
    const grpc::Status serialized = grpc::GenericSerialize<grpc::ProtoBufferWriter, Message>(*request, &in, &own);
    EXPECT_TRUE(serialized.ok());
    grpc::ByteBuffer out;
    grpc::ClientContext ctx;
    // A stream that was let in (Watch) runs until its deadline: a refusal
    // comes at once, so a short one tells them apart.
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(method->server_streaming() ? 2 : 20));
    if (!who.anonymous()) ctx.AddMetadata("authorization", "Bearer " + tokens_->For(who));
    grpc::GenericStub stub(channel_);
    std::promise<grpc::Status> done;
    stub.UnaryCall(&ctx, absl::StrCat("/", method->service()->full_name(), "/", method->name()), grpc::StubOptions(),
                   &in, &out, [&](grpc::Status s) { done.set_value(std::move(s)); });
    return done.get_future().get();
  }

  static void SetPath(Message* msg, const std::string& path, const std::string& value) {
    std::vector<std::string> parts = absl::StrSplit(path, '.');
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      const auto* f = msg->GetDescriptor()->FindFieldByName(parts[i]);
      msg = msg->GetReflection()->MutableMessage(msg, f);
    }
    msg->GetReflection()->SetString(msg, msg->GetDescriptor()->FindFieldByName(parts.back()), value);
  }

  std::unique_ptr<testing::InProcessSuite> suite_;
  std::unique_ptr<testing::TestTokens> tokens_;
  std::shared_ptr<grpc::Channel> channel_;
};

const char* Mark(Outcome o) {
  switch (o) {
    case Outcome::kAllowed:
      return "✓";
    case Outcome::kDenied:
      return "✗";
    case Outcome::kUnauthenticated:
      return "🔒";
  }
  return "?";
}

TEST_F(AccessMatrixTest, EveryRpcAsEveryRoleMatchesTheDeclaredMatrix) {
  const auto callers = Callers();
  std::set<std::string> anonymous_allowed;
  std::vector<std::string> out_of_scope_leaks;
  std::string table = "| RPC | scope field |";
  std::string rule_line = "|---|---|";
  for (const auto& c : callers) {
    absl::StrAppend(&table, " ", c.label, " |");
    rule_line += "---|";
  }
  table += "\n" + rule_line + "\n";

  int methods = 0;
  for (const std::string& service_name : suite_->suite().served_services()) {
    const auto* service = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service_name);
    ASSERT_NE(service, nullptr) << service_name;
    for (int i = 0; i < service->method_count(); ++i) {
      const MethodDescriptor* method = service->method(i);
      const auth::AccessRule* rule = suite_->suite().access().RuleForMethod(method->full_name());
      ASSERT_NE(rule, nullptr) << method->full_name() << " has no access rule";
      ++methods;
      const bool province_field = absl::EndsWith(rule->scope_field, "province_code");
      absl::StrAppend(&table, "| ", service->name(), ".", method->name(), " | ",
                      rule->scope_field.empty() ? "–" : rule->scope_field, " |");
      for (const auto& c : callers) {
        std::string in = c.in_region, out = c.out_region;
        if (province_field) {
          in = ProvinceOf(in);
          out = ProvinceOf(out);
        }
        const Outcome inside = Call(method, rule->scope_field, in, c.principal);
        std::string cell = Mark(inside);
        if (!rule->scope_field.empty()) {
          const Outcome outside = Call(method, rule->scope_field, out, c.principal);
          if (outside != inside) cell = absl::StrCat(Mark(inside), " / ", Mark(outside));
          if (outside == Outcome::kAllowed && !auth::IsNational(c.principal.role) && !c.principal.anonymous() &&
              in != out) {
            out_of_scope_leaks.push_back(absl::StrCat(method->full_name(), " as ", c.label, " on ", out));
          }
        }
        if (c.principal.anonymous() && inside == Outcome::kAllowed) anonymous_allowed.insert(method->name());
        absl::StrAppend(&table, " ", cell, " |");
      }
      table += "\n";
    }
  }
  EXPECT_GE(methods, 43);

  // Invariants that hold whatever the table says.
  EXPECT_THAT(out_of_scope_leaks, ::testing::IsEmpty()) << "regional roles reached outside their region";
  // The scoring reads pass the guard for everyone; the scoring domain shows
  // the public only announced final results (services/scoring tests), and
  // the notification domain only released announcements.
  EXPECT_THAT(anonymous_allowed,
              ::testing::UnorderedElementsAre("GetRegion", "ListRegions", "SearchRegions", "Login", "LoginWithApiKey",
                                              "ListSigningKeys", "GetCycle", "ListCycles", "GetScore", "GetRanking",
                                              "GetRegionRank", "GetPredicateSummary", "GetProvila", "GetScoreHistory",
                                              "ListPublications", "ListPredicateChanges", "ListAnnouncements"));

  const std::string header =
      "# Access matrix\n\n"
      "Generated by `tests/access_matrix_test.cc` from real calls through the server's guard: every RPC of every\n"
      "kla service, as every role. The test fails when the outcome differs from this file, so every change of an\n"
      "access rule is reviewed here. Rules are declared in `services/*/handlers/access_rules.cc` (and\n"
      "`EventInboxAccessRules` in `libs/outbox`).\n\n"
      "✓ allowed (the handler ran) · ✗ PERMISSION_DENIED · 🔒 UNAUTHENTICATED (sign in first).\n"
      "For RPCs with a scope field, \"a / b\" gives the outcome inside / outside the caller's region when they\n"
      "differ: the operator and OPD contributor of 35.72 (Kota Blitar) against 35.05 (Kabupaten Blitar); the\n"
      "verifier of province 35 (Jawa Timur) against 61.71; a field verifier from province 32 assigned to 35.72\n"
      "against 35.05. National roles are asked about 35.72 and 61.71.\n\n";
  const std::string generated = header + table;
  const std::string golden_path = std::string(KLA_SOURCE_DIR) + "/docs/access-matrix.md";
  if (const char* update = std::getenv("KLA_UPDATE_GOLDEN"); update != nullptr && std::string(update) == "1") {
    std::ofstream(golden_path) << generated;
  }
  // Report only the rows that differ, not two whole tables.
  const std::vector<std::string> want = absl::StrSplit(testing::ReadFile(golden_path), '\n');
  const std::vector<std::string> got = absl::StrSplit(generated, '\n');
  std::vector<std::string> differences;
  const std::set<std::string> want_set(want.begin(), want.end()), got_set(got.begin(), got.end());
  for (const auto& line : got) {
    if (!want_set.contains(line)) differences.push_back("now:      " + line);
  }
  for (const auto& line : want) {
    if (!got_set.contains(line)) differences.push_back("declared: " + line);
  }
  EXPECT_THAT(differences, ::testing::IsEmpty())
      << "the access matrix changed: review the rows above, then regenerate with KLA_UPDATE_GOLDEN=1";
}

// The codes each RPC's "Errors:" section lists, from the .proto sources:
// "- FAILED_PRECONDITION: ..." lines in the comment above "rpc Name(".
std::map<std::string, std::set<std::string>> DocumentedCodes() {
  std::map<std::string, std::set<std::string>> out;
  for (const char* file : {"kla/registry/v1/registry_service.proto", "kla/registry/v1/account.proto",
                           "kla/submission/v1/submission_service.proto", "kla/scoring/v1/scoring_service.proto",
                           "kla/notification/v1/notification_service.proto", "kla/event/v1/event.proto"}) {
    std::set<std::string> pending;
    for (absl::string_view line :
         absl::StrSplit(testing::ReadFile(absl::StrCat(KLA_SOURCE_DIR, "/proto/", file)), '\n')) {
      line = absl::StripAsciiWhitespace(line);
      if (absl::ConsumePrefix(&line, "// - ")) {
        const size_t colon = line.find(':');
        for (absl::string_view code :
             absl::StrSplit(line.substr(0, colon), absl::ByAnyChar(", /"), absl::SkipEmpty())) {
          if (absl::AsciiStrToUpper(code) == code) pending.insert(std::string(code));
        }
      } else if (absl::ConsumePrefix(&line, "rpc ")) {
        out[std::string(line.substr(0, line.find('(')))] = pending;
        pending.clear();
      } else if (!absl::StartsWith(line, "//")) {
        pending.clear();
      }
    }
  }
  return out;
}

TEST_F(AccessMatrixTest, EveryRefusalOfAnEmptyRequestIsDocumentedInItsErrorsSection) {
  const auto documented = DocumentedCodes();
  // What any RPC may answer, stated once in each service's comment.
  const std::set<std::string> everywhere = {"UNAUTHENTICATED", "PERMISSION_DENIED", "DEADLINE_EXCEEDED", "UNAVAILABLE",
                                            "INTERNAL"};
  std::vector<std::string> undocumented;
  for (const std::string& service_name : suite_->suite().served_services()) {
    const auto* service = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service_name);
    for (int i = 0; i < service->method_count(); ++i) {
      const MethodDescriptor* method = service->method(i);
      auto it = documented.find(method->name());
      ASSERT_NE(it, documented.end()) << method->full_name() << " not found in the .proto sources";
      const auth::AccessRule* rule = suite_->suite().access().RuleForMethod(method->full_name());
      // As the ministry with nothing filled in, and as Kota Blitar's
      // operator on its own region.
      for (const auto& [who, scope] : std::vector<std::pair<auth::Principal, std::string>>{
               {testing::TestTokens::Of(Role::kNationalAdmin, "admin"), ""},
               {testing::TestTokens::Operator("35.72"), "35.72"}}) {
        std::string value = scope;
        if (absl::EndsWith(rule->scope_field, "province_code")) value = ProvinceOf(scope);
        const grpc::Status s = CallStatus(method, scope.empty() ? "" : rule->scope_field, value, who);
        if (s.ok()) continue;
        const std::string code = StatusCodeName(s.error_code());
        if (!everywhere.contains(code) && !it->second.contains(code)) {
          undocumented.push_back(absl::StrCat(method->full_name(), " answered ", code, " (\"", s.error_message(),
                                              "\"), not in its Errors: section"));
        }
      }
    }
  }
  EXPECT_THAT(undocumented, ::testing::IsEmpty());
}

int UnaryStatus(httplib::Client& client, const std::string& verb, const std::string& path,
                const httplib::Headers& headers, const std::string& body, const std::string& method) {
  httplib::Result res = verb == "GET"      ? client.Get(path, headers)
                        : verb == "DELETE" ? client.Delete(path, headers)
                        : verb == "PATCH"  ? client.Patch(path, headers, body, "application/json")
                                           : client.Post(path, headers, body, "application/json");
  EXPECT_TRUE(res) << method;
  if (!res) return 0;
  EXPECT_THAT(res->body, ::testing::Not(::testing::HasSubstr("no API path"))) << method << " " << path;
  return res->status;
}

// A server stream's HTTP form (a download, an export, Server-Sent Events):
// the status it starts with, then the test hangs up.
int StreamStatus(httplib::Client& client, const std::string& path, const httplib::Headers& headers) {
  int status = 0;
  client.Get(
      path, headers,
      [&](const httplib::Response& r) {
        status = r.status;
        return r.status != 200;  // a refusal's body is short; a stream's is not waited for
      },
      [](const char*, size_t) { return true; });
  EXPECT_NE(status, 0) << path;
  return status;
}

// UploadEvidence over HTTP: a tus creation (the guard decides on the
// region in its path before the file is looked at).
int TusCreationStatus(httplib::Client& client, const std::string& path, httplib::Headers headers) {
  headers.emplace("Tus-Resumable", "1.0.0");
  headers.emplace("Upload-Length", "10");
  headers.emplace("Upload-Metadata", "filename eC5wZGY=,filetype YXBwbGljYXRpb24vcGRm,item_id MS4x,sha256 eA==");
  httplib::Result res = client.Post(path, headers, "", "text/plain");
  EXPECT_TRUE(res) << path;
  return res ? res->status : 0;
}

// The same request over HTTP/JSON, as its google.api.http rule maps it:
// path variables from the message (a placeholder where the message leaves
// one empty), the body rule's part as JSON, the scope field in the query of
// a method without a body.
Outcome CallHttp(int port, const MethodDescriptor* method, const std::string& scope_field, const std::string& scope,
                 const std::string& token) {
  auto route = gateway::ParseRoute(method);
  EXPECT_TRUE(route.ok()) << route.status();
  std::unique_ptr<Message> request(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(method->input_type())->New());
  if (!scope_field.empty()) {
    EXPECT_TRUE(gateway::SetField(request.get(), scope_field, scope).ok());
  }
  std::string path;
  bool scope_in_path = false;
  for (const auto& seg : route->segments) {
    std::string value = seg.literal;
    if (!seg.field.empty()) {
      value = seg.field == scope_field ? scope : (seg.field == "stage" ? "STAGE_SELF_EVALUATION" : "x1");
      scope_in_path |= seg.field == scope_field;
    }
    absl::StrAppend(&path, "/", value);
  }
  if (!route->verb.empty()) absl::StrAppend(&path, ":", route->verb);
  std::string body;
  if (route->body == "*") {
    body = gateway::ToJson(*request);
  } else if (!route->body.empty()) {
    const auto* f = request->GetDescriptor()->FindFieldByName(route->body);
    body = gateway::ToJson(request->GetReflection()->GetMessage(*request, f));
  } else if (!scope_field.empty() && !scope_in_path) {
    absl::StrAppend(&path, "?", scope_field, "=", scope);
  }
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(20, 0);
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  const int status = method->server_streaming() ? StreamStatus(client, path, headers)
                     : method->client_streaming()
                         ? TusCreationStatus(client, path, headers)
                         : UnaryStatus(client, route->http_method, path, headers, body, method->full_name());
  if (status == 401) return Outcome::kUnauthenticated;
  if (status == 403) return Outcome::kDenied;
  return Outcome::kAllowed;
}

// HTTP is the same door: every RPC, as every role, in and out of its scope,
// is let in or refused over HTTP/JSON (streams in their HTTP forms: tus,
// downloads, Server-Sent Events) exactly as over gRPC (the gateway calls the
// same server; this shows it stays so).
TEST_F(AccessMatrixTest, OverHttpEveryRpcAsEveryRoleIsDecidedAsOverGrpc) {
  std::vector<std::string> differences;
  int calls = 0;
  for (const std::string& service_name : suite_->suite().served_services()) {
    if (service_name == "kla.event.v1.EventInbox") continue;  // not served over HTTP
    const auto* service = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service_name);
    for (int i = 0; i < service->method_count(); ++i) {
      const MethodDescriptor* method = service->method(i);
      const auth::AccessRule* rule = suite_->suite().access().RuleForMethod(method->full_name());
      const bool province_field = absl::EndsWith(rule->scope_field, "province_code");
      for (const auto& c : Callers()) {
        for (std::string region : {c.in_region, c.out_region}) {
          if (province_field) region = ProvinceOf(region);
          const std::string token = c.principal.anonymous() ? "" : tokens_->For(c.principal);
          const Outcome grpc = Call(method, rule->scope_field, region, c.principal);
          const Outcome http = CallHttp(suite_->http_port(), method, rule->scope_field, region, token);
          ++calls;
          if (grpc != http) {
            differences.push_back(absl::StrCat(method->full_name(), " as ", c.label, " on ", region, ": gRPC ",
                                               Mark(grpc), ", HTTP ", Mark(http)));
          }
          if (rule->scope_field.empty()) break;  // one region is enough
        }
      }
    }
  }
  EXPECT_GE(calls, 500);
  EXPECT_THAT(differences, ::testing::IsEmpty());
}

}  // namespace
}  // namespace kla
