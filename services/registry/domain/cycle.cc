#include "services/registry/domain/cycle.h"

#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "kla/registry/v1/events.pb.h"
#include "libs/common/errors.h"
#include "libs/common/page_token.h"
#include "libs/common/status_macros.h"
#include "libs/kernel/etag.h"
#include "libs/kernel/time.h"
#include "services/registry/domain/region.h"
#include "services/registry/domain/rulebook.h"
#include "services/registry/rules/window.h"

namespace kla::registry {
namespace {

using google::protobuf::util::TimeUtil;

std::string Iso(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()); }

std::string PhaseName(v1::CyclePhase p) { return v1::CyclePhase_Name(p).substr(std::string("CYCLE_PHASE_").size()); }
std::string StateName(v1::CycleState s) { return v1::CycleState_Name(s).substr(std::string("CYCLE_STATE_").size()); }

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 32) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') return false;
  }
  return true;
}

const v1::PhaseWindow* WindowOf(const v1::Cycle& c, v1::CyclePhase phase) {
  for (const auto& w : c.windows()) {
    if (w.phase() == phase) return &w;
  }
  return nullptr;
}

// Output-only fields cleared, for comparing what a client asked for.
v1::Cycle Spec(v1::Cycle c) {
  c.clear_state();
  c.clear_etag();
  c.clear_create_time();
  c.clear_update_time();
  return c;
}

}  // namespace

v1::CycleState NextState(v1::CycleState state) {
  if (state == v1::CYCLE_STATE_UNSPECIFIED || state >= v1::CYCLE_STATE_CLOSED) return v1::CYCLE_STATE_UNSPECIFIED;
  return static_cast<v1::CycleState>(state + 1);
}

v1::CyclePhase PhaseOf(v1::CycleState state) {
  if (state >= v1::CYCLE_STATE_SELF_EVALUATION && state <= v1::CYCLE_STATE_FINAL_VERIFICATION) {
    return static_cast<v1::CyclePhase>(state - 1);
  }
  return v1::CYCLE_PHASE_UNSPECIFIED;
}

absl::Status CycleManager::Validate(const v1::Cycle& c) {
  Violations v;
  if (!ValidId(c.id())) v.Add("cycle.id", "required: letters, digits, '.', '-' or '_', at most 32 (e.g. \"2025\")");
  if (c.name().empty()) v.Add("cycle.name", "required, e.g. \"Evaluasi KLA 2025\"");
  if (c.rulebook_version().empty()) {
    v.Add("cycle.rulebook_version", "required");
  } else {
    KLA_ASSIGN_OR_RETURN(auto rb, rulebooks_->Get(c.rulebook_version()));
    if (!rb) v.Add("cycle.rulebook_version", absl::StrCat("no rulebook has version ", c.rulebook_version()));
  }
  if (c.windows_size() != v1::CyclePhase_ARRAYSIZE - 1) {
    v.Add("cycle.windows", absl::StrCat("one window per phase, in order: ", v1::CyclePhase_ARRAYSIZE - 1, " windows"));
  }
  for (int i = 0; i < c.windows_size(); ++i) {
    const auto& w = c.windows(i);
    const std::string f = absl::StrCat("cycle.windows[", i, "]");
    if (w.phase() != i + 1) {
      v.Add(f + ".phase", absl::StrCat("expected ", PhaseName(static_cast<v1::CyclePhase>(i + 1)), " here"));
    }
    if (!w.has_open_time() || !w.has_close_time() || FromProtoTime(w.open_time()) >= FromProtoTime(w.close_time())) {
      v.Add(f, "open_time and close_time are required, open before close");
    } else if (i > 0 && c.windows(i - 1).has_close_time() &&
               FromProtoTime(w.open_time()) < FromProtoTime(c.windows(i - 1).close_time())) {
      v.Add(f + ".open_time", "opens before the previous phase closes");
    }
  }
  if (!c.has_announcement_time()) {
    v.Add("cycle.announcement_time", "required: the award ceremony");
  } else if (c.windows_size() > 0 && c.windows(c.windows_size() - 1).has_close_time() &&
             FromProtoTime(c.announcement_time()) < FromProtoTime(c.windows(c.windows_size() - 1).close_time())) {
    v.Add("cycle.announcement_time", "is before the final verification closes");
  }
  return v.ToStatus("invalid cycle");
}

