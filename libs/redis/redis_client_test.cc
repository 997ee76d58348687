#include "libs/redis/redis_client.h"

#include <gtest/gtest.h>

#include "libs/testing/postgres_harness.h"
#include "libs/testing/process.h"

namespace kla::redis {
namespace {

TEST(RedisClientTest, CommandsAndReconnectAfterRestart) {
  auto redis = testing::RedisHarness::Start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  RedisClient client({.address = (*redis)->address()});
  ASSERT_TRUE(client.Ping().ok());
  ASSERT_TRUE(client.Command({"SET", "k", std::string("v\0x", 3)}).ok());
  auto got = client.Command({"GET", "k"});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->str, std::string("v\0x", 3));
  EXPECT_EQ(client.Command({"GET", "missing"})->type, Reply::Type::kNil);
  EXPECT_EQ(client.Command({"ZADD", "z", "1", "a", "2", "b"})->integer, 2);
  EXPECT_EQ(client.Command({"ZRANGE", "z", "0", "-1"})->array.size(), 2u);

  (*redis)->Kill();
  EXPECT_EQ(client.Ping().code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE((*redis)->Restart().ok());
  EXPECT_TRUE(client.Ping().ok());  // reconnected; the cache is empty now
  EXPECT_EQ(client.Command({"GET", "k"})->type, Reply::Type::kNil);
}

TEST(RedisClientTest, UnreachableIsUnavailable) {
  RedisClient client({.address = "127.0.0.1:" + std::to_string(testing::FreePort())});
  EXPECT_EQ(client.Ping().code(), absl::StatusCode::kUnavailable);
  RedisClient bad({.address = "no-port"});
  EXPECT_EQ(bad.Ping().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kla::redis
