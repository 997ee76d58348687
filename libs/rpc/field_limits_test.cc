#include "libs/rpc/field_limits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_join.h"
#include "kla/event/v1/event.grpc.pb.h"
#include "kla/notification/v1/notification_service.grpc.pb.h"
#include "kla/registry/v1/account.grpc.pb.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "kla/scoring/v1/scoring_service.grpc.pb.h"
#include "kla/submission/v1/submission_service.grpc.pb.h"
#include "libs/common/errors.h"

namespace kla::rpc {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;

// Every request of every service, and everything it can carry, declares its
// bounds in the contract: a new unbounded field fails here, by name.
TEST(FieldLimitsTest, EveryFieldARequestCanCarryIsBounded) {
  std::vector<std::string> unbounded;
  // A message of each service's file: what links the file's descriptors in.
  for (const google::protobuf::FileDescriptor* file :
       {event::v1::DeliverRequest::descriptor()->file(),
        notification::v1::CreateSubscriptionRequest::descriptor()->file(),
        registry::v1::CreateAccountRequest::descriptor()->file(), registry::v1::GetRegionRequest::descriptor()->file(),
        scoring::v1::GetScoreRequest::descriptor()->file(),
        submission::v1::GetSubmissionRequest::descriptor()->file()}) {
    ASSERT_GT(file->service_count(), 0) << file->name();
    for (int s = 0; s < file->service_count(); ++s) {
      const auto* service = file->service(s);
      for (int i = 0; i < service->method_count(); ++i) {
        for (auto& f : UnboundedFields(service->method(i)->input_type())) unbounded.push_back(std::move(f));
      }
    }
  }
  std::sort(unbounded.begin(), unbounded.end());
  unbounded.erase(std::unique(unbounded.begin(), unbounded.end()), unbounded.end());
  EXPECT_TRUE(unbounded.empty()) << unbounded.size() << " fields without (kla.type.v1.limits):\n"
                                 << absl::StrJoin(unbounded, "\n");
}

TEST(FieldLimitsTest, ValuesWithinTheirBoundsPass) {
  submission::v1::SaveAnswersRequest req;
  req.set_request_id(std::string(128, 'r'));
  req.set_cycle_id("kla-2025");
  req.set_region_code("35.72");
  EXPECT_TRUE(CheckFieldLimits(req).ok());
}

TEST(FieldLimitsTest, EveryFieldOverItsBoundIsNamed) {
  submission::v1::SaveAnswersRequest req;
  req.set_request_id(std::string(7 << 20, 'r'));  // the 7 MB request id of the review
  req.set_region_code("35.72");
  req.add_answers()->set_item_id("I01.1");
  req.add_answers()->mutable_value()->set_text(std::string(4001, 'x'));
  const absl::Status st = CheckFieldLimits(req);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(GetFieldViolations(st), ElementsAre(Field(&FieldViolation::field, "request_id"),
                                                  Field(&FieldViolation::field, "answers[1].value.text")));
}

TEST(FieldLimitsTest, TextIsCountedInCharactersNotBytes) {
  submission::v1::SaveAnswersRequest ok;
  std::string text;
  for (int i = 0; i < 4000; ++i) text += "\xC3\xA9";  // é: 2 bytes, 1 character
  ok.add_answers()->mutable_value()->set_text(text);
  EXPECT_TRUE(CheckFieldLimits(ok).ok());
  ok.mutable_answers(0)->mutable_value()->mutable_text()->append("e");
  EXPECT_FALSE(CheckFieldLimits(ok).ok());
}

TEST(FieldLimitsTest, TooManyEntriesAreRefusedWithoutReadingThem) {
  submission::v1::SaveAnswersRequest req;
  for (int i = 0; i < 5000; ++i) req.add_answers()->mutable_value()->set_text(std::string(5000, 'x'));
  const auto violations = GetFieldViolations(CheckFieldLimits(req));
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].field, "answers");
}

TEST(FieldLimitsTest, FieldMasksAreBoundedToo) {
  registry::v1::UpdateAccountRequest req;
  for (int i = 0; i < 65; ++i) req.mutable_update_mask()->add_paths("display_name");
  EXPECT_THAT(GetFieldViolations(CheckFieldLimits(req)),
              ElementsAre(Field(&FieldViolation::field, "update_mask.paths")));
}

}  // namespace
}  // namespace kla::rpc
