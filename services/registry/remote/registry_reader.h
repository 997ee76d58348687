#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"

namespace kla::registry {

// The registry's master data as other services read it over gRPC: cycles,
// their extensions, rulebooks and the kabupaten/kota list. Every call
// carries the caller's service token and a deadline. Errors: NOT_FOUND and
// INVALID_ARGUMENT pass through; anything else is UNAVAILABLE (the
// registry could not answer). No caching here: callers cache what suits
// them (a rulebook for good, a cycle for seconds).
class RegistryReader {
 public:
  // The channel is resolved on first use (a process learns its addresses
  // after its services are created).
  using ChannelSource = std::function<std::shared_ptr<grpc::Channel>()>;
  using TokenSource = std::function<absl::StatusOr<std::string>()>;

  RegistryReader(ChannelSource channel, TokenSource token, absl::Duration call_timeout = absl::Seconds(5))
      : channel_source_(std::move(channel)), token_(std::move(token)), call_timeout_(call_timeout) {}

  absl::StatusOr<v1::Cycle> GetCycle(const std::string& cycle_id);
  // Newest first.
  absl::StatusOr<std::vector<v1::RegionExtension>> ListExtensions(const std::string& cycle_id);
  // A phase's window for one region, its extension included.
  absl::StatusOr<v1::GetRegionWindowResponse> GetRegionWindow(const std::string& cycle_id,
                                                              const std::string& region_code, v1::CyclePhase phase);
  absl::StatusOr<v1::Rulebook> GetRulebook(const std::string& version);
  // Every kabupaten/kota, ordered by code (514: one or two pages).
  absl::StatusOr<std::vector<v1::Region>> ListRegencies();
  // Every cycle, ordered by id.
  absl::StatusOr<std::vector<v1::Cycle>> ListCycles();

 private:
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> Context();
  v1::RegistryService::Stub* Stub();

  ChannelSource channel_source_;
  TokenSource token_;
  absl::Duration call_timeout_;
  absl::Mutex mu_;
  std::unique_ptr<v1::RegistryService::Stub> stub_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kla::registry
