#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "prometheus/metric_family.h"
#include "prometheus/registry.h"

// The process's metrics for operators, exposed in the Prometheus text
// format at /metrics on the HTTP listener. Counters and histograms are
// recorded where things happen (the RPC interceptor, the HTTP gateway, the
// handlers); gauges of stored state (outbox backlog, webhook deliveries) are
// read when scraped, by collectors the modules register.

namespace kla::metrics {

// The process-wide registry.
prometheus::Registry& Registry();

// One RPC answered by this server (the interceptor): kla_grpc_server_handled_total
// by method and code, kla_grpc_server_handling_seconds by method.
void RecordRpc(std::string_view method, std::string_view code, double seconds);

// One HTTP request answered by the gateway: kla_http_requests_total by route
// (the template, e.g. "/v1/regions/{code}", never the raw path), method and
// status, kla_http_request_duration_seconds by route.
void RecordHttp(std::string_view route, std::string_view method, int status, double seconds);

// A refused sign-in (kla_sign_in_refusals_total by kind: wrong_credentials,
// throttled, locked).
void CountSignInRefusal(std::string_view kind);

// A ranking read answered from `source` (memory, redis, database):
// kla_ranking_reads_total.
void CountRankingRead(std::string_view source);

// A database connection had to be waited for (kla_db_pool_waits_total), or
// none came in time (kla_db_pool_timeouts_total).
void CountPoolWait(bool timed_out);

// Held while an evidence upload stream is open: kla_evidence_uploads_in_flight.
class UploadInFlight {
 public:
  UploadInFlight();
  ~UploadInFlight();
  UploadInFlight(const UploadInFlight&) = delete;
  UploadInFlight& operator=(const UploadInFlight&) = delete;
};

// Reads metric families at scrape time (a module's stored state). It must be
// quick and must not fail the scrape: on trouble it returns nothing.
using Collector = std::function<std::vector<prometheus::MetricFamily>()>;
// Registers `collect`; the returned id removes it (RemoveCollector) when its
// module stops.
int AddCollector(Collector collect);
void RemoveCollector(int id);

// kla_build_info{version,commit} 1.
void SetBuildInfo(std::string_view version, std::string_view commit);

// Everything, in the Prometheus text exposition format.
std::string Scrape();

// A gauge family for collectors: one sample per set of labels. Families of
// the same name from several collectors (one per service in a process) are
// merged when scraped.
using Samples = std::vector<std::pair<std::map<std::string, std::string>, double>>;
prometheus::MetricFamily GaugeFamily(const std::string& name, const std::string& help, const Samples& samples);

}  // namespace kla::metrics
