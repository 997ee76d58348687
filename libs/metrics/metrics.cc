#include "libs/metrics/metrics.h"

#include <map>
#include <sstream>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/text_serializer.h"

namespace kla::metrics {
namespace {

// Latency buckets from 1 ms to 30 s (the default deadline).
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* const kBuckets = new prometheus::Histogram::BucketBoundaries{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  return *kBuckets;
}

struct Families {
  prometheus::Family<prometheus::Counter>& rpc_handled;
  prometheus::Family<prometheus::Histogram>& rpc_seconds;
  prometheus::Family<prometheus::Counter>& http_requests;
  prometheus::Family<prometheus::Histogram>& http_seconds;
  prometheus::Family<prometheus::Gauge>& build_info;
  prometheus::Family<prometheus::Counter>& sign_in_refusals;
  prometheus::Family<prometheus::Counter>& ranking_reads;
  prometheus::Family<prometheus::Counter>& pool_waits;
  prometheus::Family<prometheus::Counter>& pool_timeouts;
  prometheus::Family<prometheus::Gauge>& uploads;
};

Families& Get() {
  static auto* const kFamilies = new Families{
      prometheus::BuildCounter()
          .Name("kla_grpc_server_handled_total")
          .Help("RPCs answered, by method and gRPC status code (calls over HTTP included)")
          .Register(Registry()),
      prometheus::BuildHistogram()
          .Name("kla_grpc_server_handling_seconds")
          .Help("Time from an RPC's arrival to its status, by method")
          .Register(Registry()),
      prometheus::BuildCounter()
          .Name("kla_http_requests_total")
          .Help("HTTP requests answered, by route template, method and status")
          .Register(Registry()),
      prometheus::BuildHistogram()
          .Name("kla_http_request_duration_seconds")
          .Help("Time to answer an HTTP request (its headers; a stream's first byte), by route template")
          .Register(Registry()),
      prometheus::BuildGauge()
          .Name("kla_build_info")
          .Help("The kla build this process runs (always 1)")
          .Register(Registry()),
      prometheus::BuildCounter()
          .Name("kla_sign_in_refusals_total")
          .Help("Sign-ins refused: wrong_credentials, throttled (too many failures: a lockout or a delay), locked")
          .Register(Registry()),
      prometheus::BuildCounter()
          .Name("kla_ranking_reads_total")
          .Help("Ranking reads by where they were answered from: memory, redis, database")
          .Register(Registry()),
      prometheus::BuildCounter()
          .Name("kla_db_pool_waits_total")
          .Help("Database connections that had to be waited for (all were in use)")
          .Register(Registry()),
      prometheus::BuildCounter()
          .Name("kla_db_pool_timeouts_total")
          .Help("Database connections that did not come in time (the call failed UNAVAILABLE)")
          .Register(Registry()),
      prometheus::BuildGauge()
          .Name("kla_evidence_uploads_in_flight")
          .Help("Evidence upload streams open now (gRPC and tus)")
          .Register(Registry()),
  };
  // Series without labels exist from the start, at 0, so alerts and graphs
  // see them before the first event.
  static const bool kZeroed = [] {
    kFamilies->pool_waits.Add({});
    kFamilies->pool_timeouts.Add({});
    kFamilies->uploads.Add({});
    return true;
  }();
  (void)kZeroed;
  return *kFamilies;
}

class Collectors {
 public:
  int Add(Collector c) {
    absl::MutexLock lock(&mu_);
    collectors_.emplace(++last_, std::move(c));
    return last_;
  }
  void Remove(int id) {
    absl::MutexLock lock(&mu_);
    collectors_.erase(id);
  }
  std::vector<prometheus::MetricFamily> Collect() {
    absl::MutexLock lock(&mu_);
    std::vector<prometheus::MetricFamily> out;
    for (const auto& [id, collect] : collectors_) {
      for (auto& f : collect()) out.push_back(std::move(f));
    }
    return out;
  }

 private:
  absl::Mutex mu_;
  std::map<int, Collector> collectors_ ABSL_GUARDED_BY(mu_);
  int last_ ABSL_GUARDED_BY(mu_) = 0;
};

Collectors& TheCollectors() {
  static auto* const kCollectors = new Collectors();
  return *kCollectors;
}

}  // namespace

prometheus::Registry& Registry() {
  static auto* const kRegistry = new prometheus::Registry();
  return *kRegistry;
}

void RecordRpc(std::string_view method, std::string_view code, double seconds) {
  Families& f = Get();
  f.rpc_handled.Add({{"method", std::string(method)}, {"code", std::string(code)}}).Increment();
  f.rpc_seconds.Add({{"method", std::string(method)}}, LatencyBuckets()).Observe(seconds);
}

void RecordHttp(std::string_view route, std::string_view method, int status, double seconds) {
  Families& f = Get();
  f.http_requests
      .Add({{"route", std::string(route)}, {"method", std::string(method)}, {"status", std::to_string(status)}})
      .Increment();
  f.http_seconds.Add({{"route", std::string(route)}}, LatencyBuckets()).Observe(seconds);
}

void CountSignInRefusal(std::string_view kind) {
  Get().sign_in_refusals.Add({{"kind", std::string(kind)}}).Increment();
}

void CountRankingRead(std::string_view source) {
  Get().ranking_reads.Add({{"source", std::string(source)}}).Increment();
}

void CountPoolWait(bool timed_out) {
  Get().pool_waits.Add({}).Increment();
  if (timed_out) Get().pool_timeouts.Add({}).Increment();
}

UploadInFlight::UploadInFlight() { Get().uploads.Add({}).Increment(); }
UploadInFlight::~UploadInFlight() { Get().uploads.Add({}).Decrement(); }

int AddCollector(Collector collect) { return TheCollectors().Add(std::move(collect)); }
void RemoveCollector(int id) { TheCollectors().Remove(id); }

void SetBuildInfo(std::string_view version, std::string_view commit) {
  Get().build_info.Add({{"version", std::string(version)}, {"commit", std::string(commit)}}).Set(1);
}

std::string Scrape() {
  Get();  // the families exist from the first scrape on, with or without samples
  std::vector<prometheus::MetricFamily> families = Registry().Collect();
  std::map<std::string, size_t> by_name;
  for (auto& f : TheCollectors().Collect()) {
    auto [it, fresh] = by_name.emplace(f.name, families.size());
    if (fresh) {
      families.push_back(std::move(f));
    } else {  // one family, whichever collectors contribute to it
      auto& into = families[it->second].metric;
      into.insert(into.end(), f.metric.begin(), f.metric.end());
    }
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

prometheus::MetricFamily GaugeFamily(const std::string& name, const std::string& help, const Samples& samples) {
  prometheus::MetricFamily family{name, help, prometheus::MetricType::Gauge, {}};
  for (const auto& [labels, value] : samples) {
    prometheus::ClientMetric m;
    for (const auto& [k, v] : labels) m.label.push_back({k, v});
    m.gauge.value = value;
    family.metric.push_back(std::move(m));
  }
  return family;
}

}  // namespace kla::metrics
