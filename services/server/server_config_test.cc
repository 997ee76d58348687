#include "services/server/server_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kla::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ServerConfigTest, AllIsEveryServiceWithOneSqliteFileEach) {
  auto r = Resolve(ServerConfig{});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->services, ElementsAre("registry", "submission", "scoring", "notification"));
  EXPECT_EQ(r->db_urls.at("scoring"), "sqlite:var/scoring.db");
  EXPECT_EQ(r->addresses.at("scoring"), "127.0.0.1:7400");
  EXPECT_EQ(r->default_deadline, absl::Seconds(30));
  EXPECT_THAT(r->reminder_days, ElementsAre(7, 3, 1));
}

TEST(ServerConfigTest, SingleServiceReachesOthersByConfiguredAddress) {
  ServerConfig c;
  c.services = "scoring";
  c.listen = "0.0.0.0:0";
  c.db = "postgresql://kla@db:5432/kla";
  c.addresses["notification"] = "notification:7400";
  c.addresses["registry"] = "registry:7400";
  c.service_api_key_file = "/etc/kla/api-key";
  auto r = Resolve(c, 7411);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->hosts_registry);
  EXPECT_THAT(r->services, ElementsAre("scoring"));
  EXPECT_EQ(r->db_urls.at("scoring"), "postgresql://kla@db:5432/kla");
  EXPECT_EQ(r->addresses.at("scoring"), "127.0.0.1:7411");
  EXPECT_EQ(r->addresses.at("notification"), "notification:7400");
  EXPECT_EQ(r->addresses.at("registry"), "registry:7400");
}

TEST(ServerConfigTest, WithoutTheRegistryAProcessNeedsItsApiKeyAndTheRegistry) {
  ServerConfig c;
  c.services = "submission";
  EXPECT_THAT(Resolve(c).status().message(), HasSubstr("--service-api-key-file"));
  c.service_api_key_file = "key";
  EXPECT_THAT(Resolve(c).status().message(), HasSubstr("--registry-addr"));
  c.addresses["registry"] = "registry:7400";
  EXPECT_TRUE(Resolve(c).ok());
  c.token_ttl = "24h";
  EXPECT_THAT(Resolve(c).status().message(), HasSubstr("--token-ttl"));
}

TEST(ServerConfigTest, MistakesNameTheFlag) {
  ServerConfig c;
  c.services = "registry,billing";
  EXPECT_THAT(Resolve(c).status().message(), HasSubstr("--services: unknown service \"billing\""));
  c = ServerConfig{};
  c.reminder_days = "7,tomorrow";
  EXPECT_THAT(Resolve(c).status().message(), HasSubstr("--reminder-days"));
  c.reminder_days = "0";
  EXPECT_THAT(Resolve(c).status().message(), HasSubstr("--reminder-days"));
  c.reminder_days = "1, 14,3,3";
  EXPECT_THAT(Resolve(c)->reminder_days, ElementsAre(14, 3, 1));
  c.reminder_days = "none";
  EXPECT_TRUE(Resolve(c)->reminder_days.empty());
  c = ServerConfig{};
  c.services = "registry,notification";
  EXPECT_THAT(Resolve(c).status().message(), HasSubstr("--submission-addr: required for notification's reminders"));
  c.reminder_days = "none";
  EXPECT_TRUE(Resolve(c).ok());
  c.webhook_timeout = "2m";
  EXPECT_THAT(Resolve(c).status().message(), HasSubstr("--webhook-timeout: at most 60s"));
  c.webhook_timeout = "2s";
  EXPECT_EQ(Resolve(c)->webhook_timeout, absl::Seconds(2));
  c = ServerConfig{};
  c.default_deadline = "soon";
  EXPECT_THAT(Resolve(c).status().message(), HasSubstr("--default-deadline"));
  c = ServerConfig{};
  c.services = " , ";
  EXPECT_FALSE(Resolve(c).ok());
}

}  // namespace
}  // namespace kla::server
