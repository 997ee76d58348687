#include "libs/rpc/error_mapping.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/common/errors.h"
#include "libs/rpc/error_text.h"

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
  ASSERT_EQ(d.details_size(), 2);  // the BadRequest and the ErrorInfo
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
  ASSERT_EQ(details.details_size(), 2);  // and the ErrorInfo
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
  ASSERT_EQ(details.details_size(), 2);
  EXPECT_TRUE(details.details(0).Is<google::rpc::RetryInfo>());
  EXPECT_TRUE(details.details(1).Is<google::rpc::ErrorInfo>());

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
  EXPECT_EQ(s.error_message(), "bad: a: x (and 1 more)");
}

google::rpc::ErrorInfo InfoOf(const grpc::Status& s) {
  google::rpc::ErrorInfo info;
  const google::rpc::Status details = Details(s);
  for (const auto& any : details.details()) {
    if (any.UnpackTo(&info)) return info;
  }
  ADD_FAILURE() << "no ErrorInfo in " << s.error_message();
  return info;
}

std::string LocalizedOf(const grpc::Status& s) {
  google::rpc::LocalizedMessage m;
  const google::rpc::Status details = Details(s);
  for (const auto& any : details.details()) {
    if (any.UnpackTo(&m)) return m.locale() + ": " + m.message();
  }
  return "";
}

TEST(ErrorMappingTest, EveryErrorSaysWhyInAFormProgramsSwitchOn) {
  for (int c = 1; c <= 16; ++c) {
    const grpc::Status s = ToGrpcStatus(absl::Status(static_cast<absl::StatusCode>(c), "x"));
    const google::rpc::ErrorInfo info = InfoOf(s);
    EXPECT_EQ(info.domain(), kErrorDomain) << c;
    EXPECT_FALSE(info.reason().empty()) << c;
    EXPECT_EQ(info.reason(), absl::AsciiStrToUpper(info.reason())) << c;
  }
  // Derived from the details when the domain named none.
  EXPECT_EQ(InfoOf(ToGrpcStatus(NotFound("kabupaten/kota", "99.99"))).reason(), "RESOURCE_NOT_FOUND");
  EXPECT_EQ(InfoOf(ToGrpcStatus(NotFound("kabupaten/kota", "99.99"))).metadata().at("resource_name"), "99.99");
  EXPECT_EQ(InfoOf(ToGrpcStatus(InvalidField("region_code", "like 35.72"))).metadata().at("field"), "region_code");
  // Named by the domain, with its facts.
  const grpc::Status late = ToGrpcStatus(WithReason(absl::FailedPreconditionError("the deadline passed"),
                                                    "RETURN_DEADLINE_PASSED", {{"deadline", "2025-04-17 23:59 WIB"}}));
  EXPECT_EQ(InfoOf(late).reason(), "RETURN_DEADLINE_PASSED");
  EXPECT_EQ(InfoOf(late).metadata().at("deadline"), "2025-04-17 23:59 WIB");
  // A withheld error keeps only its code's reason and a reference.
  const grpc::Status hidden = ToGrpcStatus(WithReason(Concealed(absl::UnavailableError("db.internal:5432 down")),
                                                      "SECRET_REASON", {{"host", "db.internal"}}));
  EXPECT_EQ(InfoOf(hidden).reason(), "SERVICE_UNAVAILABLE");
  EXPECT_FALSE(InfoOf(hidden).metadata().contains("host"));
  EXPECT_EQ(InfoOf(hidden).metadata().at("ref").size(), 8u);
}

TEST(ErrorMappingTest, ReasonsSurviveAHopBetweenServices) {
  const absl::Status back = FromGrpcStatus(ToGrpcStatus(WithReason(
      absl::PermissionDeniedError("region 35.05 is outside your reach"), "OUT_OF_SCOPE", {{"region", "35.05"}})));
  ASSERT_TRUE(GetReason(back).has_value());
  EXPECT_EQ(GetReason(back)->reason, "OUT_OF_SCOPE");
  EXPECT_EQ(GetReason(back)->metadata.at("region"), "35.05");
}

