#include "bench/load.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "absl/time/clock.h"

namespace kla::bench {

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * static_cast<double>(values.size())))];
}

LoadResult Measure(const std::string& address, int clients, int seconds,
                   const std::function<grpc::Status(const std::shared_ptr<grpc::Channel>&)>& call) {
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::mutex mu;
  std::vector<double> latencies;
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      grpc::ChannelArguments args;
      args.SetInt("kla.bench.client", t);  // a channel (connection) per client
      auto channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
      std::vector<double> mine;
      while (!stop.load(std::memory_order_relaxed)) {
        const absl::Time t0 = absl::Now();
        if (!call(channel).ok()) ++failures;
        mine.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
      }
      std::lock_guard lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  const absl::Time start = absl::Now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& c : threads) c.join();
  const double elapsed = absl::ToDoubleSeconds(absl::Now() - start);
  return LoadResult{static_cast<double>(latencies.size()) / elapsed, Percentile(latencies, 0.5),
                    Percentile(latencies, 0.99), failures.load()};
}

}  // namespace kla::bench
