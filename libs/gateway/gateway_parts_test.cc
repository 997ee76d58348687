#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "absl/strings/escaping.h"
#include "libs/common/files.h"
#include "libs/gateway/downloads.h"
#include "libs/gateway/portal_shell.h"
#include "libs/gateway/tus.h"
#include "libs/testing/process.h"

namespace kla::gateway {
namespace {

TEST(PortalShellTest, EachPageGetsItsTitleAndDescriptionEscaped) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">Kota & 'Kab'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Kota &amp; &#39;Kab&#39;&lt;/a&gt;");
  kla::testing::TempDir dir;
  EXPECT_FALSE(PortalShell::Load(dir.path()).has_value()) << "a web root without the portal";
  ASSERT_TRUE(MakePrivateDirectories(dir.path() + "/portal").ok());
  ASSERT_TRUE(WriteFileAtomically(dir.path() + "/portal/index.html",
                                  "<html lang=\"{{lang}}\"><title>{{title}}</title><meta content=\"{{description}}\">")
                  .ok());
  auto shell = PortalShell::Load(dir.path());
  ASSERT_TRUE(shell.has_value());
  httplib::Request req;
  httplib::Response res;
  req.path = "/daerah/35.72";
  shell->Serve(req, res);
  EXPECT_THAT(res.body, ::testing::HasSubstr("<html lang=\"id\"><title>35.72 · Hasil Evaluasi"));
  EXPECT_EQ(res.get_header_value("Content-Type"), "text/html; charset=utf-8");
  req.params.emplace("lang", "en");
  req.path = "/peringkat";
  shell->Serve(req, res);
  EXPECT_THAT(res.body, ::testing::HasSubstr("<html lang=\"en\"><title>Ranking · Child-Friendly"));
  // With the registry's names (escaped like everything filled in).
  auto named = PortalShell::Load(dir.path(), [](const std::string& code) {
    return code == "35.72" ? std::string("Kota <Blitar>") : std::string();
  });
  req.params.clear();
  req.path = "/daerah/35.72";
  named->Serve(req, res);
  EXPECT_THAT(res.body, ::testing::HasSubstr("<title>Kota &lt;Blitar&gt; (35.72) · Hasil"));
  EXPECT_THAT(res.body, ::testing::HasSubstr("content=\"Nilai, predikat dan peringkat Kota &lt;Blitar&gt; (35.72)"));
  req.path = "/provinsi/99";
  named->Serve(req, res);
  EXPECT_THAT(res.body, ::testing::HasSubstr("<title>99 · Hasil"));
}

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
