#include "libs/gateway/routes.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "kla/event/v1/event.grpc.pb.h"
#include "kla/notification/v1/notification_service.grpc.pb.h"
#include "kla/registry/v1/account.grpc.pb.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "kla/scoring/v1/scoring_service.grpc.pb.h"
#include "kla/submission/v1/submission_service.grpc.pb.h"
#include "libs/gateway/transcode.h"

namespace kla::gateway {
namespace {

// Each service through a message of its file, which links the file in.
std::vector<const google::protobuf::ServiceDescriptor*> AllServices() {
  return {registry::v1::GetRegionRequest::descriptor()->file()->FindServiceByName("RegistryService"),
          registry::v1::CreateAccountRequest::descriptor()->file()->FindServiceByName("AccountService"),
          submission::v1::GetSubmissionRequest::descriptor()->file()->FindServiceByName("SubmissionService"),
          scoring::v1::GetScoreRequest::descriptor()->file()->FindServiceByName("ScoringService"),
          notification::v1::CreateSubscriptionRequest::descriptor()->file()->FindServiceByName("NotificationService"),
          event::v1::DeliverRequest::descriptor()->file()->FindServiceByName("EventInbox")};
}

RouteTable Table() {
  auto table = RouteTable::FromServices(AllServices());
  EXPECT_TRUE(table.ok()) << table.status();
  return table.ok() ? *std::move(table) : RouteTable();
}

// A concrete path for a route's template.
std::string Instantiate(const Route& r) {
  std::string path;
  for (const auto& s : r.segments) {
    absl::StrAppend(&path, "/", s.field.empty() ? s.literal : (s.field == "stage" ? "STAGE_FINAL_VERIFICATION" : "x1"));
  }
  if (!r.verb.empty()) absl::StrAppend(&path, ":", r.verb);
  return path;
}

TEST(RouteTableTest, EveryRpcOfTheContractHasARouteAndNoRouteHidesAnother) {
  RouteTable table = Table();
  size_t rpcs = 0;
  for (const auto* s : AllServices()) rpcs += static_cast<size_t>(s->method_count());
  ASSERT_EQ(table.routes().size(), rpcs);
  for (const Route& r : table.routes()) {
    auto found = table.Find(r.http_method, Instantiate(r));
    ASSERT_TRUE(found.has_value()) << r.path;
    EXPECT_EQ(found->route->method, r.method) << r.path << " reaches " << found->route->method->full_name();
  }
}

TEST(RouteTableTest, PathsBindTheirFields) {
  RouteTable table = Table();
  auto region = table.Find("GET", "/v1/regions/35.72");
  ASSERT_TRUE(region.has_value());
  EXPECT_EQ(region->route->method->name(), "GetRegion");
  EXPECT_EQ(region->bindings, (std::vector<std::pair<std::string, std::string>>{{"code", "35.72"}}));

  auto submit = table.Find("POST", "/v1/cycles/2025/submissions/35.72:submit");
  ASSERT_TRUE(submit.has_value());
  EXPECT_EQ(submit->route->method->name(), "SubmitSubmission");
  EXPECT_EQ(submit->bindings.size(), 2U);

  auto account = table.Find("GET", "/v1/accounts/op.kota%2Dblitar");
  ASSERT_TRUE(account.has_value());
  EXPECT_EQ(account->bindings[0].second, "op.kota-blitar");  // percent-decoded

  EXPECT_FALSE(table.Find("DELETE", "/v1/regions/35.72").has_value());
  EXPECT_EQ(table.MethodsFor("/v1/regions/35.72"), std::vector<std::string>{"GET"});
  EXPECT_FALSE(table.Find("GET", "/v1/nothing/here").has_value());
  EXPECT_FALSE(table.Find("POST", "/v1/cycles/2025/submissions/35.72:explode").has_value());
}

TEST(TranscodeTest, BodyPathAndQueryMakeOneRequest) {
  RouteTable table = Table();
  auto update = table.Find("PATCH", "/v1/cycles/2025");
  ASSERT_TRUE(update.has_value());
  auto req = BuildRequest(*update, {{"update_mask", "name,announcement_time"}}, R"({"name": "Evaluasi KLA 2025"})");
  ASSERT_TRUE(req.ok()) << req.status();
  const auto& cycle_update = static_cast<const registry::v1::UpdateCycleRequest&>(**req);
  EXPECT_EQ(cycle_update.cycle().id(), "2025");
  EXPECT_EQ(cycle_update.cycle().name(), "Evaluasi KLA 2025");
  EXPECT_EQ(cycle_update.update_mask().paths_size(), 2);

  auto ranking = table.Find("GET", "/v1/cycles/2025/ranking");
  ASSERT_TRUE(ranking.has_value());
  auto r = BuildRequest(*ranking, {{"view", "RANKING_VIEW_FINAL"}, {"pageSize", "20"}, {"province_code", "35"}}, "");
  ASSERT_TRUE(r.ok()) << r.status();
  const auto& get = static_cast<const scoring::v1::GetRankingRequest&>(**r);
  EXPECT_EQ(get.view(), scoring::v1::RANKING_VIEW_FINAL);
  EXPECT_EQ(get.page_size(), 20);
  EXPECT_EQ(get.province_code(), "35");
}

TEST(TranscodeTest, WhatDoesNotFitIsRefusedByName) {
  RouteTable table = Table();
  auto ranking = table.Find("GET", "/v1/cycles/2025/ranking");
  ASSERT_TRUE(ranking.has_value());
  EXPECT_EQ(BuildRequest(*ranking, {{"pagesize", "x"}}, "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildRequest(*ranking, {{"no_such_field", "1"}}, "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildRequest(*ranking, {{"view", "RANKING_VIEW_SIDEWAYS"}}, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildRequest(*ranking, {}, R"({"view": 1})").status().code(), absl::StatusCode::kInvalidArgument);  // GET
  auto save = table.Find("POST", "/v1/cycles/2025/submissions/35.72:saveAnswers");
  ASSERT_TRUE(save.has_value());
  EXPECT_EQ(BuildRequest(*save, {}, R"({"answerz": []})").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildRequest(*save, {}, "{not json").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(TranscodeTest, GrpcCodesMapToTheirHttpStatus) {
  EXPECT_EQ(HttpStatusOf(0), 200);
  EXPECT_EQ(HttpStatusOf(3), 400);
  EXPECT_EQ(HttpStatusOf(5), 404);
  EXPECT_EQ(HttpStatusOf(7), 403);
  EXPECT_EQ(HttpStatusOf(10), 409);
  EXPECT_EQ(HttpStatusOf(16), 401);
  EXPECT_EQ(HttpStatusOf(8), 429);
  EXPECT_EQ(HttpStatusOf(14), 503);
  EXPECT_EQ(HttpStatusOf(13), 500);
}

}  // namespace
}  // namespace kla::gateway
