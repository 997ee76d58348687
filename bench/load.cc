#include "bench/load.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <mutex>
#include <thread>

#include "absl/time/clock.h"

namespace kla::bench {

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * static_cast<double>(values.size())))];
}

namespace {

// `clients` threads, each running the call `make(t)` returns (true: it
// succeeded) as fast as it answers, for `seconds`.
LoadResult Loop(int clients, int seconds, const std::function<std::function<bool()>(int)>& make) {
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::mutex mu;
  std::vector<double> latencies;
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      const std::function<bool()> call = make(t);
      std::vector<double> mine;
      while (!stop.load(std::memory_order_relaxed)) {
        const absl::Time t0 = absl::Now();
        // Only answered calls count: a failing call is often fast.
        if (!call()) {
          ++failures;
          continue;
        }
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

}  // namespace

LoadResult Measure(const std::string& address, int clients, int seconds,
                   const std::function<grpc::Status(const std::shared_ptr<grpc::Channel>&)>& call) {
  return Loop(clients, seconds, [&](int t) -> std::function<bool()> {
    grpc::ChannelArguments args;
    args.SetInt("kla.bench.client", t);  // a channel (connection) per client
    auto channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
    return [channel, &call] {
      const grpc::Status status = call(channel);
      static std::once_flag said;
      if (!status.ok()) {
        std::call_once(said, [&] {
          std::cerr << "first failed call: " << status.error_code() << " " << status.error_message() << "\n";
        });
      }
      return status.ok();
    };
  });
}

LoadResult MeasureHttp(int port, int clients, int seconds, const std::string& path) {
  return Loop(clients, seconds, [port, path](int) -> std::function<bool()> {
    auto client = std::make_shared<httplib::Client>("127.0.0.1", port);
    client->set_keep_alive(true);
    client->set_tcp_nodelay(true);
    return [client, path] {
      auto res = client->Get(path);
      return res && res->status == 200;
    };
  });
}

}  // namespace kla::bench
