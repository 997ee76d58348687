#include "services/notification/domain/reminders.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "libs/common/ids.h"
#include "libs/common/status_macros.h"
#include "libs/kernel/time.h"

namespace kla::notification {
namespace {

using google::protobuf::util::TimeUtil;

const registry::v1::PhaseWindow* SelfEvaluationWindow(const registry::v1::Cycle& cycle) {
  for (const auto& w : cycle.windows()) {
    if (w.phase() == registry::v1::CYCLE_PHASE_SELF_EVALUATION) return &w;
  }
  return nullptr;
}

// The smallest N with close - N days <= now < close: one reminder per
// pass even when several came due while the service was down.
std::optional<int> MostUrgent(absl::Time close, absl::Time now, const std::vector<int>& days_before) {
  if (now >= close) return std::nullopt;
  std::optional<int> best;
  for (int n : days_before) {
    if (n > 0 && close - absl::Hours(24) * n <= now && (!best || n < *best)) best = n;
  }
  return best;
}

// Each region's latest self-evaluation extension (the list is newest first).
std::map<std::string, absl::Time> ExtendedCloses(const std::vector<registry::v1::RegionExtension>& extensions) {
  std::map<std::string, absl::Time> out;
  for (const auto& e : extensions) {
    if (e.phase() == registry::v1::CYCLE_PHASE_SELF_EVALUATION)
      out.emplace(e.region_code(), FromProtoTime(e.close_time()));
  }
  return out;
}

}  // namespace

std::vector<v1::StageClosingSoon> DueReminders(const registry::v1::Cycle& cycle,
                                               const std::vector<registry::v1::RegionExtension>& extensions,
                                               const std::vector<std::string>& regencies,
                                               const std::vector<submission::v1::Submission>& submissions,
                                               int required_items, const std::vector<int>& days_before,
                                               absl::Time now) {
  std::vector<v1::StageClosingSoon> out;
  const registry::v1::PhaseWindow* window = SelfEvaluationWindow(cycle);
  if (window == nullptr || cycle.state() != registry::v1::CYCLE_STATE_SELF_EVALUATION) return out;
  const std::map<std::string, absl::Time> extended = ExtendedCloses(extensions);
  std::map<std::string, const submission::v1::Submission*> by_region;
  for (const auto& s : submissions) by_region[s.region_code()] = &s;
  std::vector<std::string> codes = regencies;
  std::sort(codes.begin(), codes.end());
  for (const std::string& code : codes) {
    auto s = by_region.find(code);
    const bool drafting = s == by_region.end() || s->second->state() == submission::v1::SUBMISSION_STATE_DRAFT ||
                          s->second->state() == submission::v1::SUBMISSION_STATE_UNSPECIFIED;
    if (!drafting) continue;
    auto e = extended.find(code);
    const absl::Time close = e == extended.end() ? FromProtoTime(window->close_time()) : e->second;
    const std::optional<int> n = MostUrgent(close, now, days_before);
    if (!n) continue;
    v1::StageClosingSoon r;
    r.set_cycle_id(cycle.id());
    r.set_region_code(code);
    r.set_phase(registry::v1::CYCLE_PHASE_SELF_EVALUATION);
    *r.mutable_close_time() = ToProtoTime(close);
    r.set_days_before(*n);
    r.set_days_left(static_cast<int>(absl::Ceil(close - now, absl::Hours(24)) / absl::Hours(24)));
    r.set_required_items(required_items);
    if (s != by_region.end()) {
      r.set_submission_state(s->second->state());
      r.set_answered_items(s->second->progress().answered());
    }
    out.push_back(std::move(r));
  }
  return out;
}

event::v1::EventEnvelope ReminderEvent(const v1::StageClosingSoon& reminder, absl::Time now) {
  event::v1::EventEnvelope e;
  e.set_event_id(NameUuid(absl::StrCat("stage-closing-soon|", reminder.cycle_id(), "|", reminder.phase(), "|",
                                       reminder.region_code(), "|", reminder.close_time().seconds(), "|",
                                       reminder.days_before())));
  e.set_source("notification");
  e.set_target("notification");
  *e.mutable_occurred_at() = ToProtoTime(now);
  e.mutable_payload()->PackFrom(reminder);
  return e;
}

absl::StatusOr<int> Reminders::Run() {
  if (days_before_.empty()) return 0;
  const absl::Time now = clock_->Now();
  KLA_ASSIGN_OR_RETURN(std::vector<registry::v1::Cycle> cycles, reader_->ListCycles());
  int issued = 0;
  for (const auto& cycle : cycles) {
    const registry::v1::PhaseWindow* window = SelfEvaluationWindow(cycle);
    if (window == nullptr || cycle.state() != registry::v1::CYCLE_STATE_SELF_EVALUATION) continue;
    KLA_ASSIGN_OR_RETURN(std::vector<registry::v1::RegionExtension> extensions, reader_->ListExtensions(cycle.id()));
    // Regions sharing a closing time form a group; a group whose most
    // urgent reminder has been handed out needs no look at the submissions
    // until its next reminder day (a region that submitted stays submitted
    // during self-evaluation).
    std::set<std::string> groups;
    auto consider = [&](absl::Time close) {
      if (auto n = MostUrgent(close, now, days_before_)) {
        std::string key = absl::StrCat(cycle.id(), "|", absl::ToUnixSeconds(close), "|", *n);
        if (!evaluated_.contains(key)) groups.insert(std::move(key));
      }
    };
    consider(FromProtoTime(window->close_time()));
    for (const auto& [region, close] : ExtendedCloses(extensions)) consider(close);
    if (groups.empty()) continue;
    KLA_ASSIGN_OR_RETURN(std::vector<std::string> regencies, reader_->ListRegencyCodes());
    KLA_ASSIGN_OR_RETURN(std::vector<submission::v1::Submission> submissions, reader_->ListSubmissions(cycle.id()));
    KLA_ASSIGN_OR_RETURN(const int items, reader_->CountItems(cycle.rulebook_version()));
    for (const auto& r : DueReminders(cycle, extensions, regencies, submissions, items, days_before_, now)) {
      event::v1::EventEnvelope event = ReminderEvent(r, now);
      if (done_.contains(event.event_id())) continue;
      KLA_ASSIGN_OR_RETURN(const bool duplicate, accept_(event));
      if (!duplicate) ++issued;
      done_.insert(event.event_id());
    }
    evaluated_.insert(groups.begin(), groups.end());
  }
  return issued;
}

}  // namespace kla::notification
