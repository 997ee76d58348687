#include "libs/common/ids.h"

#include <gtest/gtest.h>

#include <set>

#include "libs/common/files.h"

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

TEST(Sha256HexTest, KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace kla
