#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kla/event/v1/event.pb.h"
#include "kla/notification/v1/notification.pb.h"
#include "kla/registry/v1/cycle.pb.h"
#include "kla/submission/v1/submission.pb.h"
#include "libs/common/clock.h"

namespace kla::notification {

// What reminders are made from: the registry's cycles, extensions and
// kabupaten/kota, and the submissions' states. Errors: UNAVAILABLE when a
// service could not answer (the next pass tries again).
class WorkflowReader {
 public:
  virtual ~WorkflowReader() = default;
  virtual absl::StatusOr<std::vector<registry::v1::Cycle>> ListCycles() = 0;
  virtual absl::StatusOr<std::vector<registry::v1::RegionExtension>> ListExtensions(const std::string& cycle_id) = 0;
  // Every kabupaten/kota code.
  virtual absl::StatusOr<std::vector<std::string>> ListRegencyCodes() = 0;
  // The cycle's saved submissions with their progress (no answers).
  virtual absl::StatusOr<std::vector<submission::v1::Submission>> ListSubmissions(const std::string& cycle_id) = 0;
  // The number of items in a rulebook (what "complete" means).
  virtual absl::StatusOr<int> CountItems(const std::string& rulebook_version) = 0;
};

// The reminders due at `now` for one cycle in self-evaluation: for every
// kabupaten/kota that has not submitted (nothing saved, or a draft), the
// most urgent reminder day N with close - N days <= now < close, where
// close is the self-evaluation's close for that region (its latest
// extension, if any). Ordered by region code. Pure, for tests.
std::vector<v1::StageClosingSoon> DueReminders(const registry::v1::Cycle& cycle,
                                               const std::vector<registry::v1::RegionExtension>& extensions,
                                               const std::vector<std::string>& regencies,
                                               const std::vector<submission::v1::Submission>& submissions,
                                               int required_items, const std::vector<int>& days_before, absl::Time now);

// The event a reminder travels as: its id derives from (cycle, phase,
// region, close time, N), so every pass, replica and restart makes the same
// one and intake keeps the first.
event::v1::EventEnvelope ReminderEvent(const v1::StageClosingSoon& reminder, absl::Time now);

// "Stage closing soon" reminders: each pass reads the open cycles and, when
// a reminder may be due, the submissions, and hands the due reminders to
// intake (`accept`, as events: deduped by id, fanned out to subscriptions,
// in the feed).
class Reminders {
 public:
  using Accept = std::function<absl::StatusOr<bool>(const event::v1::EventEnvelope&)>;
  // `days_before` e.g. {7, 3, 1}; empty: no reminders.
  Reminders(WorkflowReader* reader, Accept accept, const Clock* clock, std::vector<int> days_before)
      : reader_(reader), accept_(std::move(accept)), clock_(clock), days_before_(std::move(days_before)) {}

  // One pass. Returns how many new reminders were accepted.
  absl::StatusOr<int> Run();

 private:
  WorkflowReader* reader_;
  Accept accept_;
  const Clock* clock_;
  std::vector<int> days_before_;
  // Event ids accepted (or found accepted) by this process: skipped
  // without touching the database. Intake dedupes anyway.
  std::set<std::string> done_;
  // Groups (cycle, closing time, reminder day) already handed out.
  std::set<std::string> evaluated_;
};

}  // namespace kla::notification