TEST(ErrorMappingTest, TheMessageNamesTheFirstProblemAndTheDetailsListAll) {
  Violations v;
  v.Add("account.assigned_regions[0]", "75.01 lies in the verifier's home province");
  v.Add("account.email", "not an e-mail address");
  const absl::Status s = v.ToStatus("invalid account");
  EXPECT_EQ(s.message(),
            "invalid account: account.assigned_regions[0]: 75.01 lies in the verifier's home province (and 1 more)");
  EXPECT_EQ(GetFieldViolations(s).size(), 2u);
}

TEST(ErrorMappingTest, PeopleReadTheErrorInTheirLanguage) {
  const grpc::Status late = ToGrpcStatus(WithReason(absl::FailedPreconditionError("the deadline passed"),
                                                    "RETURN_DEADLINE_PASSED", {{"deadline", "2025-04-17 23:59 WIB"}}));
  EXPECT_EQ(LocalizedOf(LocalizeStatus(late, PreferredLanguage(""))),
            "id-ID: Batas waktu perbaikan telah lewat pada 2025-04-17 23:59 WIB; verifikator tahap ini dapat "
            "menetapkan batas baru.");
  EXPECT_THAT(LocalizedOf(LocalizeStatus(late, PreferredLanguage("en-US,en;q=0.9"))),
              HasSubstr("en-US: The deadline of the return passed at 2025-04-17 23:59 WIB"));
  // States and stages named in the facts are said in words.
  const grpc::Status state =
      ToGrpcStatus(WithReason(absl::FailedPreconditionError("cannot return"), "INVALID_STATE",
                              {{"state", "SUBMISSION_STATE_RETURNED"}, {"stage", "STAGE_PROVINCIAL_VERIFICATION"}}));
  EXPECT_THAT(LocalizedOf(LocalizeStatus(state, "id")), HasSubstr("berstatus dikembalikan (verifikasi provinsi)"));
  // Errors gRPC writes itself (no details) get a reason and a text too.
  const grpc::Status bare = LocalizeStatus(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline"), "id");
  EXPECT_EQ(InfoOf(bare).reason(), "DEADLINE_EXCEEDED");
  EXPECT_THAT(LocalizedOf(bare), HasSubstr("tidak menjawab tepat waktu"));
  // A missing fact falls back to the reason's plainer sentence.
  EXPECT_EQ(LocalizedOf(LocalizeStatus(ToGrpcStatus(absl::NotFoundError("gone")), "id")),
            "id-ID: Data yang diminta tidak ditemukan.");
}

}  // namespace
}  // namespace kla::rpc

namespace kla::rpc {
namespace {

// Every reason a service names (WithReason(..., "REASON", ...)) has its own
// sentence in both languages and a row in docs/errors.md: an integrator
// never meets a reason the contract does not describe.
TEST(ErrorTextTest, EveryReasonTheCodeNamesIsWrittenAndDocumented) {
  std::ifstream doc_file(std::string(KLA_SOURCE_DIR) + "/docs/errors.md");
  std::stringstream doc;
  doc << doc_file.rdbuf();
  const std::regex literal("\"([A-Z][A-Z0-9_]+)\"");
  std::set<std::string> reasons;
  for (const char* root : {"/services", "/libs"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(std::string(KLA_SOURCE_DIR) + root)) {
      const std::string path = entry.path().string();
      if (entry.path().extension() != ".cc" || absl::EndsWith(path, "_test.cc")) continue;
      std::ifstream in(path);
      std::stringstream ss;
      ss << in.rdbuf();
      const std::string text = ss.str();
      for (size_t at = text.find("WithReason("); at != std::string::npos; at = text.find("WithReason(", at + 1)) {
        const std::string call = text.substr(at, text.find(';', at) - at);
        std::smatch m;
        if (std::regex_search(call, m, literal)) reasons.insert(m[1]);
      }
    }
  }
  EXPECT_GT(reasons.size(), 30U);  // the scan found the calls
  for (const auto& r : reasons) {
    EXPECT_TRUE(HasCatalogueText(r)) << r << ": no sentence in libs/rpc/error_text.cc";
    EXPECT_THAT(doc.str(), HasSubstr("`" + r + "`")) << r << ": not in docs/errors.md";
  }
}

}  // namespace
}  // namespace kla::rpc
