#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/common/clock.h"
#include "libs/testing/process.h"
#include "services/server/suite.h"

namespace kla::testing {

// A whole kla suite in the test's process, listening on a free loopback
// port, on SQLite in a temporary folder: what the handler tests and the
// in-process cycle tests share. Shut down when destroyed.
class InProcessSuite {
 public:
  struct Options {
    std::string services;            // e.g. "registry"; empty: all four
    bool official_regions = true;    // import data/regions at start
    std::string webhook_allow_cidr;  // where webhooks may go (a test's receiver)
    const Clock* clock = SystemClock::Get();
    bool http = false;              // serve HTTP/JSON too, on a free loopback port
    std::string http_cors_origins;  // comma-separated
    std::string web_root;           // web pages the HTTP listener serves
  };

  static absl::StatusOr<std::unique_ptr<InProcessSuite>> Start(const Options& options);
  static absl::StatusOr<std::unique_ptr<InProcessSuite>> Start() { return Start(Options{}); }
  ~InProcessSuite();
  InProcessSuite(const InProcessSuite&) = delete;
  InProcessSuite& operator=(const InProcessSuite&) = delete;

  server::Suite& suite() { return *suite_; }
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  // The HTTP/JSON port (Options::http); 0 without.
  int http_port() const { return suite_->http_port(); }
  // The temporary folder (databases, evidence).
  const std::string& dir() const { return dir_.path(); }

 private:
  InProcessSuite() = default;

  TempDir dir_;
  std::unique_ptr<server::Suite> suite_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace kla::testing
