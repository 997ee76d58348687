#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kla/scoring/v1/scoring_service.pb.h"

namespace kla::simulate {

// What `klactl simulate` runs against a kla suite.
struct SimulationOptions {
  std::string addr = "127.0.0.1:7400";
  // Where a service runs when not at `addr` ("registry", "submission",
  // "scoring", "notification"): one process per service.
  std::map<std::string, std::string> service_addrs;
  // A national admin's token (klactl login).
  std::string admin_token;
  // Channel credentials (klactl --tls-ca); nullptr: plaintext.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  uint64_t seed = 2025;
  // Empty: "simulasi-<seed>".
  std::string cycle_id;
  // The rulebook to upload when its version is not stored yet.
  std::string rulebook_file = "rulebooks/kla-2023-ilustratif.textproto";
  // Regions worked on at once.
  int parallel = 8;
  // "id" or "en": progress lines.
  std::string lang = "id";
  // Deadline of one call, and how long a call is retried while a service
  // is unavailable (a process restarting).
  absl::Duration call_timeout = absl::Seconds(30);
  absl::Duration retry_budget = absl::Minutes(3);
  // Announcements go to a webhook receiver started here, which checks
  // every signature.
  bool receive_announcements = true;
  // One line of progress.
  std::function<void(const std::string&)> progress = [](const std::string&) {};
};

struct SimulationResult {
  std::string cycle_id;
  scoring::v1::GetPredicateSummaryResponse summary;  // final
  scoring::v1::GetProvilaResponse provila;           // final
  // Each region's final total in hundredths (awarded or not), by code.
  std::map<std::string, int64_t> final_totals;
  // The plan's totals, which the final ranking must equal.
  std::map<std::string, int64_t> planned_totals;
  // Final ranking entries (rank, total, predicate) that differ from the
  // ranking the plan implies, which is what a clean run with the same seed
  // publishes; 0 when identical.
  int ranking_differences = 0;
  // Evidence files uploaded but not listed (with the same SHA-256) at the
  // end; 0 when nothing was lost.
  int evidence_missing = 0;
  // Answers saved (drafts included) missing or changed at the end; 0 when
  // nothing was lost.
  int answers_missing = 0;
  int announcements_expected = 0;
  int announcements_received = 0;  // distinct webhook-ids
  int announcement_repeats = 0;    // the same webhook-id again (same bytes)
  int bad_signatures = 0;
  int returned = 0;
  int adjusted = 0;
  int objections = 0;
  int field_verified = 0;
  absl::Duration elapsed;
};

// A whole national cycle: opens it on the default rulebook for every
// kabupaten/kota, self-evaluations from the seeded plan (answers and
// evidence through each region's own system account), provincial
// verification with returns and resubmissions, central review with
// adjustments, field verification where the score reaches the threshold,
// provisional results and objections, final verification, publication,
// and the announcements received by a local webhook receiver. Every call
// is retried with the same request id while a service is unavailable, so
// the run survives processes being killed and restarted.
absl::StatusOr<SimulationResult> RunSimulation(const SimulationOptions& options);

}  // namespace kla::simulate