absl::StatusOr<StoredCycle> CycleManager::Load(absl::string_view id) {
  if (id.empty()) return InvalidField("cycle_id", "required");
  KLA_ASSIGN_OR_RETURN(std::optional<StoredCycle> c, cycles_->Get(id));
  if (!c) return NotFound("cycle", id);
  return *c;
}

absl::StatusOr<v1::Cycle> CycleManager::Create(const v1::Cycle& cycle) {
  KLA_RETURN_IF_ERROR(Validate(cycle));
  v1::Cycle c = Spec(cycle);
  const absl::Time now = clock_->Now();
  c.set_state(v1::CYCLE_STATE_PLANNED);
  *c.mutable_create_time() = ToProtoTime(now);
  *c.mutable_update_time() = ToProtoTime(now);
  absl::Status st = cycles_->Create(c, now);
  if (st.code() == absl::StatusCode::kAlreadyExists) {
    KLA_ASSIGN_OR_RETURN(StoredCycle existing, Load(c.id()));
    v1::Cycle stored_spec = Spec(existing.cycle);
    if (google::protobuf::util::MessageDifferencer::Equals(stored_spec, Spec(cycle))) {
      existing.cycle.set_etag(FormatEtag(kCycleEtag, existing.version));
      return existing.cycle;
    }
    return absl::AlreadyExistsError(absl::StrCat("cycle ", c.id(), " already exists"));
  }
  KLA_RETURN_IF_ERROR(st);
  c.set_etag(FormatEtag(kCycleEtag, 1));
  return c;
}

absl::StatusOr<v1::Cycle> CycleManager::Get(absl::string_view id) {
  KLA_ASSIGN_OR_RETURN(StoredCycle c, Load(id));
  c.cycle.set_etag(FormatEtag(kCycleEtag, c.version));
  return c.cycle;
}

absl::StatusOr<CyclePage> CycleManager::List(int page_size, absl::string_view page_token) {
  KLA_ASSIGN_OR_RETURN(const int size, ResolvePageSize(page_size));
  KLA_ASSIGN_OR_RETURN(const std::string after, DecodePageToken(page_token, "cycles"));
  KLA_ASSIGN_OR_RETURN(std::vector<StoredCycle> rows, cycles_->List(after, size + 1));
  CyclePage page;
  if (static_cast<int>(rows.size()) > size) {
    rows.resize(static_cast<size_t>(size));
    page.next_page_token = EncodePageToken("cycles", rows.back().cycle.id());
  }
  for (auto& r : rows) {
    r.cycle.set_etag(FormatEtag(kCycleEtag, r.version));
    page.cycles.push_back(std::move(r.cycle));
  }
  return page;
}

absl::Status CycleManager::CheckCorrectionOf(const std::string& in_force, const std::string& correction) {
  KLA_ASSIGN_OR_RETURN(auto was, rulebooks_->Get(in_force));
  KLA_ASSIGN_OR_RETURN(auto now, rulebooks_->Get(correction));
  if (!now) return InvalidField("cycle.rulebook_version", absl::StrCat("no rulebook has version ", correction));
  if (!was) return absl::InternalError(absl::StrCat("the cycle's rulebook ", in_force, " is not stored"));
  return CheckCorrection(was->rulebook, now->rulebook);
}

