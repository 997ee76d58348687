#include "libs/common/page_token.h"

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "libs/common/errors.h"

namespace kla {
namespace {

TEST(PageTokenTest, RoundTrips) {
  std::string t = EncodePageToken("list|35", "35.72");
  auto key = DecodePageToken(t, "list|35");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, "35.72");
  EXPECT_EQ(*DecodePageToken("", "list|35"), "");
}

TEST(PageTokenTest, RefusesTokenOfAnotherQuery) {
  std::string t = EncodePageToken("list|35", "35.72");
  auto key = DecodePageToken(t, "list|36");
  EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(key.status())[0].field, "page_token");
}

TEST(PageTokenTest, RefusesForgedTokens) {
  for (const std::string& forged : {std::string("garbage!!"), absl::WebSafeBase64Escape("p1|abc|35.99"),
                                    std::string(2000, 'A'), absl::WebSafeBase64Escape("p1")}) {
    EXPECT_EQ(DecodePageToken(forged, "list|35").status().code(), absl::StatusCode::kInvalidArgument) << forged;
  }
  // Flip one character of a real token.
  std::string t = EncodePageToken("list|35", "35.72");
  t[t.size() / 2] = t[t.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(DecodePageToken(t, "list|35").ok());
}

TEST(PageTokenTest, AnUnkeyedDigestNoLongerMakesAToken) {
  // The old scheme (an unkeyed SHA-256 over the body) let anyone write a
  // token naming any key; without the server's key a token is refused.
  SetPageTokenKey("replica secret one");
  const std::string t = EncodePageToken("list|35", "35.72");
  EXPECT_EQ(*DecodePageToken(t, "list|35"), "35.72");
  // Another replica with the same secret accepts it; another secret does not.
  SetPageTokenKey("replica secret one");
  EXPECT_TRUE(DecodePageToken(t, "list|35").ok());
  SetPageTokenKey("another secret");
  EXPECT_EQ(DecodePageToken(t, "list|35").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PageSizeTest, Policy) {
  EXPECT_EQ(*ResolvePageSize(0), 100);
  EXPECT_EQ(*ResolvePageSize(5), 5);
  EXPECT_EQ(*ResolvePageSize(5000), 1000);
  EXPECT_EQ(ResolvePageSize(-1).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PageTokenTest, ABoundedListPagesInKeyOrderAndOnlyWithItsOwnFilters) {
  const std::vector<std::string> items = {"c", "a", "e", "b", "d"};
  auto key = [](const std::string& s) { return s; };
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    auto page = PageOf(items, 2, token, "list|x", key);
    ASSERT_TRUE(page.ok()) << page.status();
    seen.insert(seen.end(), page->items.begin(), page->items.end());
    token = page->next_page_token;
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(pages, 3);
  auto first = PageOf(items, 2, "", "list|x", key);
  EXPECT_EQ(PageOf(items, 2, first->next_page_token, "list|y", key).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PageOf(items, -1, "", "list|x", key).status().code(), absl::StatusCode::kInvalidArgument);
  // An item added before the cursor does not repeat what was seen.
  std::vector<std::string> more = items;
  more.push_back("aa");
  auto next = PageOf(more, 2, first->next_page_token, "list|x", key);
  EXPECT_EQ(next->items, (std::vector<std::string>{"c", "d"}));
}

}  // namespace
}  // namespace kla
