#include "libs/metrics/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kla::metrics {
namespace {

using ::testing::HasSubstr;

TEST(MetricsTest, CallsAreCountedByMethodAndCodeAndTimed) {
  RecordRpc("/kla.registry.v1.RegistryService/GetRegion", "OK", 0.002);
  RecordRpc("/kla.registry.v1.RegistryService/GetRegion", "OK", 0.004);
  RecordHttp("/v1/regions/{code}", "GET", 200, 0.003);
  const std::string text = Scrape();
  EXPECT_THAT(text, HasSubstr("kla_grpc_server_handled_total{code=\"OK\",method=\"/kla.registry.v1.RegistryService/"
                              "GetRegion\"} 2"));
  EXPECT_THAT(text, HasSubstr("kla_grpc_server_handling_seconds_count{method=\"/kla.registry.v1.RegistryService/"
                              "GetRegion\"} 2"));
  EXPECT_THAT(text, HasSubstr("kla_http_requests_total{method=\"GET\",route=\"/v1/regions/{code}\",status=\"200\"} 1"));
}

TEST(MetricsTest, CollectorsAreReadAtScrapeTimeUntilRemoved) {
  double backlog = 3;
  const int id = AddCollector([&] {
    return std::vector<prometheus::MetricFamily>{
        GaugeFamily("kla_test_backlog", "Events waiting", {{{{"target", "scoring"}}, backlog}})};
  });
  EXPECT_THAT(Scrape(), HasSubstr("kla_test_backlog{target=\"scoring\"} 3"));
  backlog = 0;
  EXPECT_THAT(Scrape(), HasSubstr("kla_test_backlog{target=\"scoring\"} 0"));
  // Another collector's samples join the same family.
  const int other = AddCollector([] {
    return std::vector<prometheus::MetricFamily>{
        GaugeFamily("kla_test_backlog", "Events waiting", {{{{"target", "notification"}}, 7}})};
  });
  const std::string both = Scrape();
  EXPECT_THAT(both, HasSubstr("kla_test_backlog{target=\"notification\"} 7"));
  EXPECT_EQ(both.find("# HELP kla_test_backlog"), both.rfind("# HELP kla_test_backlog"));
  RemoveCollector(other);
  RemoveCollector(id);
  EXPECT_THAT(Scrape(), ::testing::Not(HasSubstr("kla_test_backlog")));
}

TEST(MetricsTest, BuildInfo) {
  SetBuildInfo("0.1.0", "abc123");
  EXPECT_THAT(Scrape(), HasSubstr("kla_build_info{commit=\"abc123\",version=\"0.1.0\"} 1"));
}

}  // namespace
}  // namespace kla::metrics
