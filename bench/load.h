#pragma once

// Closed-loop load for the benchmarks: clients on their own connections
// calling as fast as answers come, latencies collected.

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace kla::bench {

// The `p` quantile (0..1) of `values` (0 when empty).
double Percentile(std::vector<double> values, double p);

struct LoadResult {
  double rps = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  int failures = 0;
};

// `call` once per iteration on each of `clients` channels (one connection
// each), for `seconds`.
LoadResult Measure(const std::string& address, int clients, int seconds,
                   const std::function<grpc::Status(const std::shared_ptr<grpc::Channel>&)>& call);

// The same closed loop over HTTP/1.1: `clients` keep-alive connections to
// 127.0.0.1:`port`, each GETting `path` as fast as answers come; a status
// other than 200 is a failure.
LoadResult MeasureHttp(int port, int clients, int seconds, const std::string& path);

}  // namespace kla::bench
