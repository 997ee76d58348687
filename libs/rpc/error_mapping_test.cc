#include "libs/rpc/error_mapping.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/common/errors.h"

namespace kla::rpc {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

google::rpc::Status Details(const grpc::Status& s) {
  google::rpc::Status d;
  EXPECT_TRUE(d.ParseFromString(s.error_details()));
  return d;
}

TEST(ErrorMappingTest, OkStaysOk) { EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok()); }

TEST(ErrorMappingTest, FieldViolationsBecomeBadRequest) {
  grpc::Status s = ToGrpcStatus(InvalidField("code", "must look like 35.72"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto d = Details(s);
  ASSERT_EQ(d.details_size(), 1);
  google::rpc::BadRequest bad;
  ASSERT_TRUE(d.details(0).UnpackTo(&bad));
  ASSERT_EQ(bad.field_violations_size(), 1);
  EXPECT_EQ(bad.field_violations(0).field(), "code");
  EXPECT_EQ(d.code(), 3);
}

TEST(ErrorMappingTest, NotFoundCarriesResourceInfo) {
  grpc::Status s = ToGrpcStatus(NotFound("region", "99.99"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "region 99.99 not found");
  google::rpc::ResourceInfo info;
  ASSERT_TRUE(Details(s).details(0).UnpackTo(&info));
  EXPECT_EQ(info.resource_name(), "99.99");
}

TEST(ErrorMappingTest, LimitsCarryRetryInfo) {
  grpc::Status s = ToGrpcStatus(ResourceExhaustedRetryAfter("terlalu banyak percobaan", absl::Milliseconds(2500)));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(s.error_details()));
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::RetryInfo retry;
  ASSERT_TRUE(details.details(0).UnpackTo(&retry));
  EXPECT_EQ(retry.retry_delay().seconds(), 2);
  EXPECT_EQ(retry.retry_delay().nanos(), 500000000);
}

TEST(ErrorMappingTest, InternalErrorsDoNotLeakTheirText) {
  grpc::Status s = ToGrpcStatus(absl::InternalError("query: relation registry_regions does not exist"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_THAT(s.error_message(), HasSubstr("internal error (ref "));
  EXPECT_THAT(s.error_message(), Not(HasSubstr("registry_regions")));
  EXPECT_THAT(s.error_details(), Not(HasSubstr("registry_regions")));
}

TEST(ErrorMappingTest, ConcealedErrorsKeepTheirCodeButNotTheirText) {
  const absl::Status cause = Concealed(
      WithRetryAfter(absl::UnavailableError("cannot connect to PostgreSQL at db.kla.internal:5432 user kla_registry"),
                     absl::Seconds(5)));
  grpc::Status s = ToGrpcStatus(cause);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(s.error_message(), HasSubstr("try again shortly (ref "));
  for (const char* secret : {"db.kla.internal", "5432", "kla_registry", "PostgreSQL"}) {
    EXPECT_THAT(s.error_message(), Not(HasSubstr(secret)));
    EXPECT_THAT(s.error_details(), Not(HasSubstr(secret)));
  }
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(s.error_details()));
  ASSERT_EQ(details.details_size(), 1);
  EXPECT_TRUE(details.details(0).Is<google::rpc::RetryInfo>());

  grpc::Status dup = ToGrpcStatus(Concealed(absl::AlreadyExistsError("UNIQUE constraint failed: accounts.name")));
  EXPECT_EQ(dup.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(dup.error_message(), Not(HasSubstr("accounts.name")));
  // Text the domain wrote for the caller is shown as it is.
  EXPECT_EQ(ToGrpcStatus(absl::AlreadyExistsError("account \"ani\" exists")).error_message(), "account \"ani\" exists");
}

TEST(ErrorMappingTest, CodesMapOneToOne) {
  EXPECT_EQ(ToGrpcStatus(absl::AbortedError("stale etag")).error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(ToGrpcStatus(absl::FailedPreconditionError("x")).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ToGrpcStatus(absl::UnavailableError("x")).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ToGrpcStatus(absl::PermissionDeniedError("x")).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ToGrpcStatus(absl::UnauthenticatedError("x")).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST(ErrorMappingTest, RoundTripKeepsViolations) {
  absl::Status back = FromGrpcStatus(ToGrpcStatus(InvalidField("page_size", "must not be negative")));
  EXPECT_EQ(back.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(GetFieldViolations(back).size(), 1u);
  EXPECT_EQ(GetFieldViolations(back)[0].field, "page_size");
}

// 500 violations would exceed gRPC's 8 KiB metadata limit and reach the
// client as RESOURCE_EXHAUSTED; the first ones are listed and the message
// says how many.
TEST(ErrorMappingTest, LongViolationListsAreCutToFitTheTrailer) {
  std::vector<PreconditionViolation> unmet;
  for (int i = 0; i < 500; ++i) {
    unmet.push_back({"MISSING_ANSWER", absl::StrCat("item-", i), "belum dijawab / not answered"});
  }
  grpc::Status s = ToGrpcStatus(FailedPreconditionWithViolations("500 items are missing", unmet));
  EXPECT_LE(s.error_details().size(), 4096u + 512u);
  google::rpc::PreconditionFailure failure;
  ASSERT_TRUE(Details(s).details(0).UnpackTo(&failure));
  ASSERT_GT(failure.violations_size(), 20);
  ASSERT_LT(failure.violations_size(), 500);
  EXPECT_EQ(failure.violations(0).subject(), "item-0");
  EXPECT_EQ(s.error_message(), absl::StrCat("500 items are missing (", failure.violations_size(), " of 500 listed)"));
  EXPECT_EQ(Details(s).message(), s.error_message());
}

TEST(ErrorMappingTest, ShortListsAreKeptWhole) {
  grpc::Status s = ToGrpcStatus(InvalidArgumentWithViolations("bad", {{"a", "x"}, {"b", "y"}}));
  EXPECT_EQ(s.error_message(), "bad");
}

}  // namespace
}  // namespace kla::rpc
