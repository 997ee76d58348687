#include "libs/auth/access.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "grpc/health/v1/health.pb.h"

namespace kla::auth {
namespace {

using ::testing::HasSubstr;

Principal Make(Role role) {
  Principal p;
  p.subject = "x";
  p.role = role;
  return p;
}

TEST(InScopeTest, EachRoleReachesOnlyItsRegions) {
  Principal pv = Make(Role::kProvinceVerifier);
  pv.province_code = "35";
  EXPECT_TRUE(InScope(pv, "35"));
  EXPECT_TRUE(InScope(pv, "35.72"));
  EXPECT_FALSE(InScope(pv, "36.01"));
  EXPECT_FALSE(InScope(pv, ""));  // the whole country is beyond a province

  Principal op = Make(Role::kRegionOperator);
  op.region_code = "35.72";
  EXPECT_TRUE(InScope(op, "35.72"));
  EXPECT_FALSE(InScope(op, "35.05"));
  EXPECT_FALSE(InScope(op, "35"));

  Principal fv = Make(Role::kFieldVerifier);
  fv.province_code = "32";
  fv.assigned_regions = {"35.72", "32.73"};  // the second is in the home province
  EXPECT_TRUE(InScope(fv, "35.72"));
  EXPECT_FALSE(InScope(fv, "32.73"));  // never in their own province, whatever the token says
  EXPECT_FALSE(InScope(fv, "35.05"));

  EXPECT_TRUE(InScope(Make(Role::kNationalAdmin), ""));
  EXPECT_TRUE(InScope(Make(Role::kCentralReviewer), "61.71"));
  EXPECT_FALSE(InScope(Principal::Anonymous(), "35.72"));
}

TEST(AccessPolicyTest, TablesAreCheckedWhenAdded) {
  AccessPolicy p;
  EXPECT_THAT(p.Add({{.method = "grpc.health.v1.Health.Nope", .roles = {Role::kPublic}}}).message(),
              HasSubstr("unknown RPC"));
  EXPECT_THAT(
      p.Add({{.method = "grpc.health.v1.Health.Check", .roles = {Role::kPublic}, .scope_field = "nothing"}}).message(),
      HasSubstr("not a singular field"));
  ASSERT_TRUE(
      p.Add({{.method = "grpc.health.v1.Health.Check", .roles = {Role::kService}, .scope_field = "service"}}).ok());
  EXPECT_THAT(p.Add({{.method = "grpc.health.v1.Health.Check", .roles = {Role::kPublic}}}).message(),
              HasSubstr("two access rules"));
  // Rules are found by request type: two RPCs may not share one.
  EXPECT_THAT(p.Add({{.method = "grpc.health.v1.Health.Watch", .roles = {Role::kPublic}}}).message(),
              HasSubstr("shares its request type"));
  const auto* health = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName("grpc.health.v1.Health");
  EXPECT_THAT(p.CheckCovers(health).message(), HasSubstr("grpc.health.v1.Health.Watch"));
}

TEST(AccessPolicyTest, DecisionsFollowRoleThenScope) {
  AccessPolicy p;
  ASSERT_TRUE(p.Add({{.method = "grpc.health.v1.Health.Check",
                      .roles = {Role::kNationalAdmin, Role::kRegionOperator},
                      .scope_field = "service"}})
                  .ok());
  grpc::health::v1::HealthCheckRequest req;
  req.set_service("35.72");
  Principal op = Make(Role::kRegionOperator);
  op.region_code = "35.72";
  EXPECT_EQ(p.Check(op, req).verdict, AccessDecision::kAllow);
  EXPECT_EQ(p.Check(Make(Role::kNationalAdmin), req).verdict, AccessDecision::kAllow);
  EXPECT_EQ(p.Check(Make(Role::kCentralReviewer), req).verdict, AccessDecision::kDenied);
  EXPECT_EQ(p.Check(Principal::Anonymous(), req).verdict, AccessDecision::kUnauthenticated);
  req.set_service("35.05");
  EXPECT_THAT(p.Check(op, req).reason, HasSubstr("35.05 is outside your reach"));
  req.clear_service();
  EXPECT_EQ(p.Check(op, req).verdict, AccessDecision::kDenied);  // a regional role must name its region
  EXPECT_EQ(p.Check(Make(Role::kNationalAdmin), req).verdict, AccessDecision::kAllow);
}

}  // namespace
}  // namespace kla::auth
