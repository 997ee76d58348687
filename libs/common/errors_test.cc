#include "libs/common/errors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kla {
namespace {

using ::testing::ElementsAre;

TEST(ErrorsTest, InvalidFieldCarriesViolation) {
  absl::Status s = InvalidField("code", "must look like \"35.72\"");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(GetFieldViolations(s), ElementsAre(FieldViolation{"code", "must look like \"35.72\""}));
}

TEST(ErrorsTest, ViolationsReportEveryMistakeAndSurviveSpecialCharacters) {
  Violations v;
  EXPECT_TRUE(v.ToStatus().ok());
  v.Add("a", "line 1\nline 2");
  v.Add("b\tc", "back\\slash");
  absl::Status s = v.ToStatus("two problems");
  EXPECT_EQ(s.message(), "two problems: a: line 1\nline 2 (and 1 more)");  // the first named, all in the details
  EXPECT_THAT(GetFieldViolations(s),
              ElementsAre(FieldViolation{"a", "line 1\nline 2"}, FieldViolation{"b\tc", "back\\slash"}));
}

TEST(ErrorsTest, NotFoundNamesResource) {
  absl::Status s = NotFound("region", "99.99");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "region 99.99 not found");
  EXPECT_EQ(GetResourceRef(s).type, "region");
  EXPECT_EQ(GetResourceRef(s).name, "99.99");
  EXPECT_TRUE(GetFieldViolations(s).empty());
}

}  // namespace
}  // namespace kla
