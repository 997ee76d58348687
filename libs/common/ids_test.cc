#include "libs/common/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace kla {
namespace {

TEST(UuidTest, IsVersion4AndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewUuid();
    ASSERT_TRUE(IsUuid(id)) << id;
    EXPECT_EQ(id[14], '4');
    EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b');
    EXPECT_TRUE(seen.insert(id).second);
  }
  EXPECT_FALSE(IsUuid("not-a-uuid"));
}

TEST(UuidTest, NameUuidIsStableVersion8AndDiffersByName) {
  const std::string a = NameUuid("reminder|2025|1|35.72|3");
  ASSERT_TRUE(IsUuid(a)) << a;
  EXPECT_EQ(a, NameUuid("reminder|2025|1|35.72|3"));
  EXPECT_NE(a, NameUuid("reminder|2025|1|35.72|1"));
  EXPECT_EQ(a[14], '8');
  EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b');
  // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223...
  EXPECT_EQ(NameUuid("abc"), "ba7816bf-8f01-8fea-8141-40de5dae2223");
}

}  // namespace
}  // namespace kla