absl::StatusOr<v1::Cycle> CycleManager::Update(const v1::Cycle& cycle, const std::vector<std::string>& paths) {
  KLA_ASSIGN_OR_RETURN(StoredCycle stored, Load(cycle.id()));
  if (cycle.etag() != FormatEtag(kCycleEtag, stored.version)) {
    return StaleEtag(absl::StrCat("cycle ", cycle.id(), " was changed by someone else (etag ", cycle.etag(),
                                  " is stale, current is ", FormatEtag(kCycleEtag, stored.version),
                                  "): read it again"));
  }
  if (paths.empty()) return InvalidField("update_mask", "name at least one field to update");
  const v1::CycleState state = stored.cycle.state();
  if (state >= v1::CYCLE_STATE_PUBLISHED) {
    return WithReason(absl::FailedPreconditionError(
                          absl::StrCat("cycle ", cycle.id(), " is ", StateName(state), " and can no longer change")),
                      "CYCLE_CLOSED", {{"cycle_id", cycle.id()}, {"state", v1::CycleState_Name(state)}});
  }
  v1::Cycle next = stored.cycle;
  for (const auto& p : paths) {
    if (p == "name") {
      next.set_name(cycle.name());
    } else if (p == "windows") {
      *next.mutable_windows() = cycle.windows();
    } else if (p == "announcement_time") {
      *next.mutable_announcement_time() = cycle.announcement_time();
    } else if (p == "rulebook_version") {
      // Once open, only a correction of the same instrument (then
      // ScoringService.RecomputeCycle rescores what was answered).
      if (state != v1::CYCLE_STATE_PLANNED && cycle.rulebook_version() != stored.cycle.rulebook_version()) {
        KLA_RETURN_IF_ERROR(CheckCorrectionOf(stored.cycle.rulebook_version(), cycle.rulebook_version()));
      }
      next.set_rulebook_version(cycle.rulebook_version());
    } else {
      return InvalidField("update_mask", absl::StrCat("\"", p,
                                                      "\" cannot be updated; allowed: name, windows, "
                                                      "announcement_time, rulebook_version"));
    }
  }
  KLA_RETURN_IF_ERROR(Validate(next));
  *next.mutable_update_time() = ToProtoTime(clock_->Now());
  KLA_RETURN_IF_ERROR(cycles_->Update(next, stored.version, std::nullopt, {}));
  next.set_etag(FormatEtag(kCycleEtag, stored.version + 1));
  return next;
}

absl::StatusOr<v1::Cycle> CycleManager::Advance(absl::string_view id, absl::string_view etag, absl::string_view actor) {
  KLA_ASSIGN_OR_RETURN(StoredCycle stored, Load(id));
  if (!etag.empty() && etag != FormatEtag(kCycleEtag, stored.version)) {
    return StaleEtag(absl::StrCat("cycle ", id, " was changed by someone else (etag ", etag, " is stale, current is ",
                                  FormatEtag(kCycleEtag, stored.version), ")"));
  }
  const v1::CycleState from = stored.cycle.state();
  const v1::CycleState to = NextState(from);
  if (to == v1::CYCLE_STATE_UNSPECIFIED) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat("cycle ", id, " is closed")), "CYCLE_CLOSED",
                      {{"cycle_id", std::string(id)}, {"state", v1::CycleState_Name(from)}});
  }
  const absl::Time now = clock_->Now();
  absl::Time due = absl::InfinitePast();
  std::string what;
  if (const v1::CyclePhase phase = PhaseOf(to); phase != v1::CYCLE_PHASE_UNSPECIFIED) {
    due = FromProtoTime(WindowOf(stored.cycle, phase)->open_time());
    what = absl::StrCat("phase ", PhaseName(phase), " opens");
  } else if (to == v1::CYCLE_STATE_PUBLISHED) {
    due = FromProtoTime(WindowOf(stored.cycle, v1::CYCLE_PHASE_FINAL_VERIFICATION)->close_time());
    what = "final verification closes";
  } else {  // CLOSED
    due = FromProtoTime(stored.cycle.announcement_time());
    what = "the announcement is";
  }
  if (now < due) {
    return WithReason(
        absl::FailedPreconditionError(absl::StrCat("cycle ", id, " cannot move from ", StateName(from), " to ",
                                                   StateName(to), " before ", Iso(due), " (", what, " then)")),
        "CYCLE_NOT_DUE", {{"cycle_id", std::string(id)}, {"state", v1::CycleState_Name(to)}, {"due", FormatWib(due)}});
  }
  v1::Cycle next = stored.cycle;
  next.set_state(to);
  *next.mutable_update_time() = ToProtoTime(now);
  v1::CycleTransition t;
  t.set_from_state(from);
  t.set_to_state(to);
  *t.mutable_time() = ToProtoTime(now);
  t.set_actor(std::string(actor));
  std::vector<outbox::OutgoingEvent> events;
  if (to == v1::CYCLE_STATE_SELF_EVALUATION) {  // the cycle opens: notification plans its reminders
    auto opened = std::make_shared<v1::CycleOpened>();
    *opened->mutable_cycle() = next;
    events.push_back({"notification", std::move(opened)});
  }
  KLA_RETURN_IF_ERROR(cycles_->Update(next, stored.version, t, events));
  next.set_etag(FormatEtag(kCycleEtag, stored.version + 1));
  return next;
}

