// The public portal before a cycle's announcement, in a real browser: only
// the countdown to "diumumkan pada …", no result, no download, an empty
// feed (tests/web/portal_browser_test.mjs). The pages after a national
// simulation are checked in NationalCycleTest.OneProcess.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/harness.h"

namespace kla {
namespace {

TEST(PortalBrowserTest, BeforeTheAnnouncementThePagesShowOnlyTheCountdown) {
  testing::TempDir dir;
  const std::string http = "127.0.0.1:" + std::to_string(testing::FreePort());
  it::Server server(
      dir, {"--regions-dir", it::kSrc + "/data/regions", "--http-listen", http, "--web-root", it::kBin + "/web"});
  it::LoginFirstAdmin(dir, server.address());
  it::CreatePlannedCycle(dir, server.address(), "2027", 90);
  std::string out;
  EXPECT_EQ(it::PortalBrowserTest(dir, "http://" + http, "countdown", "2027", {}, &out), 0) << out << server.log();
  EXPECT_THAT(out, ::testing::HasSubstr("portal countdown: ok"));
}

}  // namespace
}  // namespace kla
