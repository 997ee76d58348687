#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "libs/gateway/downloads.h"
#include "libs/gateway/tus.h"

namespace kla::gateway {
namespace {

TEST(UploadMetadataTest, PairsAreBase64AndAKeyMayStandAlone) {
  const std::string header = "filename " + absl::Base64Escape("SK Gugus Tugas.pdf") + ", filetype " +
                             absl::Base64Escape("application/pdf") + ",confidential";
  auto meta = ParseUploadMetadata(header);
  ASSERT_TRUE(meta.ok()) << meta.status();
  EXPECT_EQ(meta->at("filename"), "SK Gugus Tugas.pdf");
  EXPECT_EQ(meta->at("filetype"), "application/pdf");
  EXPECT_EQ(meta->at("confidential"), "");
  EXPECT_TRUE(ParseUploadMetadata("").ok());
}

TEST(UploadMetadataTest, BadBase64AndRepeatedKeysAreRefused) {
  EXPECT_FALSE(ParseUploadMetadata("filename %%%").ok());
  EXPECT_FALSE(ParseUploadMetadata("filename YQ==,filename Yg==").ok());
}

TEST(AttachmentHeaderTest, AnAsciiFallbackAndTheUtf8Name) {
  EXPECT_EQ(AttachmentHeader("kla-2025.csv"), "attachment; filename=\"kla-2025.csv\"; filename*=UTF-8''kla-2025.csv");
  // Quotes cannot break out of the header; non-ASCII names survive encoded.
  EXPECT_EQ(AttachmentHeader("a\"b é.pdf"), "attachment; filename=\"a_b __.pdf\"; filename*=UTF-8''a%22b%20%C3%A9.pdf");
}

}  // namespace
}  // namespace kla::gateway