absl::StatusOr<std::vector<v1::CycleTransition>> CycleManager::History(absl::string_view id) {
  KLA_RETURN_IF_ERROR(Load(id).status());
  return cycles_->Transitions(id);
}

absl::StatusOr<v1::RegionExtension> CycleManager::GrantExtension(const v1::RegionExtension& req,
                                                                 absl::string_view request_id,
                                                                 absl::string_view actor) {
  Violations v;
  if (request_id.empty()) v.Add("request_id", "required: a client-chosen id that makes retries safe");
  if (!IsRegencyCode(req.region_code())) v.Add("region_code", "required: a kabupaten/kota code such as \"35.72\"");
  if (req.phase() == v1::CYCLE_PHASE_UNSPECIFIED || !v1::CyclePhase_IsValid(req.phase())) {
    v.Add("phase", "required");
  }
  if (req.reason().empty()) v.Add("reason", "required: why the region gets more time");
  if (!req.has_close_time()) v.Add("close_time", "required");
  KLA_RETURN_IF_ERROR(v.ToStatus("invalid extension"));
  KLA_ASSIGN_OR_RETURN(StoredCycle stored, Load(req.cycle_id()));
  if (stored.cycle.state() >= v1::CYCLE_STATE_PUBLISHED) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(
                          "cycle ", req.cycle_id(), " is ", StateName(stored.cycle.state()), ": no more extensions")),
                      "CYCLE_CLOSED",
                      {{"cycle_id", req.cycle_id()}, {"state", v1::CycleState_Name(stored.cycle.state())}});
  }
  KLA_ASSIGN_OR_RETURN(std::optional<Region> region, regions_->Get(req.region_code()));
  if (!region) return NotFound("region", req.region_code());
  const absl::Time closes = FromProtoTime(WindowOf(stored.cycle, req.phase())->close_time());
  if (FromProtoTime(req.close_time()) <= closes) {
    return InvalidField("close_time", absl::StrCat("must be after the phase's own close, ", Iso(closes)));
  }
  v1::RegionExtension ext = req;
  ext.set_granted_by(std::string(actor));
  *ext.mutable_grant_time() = ToProtoTime(clock_->Now());
  KLA_ASSIGN_OR_RETURN(v1::RegionExtension granted, cycles_->AddExtension(ext, request_id));
  const bool same = granted.cycle_id() == req.cycle_id() && granted.region_code() == req.region_code() &&
                    granted.phase() == req.phase() && granted.reason() == req.reason() &&
                    FromProtoTime(granted.close_time()) == FromProtoTime(req.close_time());
  if (!same) {
    return WithReason(InvalidField("request_id", "already used for another extension"), "REQUEST_ID_REUSED");
  }
  return granted;
}

absl::StatusOr<std::vector<v1::RegionExtension>> CycleManager::Extensions(absl::string_view cycle_id,
                                                                          absl::string_view region_code) {
  KLA_RETURN_IF_ERROR(Load(cycle_id).status());
  if (!region_code.empty()) KLA_RETURN_IF_ERROR(ValidateRegionCode("region_code", region_code));
  return cycles_->Extensions(cycle_id, region_code);
}

absl::StatusOr<RegionWindow> CycleManager::WindowFor(absl::string_view cycle_id, absl::string_view region_code,
                                                     v1::CyclePhase phase) {
  if (phase == v1::CYCLE_PHASE_UNSPECIFIED || !v1::CyclePhase_IsValid(phase)) return InvalidField("phase", "required");
  KLA_RETURN_IF_ERROR(ValidateRegionCode("region_code", region_code));
  KLA_ASSIGN_OR_RETURN(StoredCycle stored, Load(cycle_id));
  KLA_ASSIGN_OR_RETURN(auto exts, cycles_->Extensions(cycle_id, region_code));
  std::optional<RegionPhaseWindow> w = WindowOfRegion(stored.cycle, exts, region_code, phase);
  if (!w) return absl::InternalError("a stored cycle without a window for every phase");  // Validate requires them
  return RegionWindow{.open_time = w->open, .close_time = w->close, .extension = w->extension};
}

}  // namespace kla::registry
