#include "libs/common/secret_box.h"

#include <gtest/gtest.h>

#include <fstream>

#include "libs/testing/process.h"

namespace kla {
namespace {

TEST(SecretBoxTest, SealsAndOpensBoundToItsSecretId) {
  auto box = SecretBox::FromKey(std::string(32, 'k'));
  ASSERT_TRUE(box.ok());
  const std::string sealed = box->Seal("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "sec_1");
  EXPECT_TRUE(SecretBox::IsSealed(sealed));
  EXPECT_EQ(sealed.find("MfKQ"), std::string::npos);
  EXPECT_NE(sealed, box->Seal("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "sec_1")) << "a fresh nonce each time";
  EXPECT_EQ(box->Open(sealed, "sec_1").value(), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  EXPECT_EQ(box->Open(sealed, "sec_2").status().code(), absl::StatusCode::kDataLoss);
  auto other = SecretBox::FromKey(std::string(32, 'x'));
  EXPECT_EQ(other->Open(sealed, "sec_1").status().code(), absl::StatusCode::kDataLoss);
  std::string altered = sealed;
  altered[10] = altered[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(box->Open(altered, "sec_1").ok());
  EXPECT_EQ(box->Open("whsec_clear", "sec_1").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SecretBoxTest, KeyFilesHoldThirtyTwoBytesRawOrBase64) {
  testing::TempDir dir;
  std::ofstream(dir.path() + "/key") << "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n";  // 32 bytes, base64
  EXPECT_TRUE(SecretBox::FromKeyFile(dir.path() + "/key").ok());
  std::ofstream(dir.path() + "/short") << "c2hvcnQ=";
  EXPECT_EQ(SecretBox::FromKeyFile(dir.path() + "/short").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SecretBox::FromKeyFile(dir.path() + "/none").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kla
