#include "libs/webhook/url.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

namespace kla::webhook {
namespace {

using ::testing::HasSubstr;

TEST(AddressPolicyTest, PublicAddressesAndNamesAreAllowed) {
  const AddressPolicy policy;
  for (const char* url : {"https://simfoni.kemenpppa.go.id/kla/hook", "http://portal.jatimprov.go.id:8080/kla",
                          "https://203.0.112.7/hook", "https://[2400:cb00::1]/hook", "https://x.go.id./h?a=1#f",
                          "HTTPS://Portal.Go.Id"}) {
    EXPECT_TRUE(policy.CheckUrl(url).ok()) << url << ": " << policy.CheckUrl(url);
  }
}

TEST(AddressPolicyTest, LoopbackPrivateAndMetadataInEverySpellingAreRefused) {
  const AddressPolicy policy;
  for (const char* url :
       {// loopback, as the review reached it
        "http://127.0.0.1:6379/", "http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/", "http://127.1/",
        "http://0x7f.0.0.1/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
        "http://[64:ff9b::7f00:1]/", "http://[2002:7f00:1::]/", "http://localhost/", "http://api.localhost/",
        // private, CGNAT, ULA, link-local, multicast, unspecified
        "http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.1/", "http://100.64.0.1/", "http://[fd12:3456::1]/",
        "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://224.0.0.1/", "http://0.0.0.0/",
        "http://[::]/", "http://255.255.255.255/", "http://metadata.google.internal/", "http://[fd00:ec2::254]/"}) {
    EXPECT_EQ(policy.CheckUrl(url).code(), absl::StatusCode::kInvalidArgument) << url;
  }
}

TEST(AddressPolicyTest, MalformedAddressesAreRefused) {
  const AddressPolicy policy;
  for (const char* url :
       {"ftp://x.go.id/", "https://user:pw@x.go.id/", "https://x.go.id/a b", "https://x.go.id/\r\nX-Injected: 1",
        "https://x.go.id:0/", "https://x.go.id:65536/", "https://x.go.id:80a/", "https://x.go.id:/",
        "https://[fe80::1%25eth0]/", "https://[::1/", "https:///path", "https://x.go.id/\xc3\xa9", "file:///etc/passwd",
        "example.go.id/hook", "javascript:alert(1)", "http://[::ffff:169.254.169.254]/", "http://100.100.100.200/"}) {
    EXPECT_EQ(policy.CheckUrl(url).code(), absl::StatusCode::kInvalidArgument) << url;
  }
  EXPECT_THAT(std::string(policy.CheckUrl("http://2130706433/").message()), HasSubstr("four decimal numbers"));
}

TEST(AddressPolicyTest, AllowedRangesOpenPrivateNetworksButNeverMetadata) {
  auto policy = AddressPolicy::Create({"10.20.0.0/16", "127.0.0.1/32", "::1/128", "169.254.0.0/16"});
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_TRUE(policy->CheckUrl("https://10.20.3.4/hook").ok());
  EXPECT_FALSE(policy->CheckUrl("https://10.21.3.4/hook").ok());
  EXPECT_TRUE(policy->CheckUrl("http://127.0.0.1:8080/hook").ok());
  EXPECT_TRUE(policy->CheckUrl("http://[::1]:8080/hook").ok());
  EXPECT_TRUE(policy->CheckUrl("http://[::ffff:127.0.0.1]/").ok());  // the same address
  EXPECT_FALSE(policy->CheckUrl("http://127.0.0.2/").ok());
  EXPECT_FALSE(policy->CheckUrl("http://169.254.169.254/").ok());
  EXPECT_FALSE(AddressPolicy::Create({"10.0.0.0"}).ok());
  EXPECT_FALSE(AddressPolicy::Create({"10.0.0.0/33"}).ok());
  EXPECT_FALSE(AddressPolicy::Create({"bukan/8"}).ok());
}

TEST(AddressPolicyTest, ConnectTimeChecksTheResolvedAddress) {
  auto policy = AddressPolicy::Create({"127.0.0.1/32"});
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &v4.sin_addr);
  EXPECT_TRUE(policy->Allows(reinterpret_cast<sockaddr*>(&v4)));
  EXPECT_FALSE(AddressPolicy().Allows(reinterpret_cast<sockaddr*>(&v4)));
  inet_pton(AF_INET, "192.168.0.10", &v4.sin_addr);
  EXPECT_FALSE(policy->Allows(reinterpret_cast<sockaddr*>(&v4)));
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "::ffff:192.168.0.10", &v6.sin6_addr);
  EXPECT_FALSE(policy->Allows(reinterpret_cast<sockaddr*>(&v6)));
  inet_pton(AF_INET6, "2400:cb00::1", &v6.sin6_addr);
  EXPECT_TRUE(policy->Allows(reinterpret_cast<sockaddr*>(&v6)));
  EXPECT_FALSE(policy->Allows(nullptr));
}

}  // namespace
}  // namespace kla::webhook
