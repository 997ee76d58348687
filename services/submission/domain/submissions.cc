#include "services/submission/domain/submissions.h"

#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "kla/submission/v1/events.pb.h"
#include "libs/auth/password.h"
#include "libs/common/errors.h"
#include "libs/common/ids.h"
#include "libs/common/log.h"
#include "libs/common/page_token.h"
#include "libs/common/status_macros.h"
#include "libs/common/text.h"
#include "libs/kernel/etag.h"
#include "libs/kernel/region_code.h"
#include "libs/kernel/time.h"
#include "libs/score/score_engine.h"

namespace kla::submission {
namespace {

using google::protobuf::util::MessageDifferencer;
using google::protobuf::util::TimeUtil;

constexpr size_t kMaxNote = 2000;
constexpr size_t kMaxReason = 2000;

absl::Status ValidateKey(const std::string& cycle_id, const std::string& region_code) {
  Violations v;
  if (cycle_id.empty()) v.Add("cycle_id", "required, e.g. \"2025\"");
  if (!IsRegencyCode(region_code)) v.Add("region_code", "a kabupaten/kota code such as \"35.72\"");
  return v.ToStatus("invalid submission key");
}

Position PositionOf(const v1::Submission& s) { return Position{s.state(), s.stage()}; }

// A stable digest of what a request asked, to refuse a request id reused for
// something else.
template <typename... Messages>
std::string Fingerprint(absl::string_view kind, const Messages&... parts) {
  std::string bytes(kind);
  (absl::StrAppend(&bytes, "\n", parts), ...);
  return auth::SecretDigest(bytes);
}

std::string Serialize(const google::protobuf::Message& m) {
  std::string out;
  m.SerializeToString(&out);  // deterministic enough for a digest of one request
  return out;
}

v1::AuditEntry Entry(v1::AuditAction action, const std::string& item_id, type::v1::Stage stage,
                     const std::string& actor, absl::Time now, const std::string& request_id) {
  v1::AuditEntry e;
  e.set_action(action);
  e.set_item_id(item_id);
  e.set_stage(stage);
  e.set_actor(actor);
  *e.mutable_time() = ToProtoTime(now);
  e.set_request_id(request_id);
  return e;
}

template <typename M>
OutgoingEvent Event(const std::string& target, M message) {
  return OutgoingEvent{target, std::make_shared<M>(std::move(message))};
}

// The region's notice of its open return (a return, or its new deadline).
OutgoingEvent ReturnNoticeEvent(const v1::Submission& s) {
  v1::SubmissionReturned event;
  event.set_cycle_id(s.cycle_id());
  event.set_region_code(s.region_code());
  *event.mutable_notice() = s.open_return();
  return Event("notification", std::move(event));
}

OutgoingEvent NotCompletedEvent(const v1::Submission& s, const TransitionCommand& cmd, const auth::Principal& caller,
                                absl::Time now, const char* to) {
  v1::SubmissionNotCompleted event;
  event.set_cycle_id(s.cycle_id());
  event.set_region_code(s.region_code());
  event.set_stage(s.stage());
  *event.mutable_notice() = s.open_return();
  event.set_reason(cmd.reason);
  event.set_closed_by(caller.subject);
  *event.mutable_close_time() = ToProtoTime(now);
  return Event(to, std::move(event));
}

}  // namespace

FieldVerificationGate ThresholdGate() {
  return [](const RulebookIndex& rulebook, const v1::StageAnswers& provincial) -> absl::StatusOr<bool> {
    const score::Score s = score::Compute(rulebook.rulebook(), score::FromAnswers(provincial.answers()));
    return s.total_hundredths >= rulebook.rulebook().field_verification_threshold().hundredths();
  };
}

std::vector<v1::Answer> AnswersInForce(const RulebookIndex& rulebook, const v1::Submission& s) {
  std::map<std::string, v1::Answer> by_item;
  for (const auto& a : s.answers()) by_item[a.item_id()] = a;
  for (const auto& adj : s.adjustments()) {  // oldest first: the latest wins
    v1::Answer& a = by_item[adj.item_id()];
    a.set_item_id(adj.item_id());
    *a.mutable_value() = adj.value();
    a.set_answered_by(adj.adjusted_by());
    *a.mutable_update_time() = adj.adjust_time();
  }
  std::vector<v1::Answer> out;
  for (const auto& id : rulebook.item_ids()) {
    auto it = by_item.find(id);
    if (it != by_item.end() && it->second.has_value()) out.push_back(it->second);
  }
  return out;
}

absl::Status SubmissionManager::FillEvidence(Context* ctx) {
  const v1::Submission& sub = ctx->stored.submission;
  // Attached evidence shows on its item's answer (derived, not stored).
  KLA_ASSIGN_OR_RETURN(std::vector<v1::Evidence> evidence, store_->ListEvidence(sub.cycle_id(), sub.region_code(), ""));
  std::map<std::string, std::vector<std::string>> by_item;
  for (const auto& e : evidence) {
    if (e.attached()) by_item[e.item_id()].push_back(e.evidence_id());
  }
  for (auto& a : *ctx->stored.submission.mutable_answers()) {
    a.clear_evidence_ids();
    auto it = by_item.find(a.item_id());
    if (it == by_item.end()) continue;
    for (const auto& id : it->second) a.add_evidence_ids(id);
  }
  for (const auto& [item, ids] : by_item) ctx->evidence_items.insert(item);
  return absl::OkStatus();
}

absl::StatusOr<SubmissionManager::Context> SubmissionManager::Load(const std::string& cycle_id,
                                                                   const std::string& region_code) {
  KLA_RETURN_IF_ERROR(ValidateKey(cycle_id, region_code));
  KLA_RETURN_IF_ERROR(directory_->CheckRegency(region_code));
  Context ctx;
  KLA_ASSIGN_OR_RETURN(ctx.cycle, directory_->GetCycle(cycle_id));
  KLA_ASSIGN_OR_RETURN(ctx.rulebook, directory_->GetRulebook(ctx.cycle.rulebook_version()));
  KLA_ASSIGN_OR_RETURN(std::optional<StoredSubmission> stored, store_->Get(cycle_id, region_code));
  if (stored) {
    ctx.stored = *std::move(stored);
  } else {
    v1::Submission& s = ctx.stored.submission;
    s.set_cycle_id(cycle_id);
    s.set_region_code(region_code);
    s.set_rulebook_version(ctx.cycle.rulebook_version());
    s.set_state(v1::SUBMISSION_STATE_DRAFT);
    s.set_stage(type::v1::STAGE_SELF_EVALUATION);
  }
  KLA_RETURN_IF_ERROR(FillEvidence(&ctx));
  return ctx;
}

absl::Status SubmissionManager::CheckWindow(const Context& ctx, const std::string& region_code, Action action,
                                            bool deciding) {
  const v1::Submission& s = ctx.stored.submission;
  const absl::Time now = clock_->Now();
  if ((action == Action::kEdit || action == Action::kSubmit) && s.state() == v1::SUBMISSION_STATE_RETURNED) {
    const absl::Time deadline = FromProtoTime(s.open_return().deadline());
    if (now > deadline) {
      return WithReason(absl::FailedPreconditionError(
                            absl::StrCat("the deadline of the return passed at ", FormatWib(deadline),
                                         ": the verifier of this stage can set a new one (ExtendReturnDeadline)")),
                        "RETURN_DEADLINE_PASSED", {{"deadline", FormatWib(deadline)}});
    }
    return absl::OkStatus();
  }
  KLA_ASSIGN_OR_RETURN(Window w,
                       directory_->GetWindow(s.cycle_id(), region_code, PhaseOf(PositionOf(s), action), deciding));
  const std::string phase = registry::v1::CyclePhase_Name(PhaseOf(PositionOf(s), action));
  if (now < w.open) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat("this phase opens at ", FormatWib(w.open))),
                      "PHASE_NOT_OPEN", {{"phase", phase}, {"opens", FormatWib(w.open)}});
  }
  if (now > w.close) {
    return WithReason(
        absl::FailedPreconditionError(absl::StrCat("the deadline passed at ", FormatWib(w.close),
                                                   w.extended ? " (already extended for this region)" : "")),
        "DEADLINE_PASSED",
        {{"phase", phase}, {"deadline", FormatWib(w.close)}, {"extended", w.extended ? "true" : "false"}});
  }
  return absl::OkStatus();
}

absl::Status SubmissionManager::CheckEtag(const StoredSubmission& stored, const std::string& etag, bool required) {
  if (required && etag.empty()) return InvalidField("etag", "required: the etag you read");
  if (etag != FormatEtag(kSubmissionEtag, stored.version)) {
    return StaleEtag(absl::StrCat("the submission was changed by someone else (etag \"", etag,
                                  "\" is stale, current is \"", FormatEtag(kSubmissionEtag, stored.version),
                                  "\"): read it again; nothing was saved"));
  }
  return absl::OkStatus();
}

v1::Submission SubmissionManager::View(const Context& ctx, const auth::Principal& caller) {
  v1::Submission s = ctx.stored.submission;
  s.set_etag(FormatEtag(kSubmissionEtag, ctx.stored.version));
  const RulebookIndex& rb = *ctx.rulebook;
  std::set<std::string> answered;
  for (const auto& a : s.answers()) {
    if (a.has_value()) answered.insert(a.item_id());
  }
  v1::Progress* p = s.mutable_progress();
  std::map<int, std::pair<int, int>> per_indicator;
  std::map<int, std::pair<int, int>> per_cluster;
  for (const auto& id : rb.item_ids()) {
    const RulebookIndex::Item* item = rb.Find(id);
    const bool done = answered.contains(id);
    if (item->rule->evidence_required() && !ctx.evidence_items.contains(id)) p->add_missing_evidence(id);
    p->set_required(p->required() + 1);
    if (done) {
      p->set_answered(p->answered() + 1);
    } else {
      p->add_missing_items(id);
    }
    auto& ind = per_indicator[item->indicator];
    auto& clu = per_cluster[item->cluster];
    ++ind.second;
    ++clu.second;
    if (done) {
      ++ind.first;
      ++clu.first;
    }
  }
  for (const auto& [number, counts] : per_indicator) {
    auto* ip = p->add_indicators();
    ip->set_indicator(number);
    ip->set_answered(counts.first);
    ip->set_required(counts.second);
  }
  for (const auto& [cluster, counts] : per_cluster) {
    auto* cp = p->add_clusters();
    cp->set_cluster(static_cast<type::v1::Cluster>(cluster));
    cp->set_answered(counts.first);
    cp->set_required(counts.second);
  }
  const Position pos = PositionOf(s);
  auto may = [&](Action action) {
    return RoleMay(caller.role, action, pos) && Next(pos, action, false).ok() &&
           CheckWindow(ctx, s.region_code(), action, /*deciding=*/false).ok();
  };
  s.mutable_allowed()->set_may_edit(may(Action::kEdit));
  s.mutable_allowed()->set_may_submit(may(Action::kSubmit));
  s.mutable_allowed()->set_may_return(may(Action::kReturn));
  s.mutable_allowed()->set_may_extend_return(may(Action::kExtendReturn));
  s.mutable_allowed()->set_may_mark_not_completed(may(Action::kMarkNotCompleted));
  bool waiting_objection = false;
  for (const auto& o : s.objections()) waiting_objection |= o.state() == v1::OBJECTION_STATE_FILED;
  s.mutable_allowed()->set_may_verify(may(Action::kVerify) && !waiting_objection);
  s.mutable_allowed()->set_may_object(may(Action::kObject) && s.objections_size() < rb.rulebook().indicators_size());
  s.mutable_allowed()->set_may_resolve_objection(waiting_objection &&
                                                 RoleMay(caller.role, Action::kResolveObjection, pos) &&
                                                 Next(pos, Action::kResolveObjection, false).ok());
  return s;
}

absl::StatusOr<std::optional<RecordedRequest>> SubmissionManager::Replay(const std::string& request_id,
                                                                         const std::string& fingerprint) {
  if (request_id.empty()) return InvalidField("request_id", "required: a client-chosen id that makes retries safe");
  KLA_ASSIGN_OR_RETURN(std::optional<RecordedRequest> earlier, store_->FindRequest(request_id));
  if (earlier && earlier->fingerprint != fingerprint) {
    return WithReason(InvalidField("request_id", "already used for a different request"), "REQUEST_ID_REUSED");
  }
  return earlier;
}

absl::Status SubmissionManager::Commit(SubmissionChange& change) {
  // The answer recorded for retries carries the etag of the version this
  // change makes.
  change.next.submission.set_etag(FormatEtag(kSubmissionEtag, change.next.version + 1));
  return store_->Commit(change);
}

v1::Submission SubmissionManager::Replayed(const RecordedRequest& earlier, Context ctx, const auth::Principal& caller) {
  ctx.stored.submission = earlier.submission;
  ctx.stored.version = ParseEtag(kSubmissionEtag, earlier.submission.etag()).value_or(0);
  ctx.stored.submission.clear_etag();
  return View(ctx, caller);
}

absl::StatusOr<v1::Submission> SubmissionManager::AfterFailedCommit(const absl::Status& status,
                                                                    const std::string& request_id, const Context& ctx,
                                                                    const auth::Principal& caller) {
  // The same request may have been applied by a concurrent retry: then its
  // result is the answer, not a conflict.
  if (status.code() == absl::StatusCode::kAborted || status.code() == absl::StatusCode::kAlreadyExists) {
    KLA_ASSIGN_OR_RETURN(std::optional<RecordedRequest> applied, store_->FindRequest(request_id));
    if (applied) return Replayed(*applied, ctx, caller);
  }
  return status;
}

absl::StatusOr<v1::Submission> SubmissionManager::Get(const std::string& cycle_id, const std::string& region_code,
                                                      const auth::Principal& caller) {
  KLA_ASSIGN_OR_RETURN(Context ctx, Load(cycle_id, region_code));
  return View(ctx, caller);
}

absl::StatusOr<SubmissionPage> SubmissionManager::List(const SubmissionFilter& filter, bool full, int page_size,
                                                       const std::string& page_token, const auth::Principal& caller) {
  if (filter.cycle_id.empty()) return InvalidField("cycle_id", "required");
  if (!filter.province_code.empty() && !IsProvinceCode(filter.province_code)) {
    return InvalidField("province_code", "a province code such as \"35\"");
  }
  KLA_ASSIGN_OR_RETURN(const int size, ResolvePageSize(page_size));
  const std::string fingerprint =
      absl::StrCat("submissions|", filter.cycle_id, "|", filter.province_code, "|", filter.state);
  KLA_ASSIGN_OR_RETURN(const std::string after, DecodePageToken(page_token, fingerprint));
  Context ctx;
  KLA_ASSIGN_OR_RETURN(ctx.cycle, directory_->GetCycle(filter.cycle_id));
  KLA_ASSIGN_OR_RETURN(ctx.rulebook, directory_->GetRulebook(ctx.cycle.rulebook_version()));
  KLA_ASSIGN_OR_RETURN(std::vector<StoredSubmission> rows, store_->List(filter, after, size + 1));
  SubmissionPage page;
  if (static_cast<int>(rows.size()) > size) {
    rows.resize(static_cast<size_t>(size));
    page.next_page_token = EncodePageToken(fingerprint, rows.back().submission.region_code());
  }
  for (auto& row : rows) {
    ctx.stored = std::move(row);
    ctx.evidence_items.clear();
    KLA_RETURN_IF_ERROR(FillEvidence(&ctx));
    v1::Submission s = full ? View(ctx, caller) : ctx.stored.submission;
    if (!full) {
      // Progress without the answers: what a national overview needs.
      v1::Submission viewed = View(ctx, caller);
      s.clear_answers();
      s.clear_adjustments();
      *s.mutable_progress() = viewed.progress();
      s.mutable_progress()->clear_missing_items();
      s.set_etag(viewed.etag());
    }
    page.submissions.push_back(std::move(s));
  }
  return page;
}

absl::StatusOr<v1::Submission> SubmissionManager::SaveAnswers(const SaveCommand& cmd, const auth::Principal& caller) {
  std::string answers_bytes;
  for (const auto& a : cmd.answers) absl::StrAppend(&answers_bytes, Serialize(a), "|");
  for (const auto& c : cmd.clear_item_ids) absl::StrAppend(&answers_bytes, "clear:", c, "|");
  const std::string fingerprint = Fingerprint("save", cmd.cycle_id, cmd.region_code, cmd.etag, answers_bytes);
  KLA_ASSIGN_OR_RETURN(std::optional<RecordedRequest> earlier, Replay(cmd.request_id, fingerprint));
  KLA_ASSIGN_OR_RETURN(Context ctx, Load(cmd.cycle_id, cmd.region_code));
  if (earlier) return Replayed(*earlier, ctx, caller);  // a retry: the first result
  const Position pos = PositionOf(ctx.stored.submission);
  if (!RoleMay(caller.role, Action::kEdit, pos)) {
    return WithReason(
        absl::PermissionDeniedError("only the region's operator and OPD contributors answer its self-evaluation"),
        "ROLE_NOT_ALLOWED", {{"role", std::string(auth::RoleName(caller.role))}});
  }
  KLA_RETURN_IF_ERROR(Next(pos, Action::kEdit, false).status());
  KLA_RETURN_IF_ERROR(CheckWindow(ctx, cmd.region_code, Action::kEdit));
  KLA_RETURN_IF_ERROR(CheckEtag(ctx.stored, cmd.etag, false));

  const RulebookIndex& rb = *ctx.rulebook;
  Violations v;
  std::set<std::string> seen;
  for (size_t i = 0; i < cmd.answers.size(); ++i) {
    const v1::Answer& a = cmd.answers[i];
    const std::string f = absl::StrCat("answers[", i, "]");
    const RulebookIndex::Item* item = rb.Find(a.item_id());
    if (item == nullptr) {
      v.Add(f + ".item_id", absl::StrCat("no item \"", a.item_id(), "\" in rulebook ", rb.version()));
      continue;
    }
    if (!seen.insert(a.item_id()).second) v.Add(f + ".item_id", absl::StrCat("item ", a.item_id(), " given twice"));
    if (!a.has_value()) {
      v.Add(f + ".value", absl::StrCat("item ", a.item_id(), ": a value is required (clear_item_ids clears)"));
    } else {
      score::CheckAnswerValue(*item->rule, a.value(), f + ".value", &v);
    }
    if (a.note().size() > kMaxNote || !IsValidUtf8(a.note())) {
      v.Add(f + ".note", absl::StrCat("item ", a.item_id(), ": at most ", kMaxNote, " bytes of UTF-8"));
    }
  }
  for (size_t i = 0; i < cmd.clear_item_ids.size(); ++i) {
    const std::string& id = cmd.clear_item_ids[i];
    const std::string f = absl::StrCat("clear_item_ids[", i, "]");
    if (rb.Find(id) == nullptr) v.Add(f, absl::StrCat("no item \"", id, "\" in rulebook ", rb.version()));
    if (!seen.insert(id).second) v.Add(f, absl::StrCat("item ", id, " is both answered and cleared"));
  }
  if (cmd.answers.empty() && cmd.clear_item_ids.empty()) v.Add("answers", "give at least one answer or item to clear");
  KLA_RETURN_IF_ERROR(v.ToStatus("invalid answers"));

  const absl::Time now = clock_->Now();
  const type::v1::Stage stage = ctx.stored.submission.stage();
  SubmissionChange change;
  change.request_id = cmd.request_id;
  change.request_fingerprint = fingerprint;
  std::map<std::string, v1::Answer> current;
  for (auto& a : *ctx.stored.submission.mutable_answers()) current[a.item_id()] = std::move(a);
  for (const v1::Answer& a : cmd.answers) {
    v1::Answer& slot = current[a.item_id()];
    if (slot.has_value() && MessageDifferencer::Equals(slot.value(), a.value()) && slot.note() == a.note()) continue;
    v1::AuditEntry e = Entry(v1::AUDIT_ACTION_ANSWER_SAVED, a.item_id(), stage, caller.subject, now, cmd.request_id);
    if (slot.has_value()) *e.mutable_before() = slot.value();
    *e.mutable_after() = a.value();
    e.set_detail(a.note());
    change.audit.push_back(std::move(e));
    slot.set_item_id(a.item_id());
    *slot.mutable_value() = a.value();
    slot.set_note(a.note());
    slot.set_answered_by(caller.subject);
    *slot.mutable_update_time() = ToProtoTime(now);
  }
  for (const std::string& id : cmd.clear_item_ids) {
    auto it = current.find(id);
    if (it == current.end()) continue;
    v1::AuditEntry e = Entry(v1::AUDIT_ACTION_ANSWER_CLEARED, id, stage, caller.subject, now, cmd.request_id);
    *e.mutable_before() = it->second.value();
    change.audit.push_back(std::move(e));
    current.erase(it);
  }
  v1::Submission& next = ctx.stored.submission;
  next.clear_answers();
  for (const auto& id : rb.item_ids()) {
    auto it = current.find(id);
    if (it != current.end()) *next.add_answers() = std::move(it->second);
  }
  if (ctx.stored.version == 0) *next.mutable_create_time() = ToProtoTime(now);
  *next.mutable_update_time() = ToProtoTime(now);
  change.next = ctx.stored;
  if (absl::Status st = Commit(change); !st.ok()) return AfterFailedCommit(st, cmd.request_id, ctx, caller);
  ++ctx.stored.version;
  return View(ctx, caller);
}

absl::StatusOr<v1::Submission> SubmissionManager::Submit(const TransitionCommand& cmd, const auth::Principal& caller) {
  return Transition(cmd, caller, Action::kSubmit, nullptr);
}

absl::StatusOr<v1::Submission> SubmissionManager::Return(const TransitionCommand& cmd, const auth::Principal& caller) {
  return Transition(cmd, caller, Action::kReturn, nullptr);
}

absl::StatusOr<v1::Submission> SubmissionManager::ExtendReturn(const TransitionCommand& cmd,
                                                               const auth::Principal& caller) {
  return Transition(cmd, caller, Action::kExtendReturn, nullptr);
}

absl::StatusOr<v1::Submission> SubmissionManager::MarkNotCompleted(const TransitionCommand& cmd,
                                                                   const auth::Principal& caller) {
  return Transition(cmd, caller, Action::kMarkNotCompleted, nullptr);
}

absl::StatusOr<VerifyOutcome> SubmissionManager::Verify(const TransitionCommand& cmd, const auth::Principal& caller) {
  std::optional<v1::StageAnswers> completed;
  KLA_ASSIGN_OR_RETURN(v1::Submission s, Transition(cmd, caller, Action::kVerify, &completed));
  if (!completed) {
    KLA_ASSIGN_OR_RETURN(RecordedRequest earlier, [&]() -> absl::StatusOr<RecordedRequest> {
      KLA_ASSIGN_OR_RETURN(std::optional<RecordedRequest> r, store_->FindRequest(cmd.request_id));
      if (!r || !r->stage_answers) return absl::InternalError("verification recorded without its stage answers");
      return *r;
    }());
    completed = earlier.stage_answers;
  }
  return VerifyOutcome{std::move(s), *std::move(completed)};
}

absl::StatusOr<v1::Submission> SubmissionManager::Transition(const TransitionCommand& cmd,
                                                             const auth::Principal& caller, Action action,
                                                             std::optional<v1::StageAnswers>* completed) {
  std::string details;
  for (const auto& r : cmd.returns) absl::StrAppend(&details, Serialize(r), "|");
  for (const auto& a : cmd.adjustments) absl::StrAppend(&details, Serialize(a), "|");
  const std::string fingerprint = Fingerprint(
      ActionName(action), cmd.cycle_id, cmd.region_code, cmd.etag, absl::StrCat(details, cmd.reason),
      action == Action::kReturn || action == Action::kExtendReturn ? absl::FormatTime(cmd.deadline) : std::string());
  KLA_ASSIGN_OR_RETURN(std::optional<RecordedRequest> earlier, Replay(cmd.request_id, fingerprint));
  KLA_ASSIGN_OR_RETURN(Context ctx, Load(cmd.cycle_id, cmd.region_code));
  if (earlier) return Replayed(*earlier, ctx, caller);  // a retry: the first result
  v1::Submission& s = ctx.stored.submission;
  const Position pos = PositionOf(s);
  if (!RoleMay(caller.role, action, pos)) {
    log::Warn("submission action refused", {{"subject", caller.subject},
                                            {"role", auth::RoleName(caller.role)},
                                            {"action", ActionName(action)},
                                            {"region", cmd.region_code},
                                            {"state", Describe(pos)}});
    return WithReason(absl::PermissionDeniedError(absl::StrCat("your role may not ", ActionName(action),
                                                               " a submission that is ", Describe(pos))),
                      "ROLE_NOT_ALLOWED",
                      {{"role", std::string(auth::RoleName(caller.role))},
                       {"action", std::string(ActionName(action))},
                       {"state", v1::SubmissionState_Name(pos.state)},
                       {"stage", type::v1::Stage_Name(pos.stage)}});
  }
  KLA_RETURN_IF_ERROR(Next(pos, action, false).status());
  KLA_RETURN_IF_ERROR(CheckWindow(ctx, cmd.region_code, action));
  KLA_RETURN_IF_ERROR(CheckEtag(ctx.stored, cmd.etag, true));

  const RulebookIndex& rb = *ctx.rulebook;
  const absl::Time now = clock_->Now();
  SubmissionChange change;
  change.request_id = cmd.request_id;
  change.request_fingerprint = fingerprint;
  bool needs_field = false;

  if (action == Action::kSubmit) {
    std::vector<PreconditionViolation> missing;
    std::set<std::string> answered;
    for (const auto& a : s.answers()) answered.insert(a.item_id());
    for (const auto& id : rb.item_ids()) {
      if (!answered.contains(id)) {
        missing.push_back({"MISSING_ANSWER", id, absl::StrCat("item ", id, " belum dijawab / not answered")});
      }
    }
    const size_t unanswered = missing.size();
    for (const auto& id : rb.item_ids()) {
      if (rb.Find(id)->rule->evidence_required() && !ctx.evidence_items.contains(id)) {
        missing.push_back(
            {"MISSING_EVIDENCE", id, absl::StrCat("item ", id, " belum ada data dukung / needs evidence")});
      }
    }
    if (!missing.empty()) {
      return WithReason(
          FailedPreconditionWithViolations(
              absl::StrCat("nothing was submitted: ", unanswered, " of ", rb.size(), " items not answered, ",
                           missing.size() - unanswered, " without the evidence they need"),
              missing),
          "SUBMISSION_INCOMPLETE",
          {{"unanswered", std::to_string(unanswered)},
           {"without_evidence", std::to_string(missing.size() - unanswered)}});
    }
    change.audit.push_back(Entry(v1::AUDIT_ACTION_SUBMITTED, "", s.stage(), caller.subject, now, cmd.request_id));
    s.clear_open_return();
    *s.mutable_submit_time() = ToProtoTime(now);
    // The self-evaluation as submitted: scored as its own stage.
    v1::StageAnswers self;
    self.set_cycle_id(s.cycle_id());
    self.set_region_code(s.region_code());
    self.set_stage(type::v1::STAGE_SELF_EVALUATION);
    self.set_rulebook_version(rb.version());
    for (const auto& a : s.answers()) *self.add_answers() = a;
    *self.mutable_complete_time() = ToProtoTime(now);
    change.stage_answers = self;
  } else if (action == Action::kReturn) {
    Violations v;
    if (cmd.returns.empty()) v.Add("items", "name at least one item to correct, with its reason");
    std::set<std::string> seen;
    for (size_t i = 0; i < cmd.returns.size(); ++i) {
      const auto& r = cmd.returns[i];
      const std::string f = absl::StrCat("items[", i, "]");
      if (rb.Find(r.item_id()) == nullptr) v.Add(f + ".item_id", absl::StrCat("no item \"", r.item_id(), "\""));
      if (!seen.insert(r.item_id()).second) v.Add(f + ".item_id", "listed twice");
      if (absl::StripAsciiWhitespace(r.reason()).empty() || r.reason().size() > kMaxReason) {
        v.Add(f + ".reason", absl::StrCat("required, at most ", kMaxReason, " bytes: what to correct"));
      }
    }
    KLA_ASSIGN_OR_RETURN(Window w, directory_->GetWindow(s.cycle_id(), s.region_code(), PhaseOf(pos, action), true));
    if (cmd.deadline <= now || cmd.deadline > w.close) {
      v.Add("deadline", absl::StrCat("after now and at most the close of this stage (", FormatWib(w.close), ")"));
    }
    KLA_RETURN_IF_ERROR(v.ToStatus("invalid return"));
    v1::ReturnNotice* notice = s.mutable_open_return();
    notice->Clear();
    notice->set_stage(s.stage());
    for (const auto& r : cmd.returns) {
      *notice->add_items() = r;
      v1::AuditEntry e = Entry(v1::AUDIT_ACTION_RETURNED, r.item_id(), s.stage(), caller.subject, now, cmd.request_id);
      e.set_detail(r.reason());
      change.audit.push_back(std::move(e));
    }
    *notice->mutable_deadline() = ToProtoTime(cmd.deadline);
    notice->set_returned_by(caller.subject);
    *notice->mutable_return_time() = ToProtoTime(now);
    change.events.push_back(ReturnNoticeEvent(s));
  } else if (action == Action::kExtendReturn) {
    KLA_ASSIGN_OR_RETURN(Window w, directory_->GetWindow(s.cycle_id(), s.region_code(), PhaseOf(pos, action), true));
    Violations v;
    if (absl::StripAsciiWhitespace(cmd.reason).empty()) v.Add("reason", "required: why the deadline moves");
    if (cmd.deadline <= now || cmd.deadline > w.close) {
      v.Add("deadline", absl::StrCat("after now and at most the close of this stage (", FormatWib(w.close),
                                     "; the ministry can extend it for the region)"));
    }
    KLA_RETURN_IF_ERROR(v.ToStatus("the deadline of the return was not changed"));
    v1::ReturnNotice* notice = s.mutable_open_return();
    v1::AuditEntry e =
        Entry(v1::AUDIT_ACTION_RETURN_DEADLINE_CHANGED, "", s.stage(), caller.subject, now, cmd.request_id);
    e.set_detail(
        absl::StrCat(FormatWib(FromProtoTime(notice->deadline())), " -> ", FormatWib(cmd.deadline), ": ", cmd.reason));
    change.audit.push_back(std::move(e));
    *notice->mutable_deadline() = ToProtoTime(cmd.deadline);
    change.events.push_back(ReturnNoticeEvent(s));  // as of the return: the same notice, new deadline
  } else if (action == Action::kMarkNotCompleted) {
    if (absl::StripAsciiWhitespace(cmd.reason).empty()) {
      return InvalidField("reason", "required: why the return is closed as not completed");
    }
    v1::AuditEntry e = Entry(v1::AUDIT_ACTION_RETURN_NOT_COMPLETED, "", s.stage(), caller.subject, now, cmd.request_id);
    e.set_detail(cmd.reason);
    change.audit.push_back(std::move(e));
    for (const char* to : {"scoring", "notification"})
      change.events.push_back(NotCompletedEvent(s, cmd, caller, now, to));
    s.clear_open_return();  // closed: the events carry it
  } else {                  // verify
    for (const auto& o : s.objections()) {
      if (o.state() == v1::OBJECTION_STATE_FILED) {
        return WithReason(absl::FailedPreconditionError(absl::StrCat("objection ", o.objection_id(), " (indicator ",
                                                                     o.indicator(), ") waits for its decision")),
                          "OBJECTION_PENDING",
                          {{"indicator", std::to_string(o.indicator())}, {"objection_id", o.objection_id()}});
      }
    }
    Violations v;
    std::set<std::string> seen;
    for (size_t i = 0; i < cmd.adjustments.size(); ++i) {
      const auto& adj = cmd.adjustments[i];
      const std::string f = absl::StrCat("adjustments[", i, "]");
      const RulebookIndex::Item* item = rb.Find(adj.item_id());
      if (item == nullptr) {
        v.Add(f + ".item_id", absl::StrCat("no item \"", adj.item_id(), "\""));
        continue;
      }
      if (!seen.insert(adj.item_id()).second) v.Add(f + ".item_id", "listed twice");
      if (!adj.has_value()) {
        v.Add(f + ".value", "required: the value the verifier found");
      } else {
        score::CheckAnswerValue(*item->rule, adj.value(), f + ".value", &v);
      }
      if (absl::StripAsciiWhitespace(adj.reason()).empty() || adj.reason().size() > kMaxReason) {
        v.Add(f + ".reason", "required: why the answer is adjusted");
      }
    }
    KLA_RETURN_IF_ERROR(v.ToStatus("invalid verification"));
    std::map<std::string, v1::Answer> in_force;
    for (auto& a : AnswersInForce(rb, s)) in_force[a.item_id()] = std::move(a);
    for (const auto& adj : cmd.adjustments) {
      v1::Adjustment stored = adj;
      stored.set_stage(s.stage());
      stored.set_adjusted_by(caller.subject);
      *stored.mutable_adjust_time() = ToProtoTime(now);
      v1::AuditEntry e =
          Entry(v1::AUDIT_ACTION_ADJUSTED, adj.item_id(), s.stage(), caller.subject, now, cmd.request_id);
      if (auto it = in_force.find(adj.item_id()); it != in_force.end()) *e.mutable_before() = it->second.value();
      *e.mutable_after() = adj.value();
      e.set_detail(adj.reason());
      change.audit.push_back(std::move(e));
      *s.add_adjustments() = std::move(stored);
    }
    v1::StageAnswers done;
    done.set_cycle_id(s.cycle_id());
    done.set_region_code(s.region_code());
    done.set_stage(s.stage());
    done.set_rulebook_version(rb.version());
    for (auto& a : AnswersInForce(rb, s)) *done.add_answers() = std::move(a);
    *done.mutable_complete_time() = ToProtoTime(now);
    if (s.stage() == type::v1::STAGE_CENTRAL_REVIEW) {
      KLA_ASSIGN_OR_RETURN(std::optional<v1::StageAnswers> provincial,
                           store_->GetStage(s.cycle_id(), s.region_code(), type::v1::STAGE_PROVINCIAL_VERIFICATION));
      if (!provincial) return absl::InternalError("central review without provincial verification answers");
      KLA_ASSIGN_OR_RETURN(needs_field, gate_(rb, *provincial));
    }
    v1::AuditEntry e = Entry(v1::AUDIT_ACTION_VERIFIED, "", s.stage(), caller.subject, now, cmd.request_id);
    e.set_detail(absl::StrCat(cmd.adjustments.size(), " adjusted"));
    if (s.has_open_return()) {  // closing a return the region did not answer
      absl::StrAppend(e.mutable_detail(), "; verified as it stands, the return (deadline ",
                      FormatWib(FromProtoTime(s.open_return().deadline())), ") closed");
      s.clear_open_return();
    }
    change.audit.push_back(std::move(e));
    change.stage_answers = done;
  }

  KLA_ASSIGN_OR_RETURN(Position next, Next(pos, action, needs_field));
  const type::v1::Stage from_stage = s.stage();
  s.set_state(next.state);
  s.set_stage(next.stage);
  *s.mutable_update_time() = ToProtoTime(now);
  if (action == Action::kSubmit) {
    v1::SubmissionSubmitted event;
    event.set_cycle_id(s.cycle_id());
    event.set_region_code(s.region_code());
    event.set_stage(next.stage);
    event.set_submitted_by(caller.subject);
    *event.mutable_submit_time() = ToProtoTime(now);
    change.events.push_back(Event("notification", std::move(event)));
  }
  if (action == Action::kVerify) {
    v1::SubmissionVerified event;
    event.set_cycle_id(s.cycle_id());
    event.set_region_code(s.region_code());
    event.set_stage(from_stage);
    event.set_next_stage(next.state == v1::SUBMISSION_STATE_FINAL ? type::v1::STAGE_UNSPECIFIED : next.stage);
    event.set_adjusted_items(static_cast<int>(cmd.adjustments.size()));
    event.set_verified_by(caller.subject);
    *event.mutable_verify_time() = ToProtoTime(now);
    change.events.push_back(Event("notification", std::move(event)));
  }
  change.next = ctx.stored;
  if (absl::Status st = Commit(change); !st.ok()) return AfterFailedCommit(st, cmd.request_id, ctx, caller);
  ++ctx.stored.version;
  if (completed != nullptr && change.stage_answers) {
    KLA_ASSIGN_OR_RETURN(std::optional<v1::StageAnswers> stored_stage,
                         store_->GetStage(s.cycle_id(), s.region_code(), change.stage_answers->stage()));
    *completed = stored_stage;
  }
  return View(ctx, caller);
}

absl::StatusOr<v1::StageAnswers> SubmissionManager::StageAnswersOf(const std::string& cycle_id,
                                                                   const std::string& region_code,
                                                                   type::v1::Stage stage) {
  KLA_RETURN_IF_ERROR(ValidateKey(cycle_id, region_code));
  if (stage == type::v1::STAGE_UNSPECIFIED || !type::v1::Stage_IsValid(stage)) return InvalidField("stage", "required");
  KLA_ASSIGN_OR_RETURN(std::optional<v1::StageAnswers> answers, store_->GetStage(cycle_id, region_code, stage));
  if (!answers) {
    return NotFound("stage answers", absl::StrCat(cycle_id, "/", region_code, "/", type::v1::Stage_Name(stage)));
  }
  return *answers;
}

absl::StatusOr<AuditPage> SubmissionManager::Audit(const std::string& cycle_id, const std::string& region_code,
                                                   const std::string& item_id, int page_size,
                                                   const std::string& page_token) {
  KLA_RETURN_IF_ERROR(ValidateKey(cycle_id, region_code));
  KLA_ASSIGN_OR_RETURN(const int size, ResolvePageSize(page_size));
  const std::string fingerprint = absl::StrCat("audit|", cycle_id, "|", region_code, "|", item_id);
  KLA_ASSIGN_OR_RETURN(const std::string after, DecodePageToken(page_token, fingerprint));
  const int64_t after_seq = after.empty() ? 0 : std::stoll(after);
  KLA_ASSIGN_OR_RETURN(std::vector<v1::AuditEntry> rows,
                       store_->Audit(cycle_id, region_code, item_id, after_seq, size + 1));
  AuditPage page;
  if (static_cast<int>(rows.size()) > size) {
    rows.resize(static_cast<size_t>(size));
    page.next_page_token = EncodePageToken(fingerprint, absl::StrCat(rows.back().sequence()));
  }
  page.entries = std::move(rows);
  return page;
}

namespace {

// Upload ids are the client's, but only within its kabupaten/kota: the key
// an upload is stored (and staged) under starts with the region code, so
// another region's id can neither be taken nor pre-empted.
std::string UploadKey(absl::string_view region_code, absl::string_view upload_id) {
  return absl::StrCat(region_code, "-", upload_id);
}
std::string UploadKey(const v1::UploadHeader& h) { return UploadKey(h.region_code(), h.upload_id()); }

const std::vector<std::string>& DefaultMediaTypes() {
  static const std::vector<std::string> kTypes = {"application/pdf", "image/jpeg", "image/png"};
  return kTypes;
}

bool SameFile(const v1::UploadHeader& a, const v1::UploadHeader& b) {
  return a.cycle_id() == b.cycle_id() && a.region_code() == b.region_code() && a.item_id() == b.item_id() &&
         a.file_name() == b.file_name() && a.media_type() == b.media_type() && a.size_bytes() == b.size_bytes() &&
         a.sha256() == b.sha256();
}

}  // namespace

absl::StatusOr<SubmissionManager::Context> SubmissionManager::Editable(const std::string& cycle_id,
                                                                       const std::string& region_code,
                                                                       const auth::Principal& caller, Action action) {
  KLA_ASSIGN_OR_RETURN(Context ctx, Load(cycle_id, region_code));
  const Position pos = PositionOf(ctx.stored.submission);
  if (!RoleMay(caller.role, action, pos)) {
    return WithReason(
        absl::PermissionDeniedError(action == Action::kObject
                                        ? "only the region's operator files objections and their evidence"
                                        : "only the region's operator and OPD contributors change its evidence"),
        "ROLE_NOT_ALLOWED", {{"role", std::string(auth::RoleName(caller.role))}});
  }
  KLA_RETURN_IF_ERROR(Next(pos, action, false).status());
  KLA_RETURN_IF_ERROR(CheckWindow(ctx, region_code, action));
  return ctx;
}

absl::StatusOr<SubmissionManager::Context> SubmissionManager::ObjectionContext(
    const std::string& request_id, const std::string& fingerprint, const std::string& cycle_id,
    const std::string& region_code, const std::string& etag, Action action, const auth::Principal& caller,
    std::optional<v1::Submission>* replayed) {
  KLA_ASSIGN_OR_RETURN(std::optional<RecordedRequest> earlier, Replay(request_id, fingerprint));
  KLA_ASSIGN_OR_RETURN(Context ctx, Load(cycle_id, region_code));
  if (earlier) {  // a retry: the first result
    *replayed = Replayed(*earlier, ctx, caller);
    return ctx;
  }
  const Position pos = PositionOf(ctx.stored.submission);
  if (!RoleMay(caller.role, action, pos)) {
    return WithReason(absl::PermissionDeniedError(action == Action::kObject
                                                      ? "only the region's operator files its objections"
                                                      : "only central reviewers and national admins decide objections"),
                      "ROLE_NOT_ALLOWED", {{"role", std::string(auth::RoleName(caller.role))}});
  }
  KLA_RETURN_IF_ERROR(Next(pos, action, false).status());
  if (action == Action::kObject) KLA_RETURN_IF_ERROR(CheckWindow(ctx, region_code, action));
  KLA_RETURN_IF_ERROR(CheckEtag(ctx.stored, etag, true));
  return ctx;
}

namespace {

v1::Objection* FindObjection(v1::Submission& s, absl::string_view id) {
  for (auto& o : *s.mutable_objections()) {
    if (o.objection_id() == id) return &o;
  }
  return nullptr;
}

ObjectionOutcome Outcome(v1::Submission s, absl::string_view objection_id) {
  ObjectionOutcome out;
  if (const v1::Objection* o = FindObjection(s, objection_id)) out.objection = *o;
  out.submission = std::move(s);
  return out;
}

std::string ObjectionId(int indicator) { return absl::StrCat("sanggah-", indicator); }

}  // namespace

absl::StatusOr<ObjectionOutcome> SubmissionManager::FileObjection(const ObjectionCommand& cmd,
                                                                  const auth::Principal& caller) {
  const std::string fingerprint = Fingerprint("object", cmd.cycle_id, cmd.region_code, cmd.etag, cmd.indicator,
                                              cmd.reason, absl::StrJoin(cmd.evidence_ids, ","));
  std::optional<v1::Submission> replayed;
  KLA_ASSIGN_OR_RETURN(Context ctx, ObjectionContext(cmd.request_id, fingerprint, cmd.cycle_id, cmd.region_code,
                                                     cmd.etag, Action::kObject, caller, &replayed));
  const std::string id = ObjectionId(cmd.indicator);
  if (replayed) return Outcome(*std::move(replayed), id);
  const RulebookIndex& rb = *ctx.rulebook;
  v1::Submission& s = ctx.stored.submission;
  Violations v;
  std::set<std::string> indicator_items;
  for (const auto& item_id : rb.item_ids()) {
    if (rb.Find(item_id)->indicator == cmd.indicator) indicator_items.insert(item_id);
  }
  if (indicator_items.empty()) v.Add("indicator", absl::StrCat("no indicator ", cmd.indicator, " in the rulebook"));
  if (absl::StripAsciiWhitespace(cmd.reason).empty() || cmd.reason.size() > kMaxReason || !IsValidUtf8(cmd.reason)) {
    v.Add("reason", absl::StrCat("required, at most ", kMaxReason, " bytes: why the region objects"));
  }
  if (cmd.evidence_ids.empty()) v.Add("evidence_ids", "at least one file supporting the objection");
  for (size_t i = 0; i < cmd.evidence_ids.size(); ++i) {
    KLA_ASSIGN_OR_RETURN(std::optional<v1::Evidence> e, store_->GetEvidence(cmd.evidence_ids[i]));
    const std::string f = absl::StrCat("evidence_ids[", i, "]");
    if (!e || e->cycle_id() != cmd.cycle_id || e->region_code() != cmd.region_code) {
      v.Add(f, absl::StrCat("no evidence \"", cmd.evidence_ids[i], "\" in this submission"));
    } else if (!indicator_items.empty() && !indicator_items.contains(e->item_id())) {
      v.Add(f, absl::StrCat("evidence of item ", e->item_id(), ", not of indicator ", cmd.indicator));
    }
  }
  KLA_RETURN_IF_ERROR(v.ToStatus("invalid objection"));
  if (FindObjection(s, id) != nullptr) {
    return WithReason(absl::FailedPreconditionError(
                          absl::StrCat("indicator ", cmd.indicator, " already has an objection (", id, ")")),
                      "OBJECTION_EXISTS", {{"indicator", std::to_string(cmd.indicator)}, {"objection_id", id}});
  }
  const absl::Time now = clock_->Now();
  v1::Objection o;
  o.set_objection_id(id);
  o.set_indicator(cmd.indicator);
  o.set_reason(cmd.reason);
  for (const auto& e : cmd.evidence_ids) o.add_evidence_ids(e);
  o.set_state(v1::OBJECTION_STATE_FILED);
  o.set_filed_by(caller.subject);
  *o.mutable_file_time() = ToProtoTime(now);
  // By indicator, as the proto promises.
  auto* list = s.mutable_objections();
  *list->Add() = o;
  std::sort(list->begin(), list->end(),
            [](const v1::Objection& a, const v1::Objection& b) { return a.indicator() < b.indicator(); });
  *s.mutable_update_time() = ToProtoTime(now);

  SubmissionChange change;
  change.request_id = cmd.request_id;
  change.request_fingerprint = fingerprint;
  v1::AuditEntry e = Entry(v1::AUDIT_ACTION_OBJECTION_FILED, "", s.stage(), caller.subject, now, cmd.request_id);
  e.set_detail(absl::StrCat(id, ": ", cmd.reason));
  change.audit.push_back(std::move(e));
  v1::ObjectionFiled event;
  event.set_cycle_id(s.cycle_id());
  event.set_region_code(s.region_code());
  *event.mutable_objection() = o;
  change.events.push_back(Event("notification", std::move(event)));
  change.next = ctx.stored;
  if (absl::Status st = Commit(change); !st.ok()) {
    KLA_ASSIGN_OR_RETURN(v1::Submission after, AfterFailedCommit(st, cmd.request_id, ctx, caller));
    return Outcome(std::move(after), id);
  }
  ++ctx.stored.version;
  return Outcome(View(ctx, caller), id);
}

absl::StatusOr<ObjectionOutcome> SubmissionManager::ResolveObjection(const ResolveCommand& cmd,
                                                                     const auth::Principal& caller) {
  std::string adjustments;
  for (const auto& a : cmd.adjustments) absl::StrAppend(&adjustments, Serialize(a), "|");
  const std::string fingerprint = Fingerprint("resolve", cmd.cycle_id, cmd.region_code, cmd.etag, cmd.objection_id,
                                              cmd.decision, cmd.reason, adjustments);
  std::optional<v1::Submission> replayed;
  KLA_ASSIGN_OR_RETURN(Context ctx, ObjectionContext(cmd.request_id, fingerprint, cmd.cycle_id, cmd.region_code,
                                                     cmd.etag, Action::kResolveObjection, caller, &replayed));
  if (replayed) return Outcome(*std::move(replayed), cmd.objection_id);
  const RulebookIndex& rb = *ctx.rulebook;
  v1::Submission& s = ctx.stored.submission;
  v1::Objection* o = FindObjection(s, cmd.objection_id);
  if (o == nullptr) return NotFound("objection", cmd.objection_id);
  if (o->state() != v1::OBJECTION_STATE_FILED) {
    return WithReason(absl::FailedPreconditionError(
                          absl::StrCat("objection ", cmd.objection_id, " was decided already by ", o->resolved_by())),
                      "OBJECTION_DECIDED", {{"objection_id", cmd.objection_id}});
  }
  const bool accept = cmd.decision == v1::OBJECTION_DECISION_ACCEPT;
  Violations v;
  if (cmd.decision != v1::OBJECTION_DECISION_ACCEPT && cmd.decision != v1::OBJECTION_DECISION_REJECT) {
    v.Add("decision", "ACCEPT or REJECT");
  }
  if (absl::StripAsciiWhitespace(cmd.reason).empty() || cmd.reason.size() > kMaxReason || !IsValidUtf8(cmd.reason)) {
    v.Add("reason", absl::StrCat("required, at most ", kMaxReason, " bytes: the reviewer's reasons"));
  }
  if (accept && cmd.adjustments.empty()) v.Add("adjustments", "accepting means correcting at least one answer");
  if (!accept && !cmd.adjustments.empty()) v.Add("adjustments", "a rejected objection changes no answer");
  std::set<std::string> seen;
  for (size_t i = 0; i < cmd.adjustments.size(); ++i) {
    const auto& adj = cmd.adjustments[i];
    const std::string f = absl::StrCat("adjustments[", i, "]");
    const RulebookIndex::Item* item = rb.Find(adj.item_id());
    if (item == nullptr || item->indicator != o->indicator()) {
      v.Add(f + ".item_id", absl::StrCat("\"", adj.item_id(), "\" is not an item of indicator ", o->indicator()));
      continue;
    }
    if (!seen.insert(adj.item_id()).second) v.Add(f + ".item_id", "listed twice");
    if (!adj.has_value()) {
      v.Add(f + ".value", "required: the corrected value");
    } else {
      score::CheckAnswerValue(*item->rule, adj.value(), f + ".value", &v);
    }
  }
  KLA_RETURN_IF_ERROR(v.ToStatus("invalid decision"));

  const absl::Time now = clock_->Now();
  SubmissionChange change;
  change.request_id = cmd.request_id;
  change.request_fingerprint = fingerprint;
  v1::AuditEntry entry = Entry(accept ? v1::AUDIT_ACTION_OBJECTION_ACCEPTED : v1::AUDIT_ACTION_OBJECTION_REJECTED, "",
                               s.stage(), caller.subject, now, cmd.request_id);
  entry.set_detail(absl::StrCat(cmd.objection_id, ": ", cmd.reason));
  change.audit.push_back(std::move(entry));
  std::map<std::string, v1::Answer> in_force;
  for (auto& a : AnswersInForce(rb, s)) in_force[a.item_id()] = std::move(a);
  o->set_state(accept ? v1::OBJECTION_STATE_ACCEPTED : v1::OBJECTION_STATE_REJECTED);
  o->set_resolved_by(caller.subject);
  *o->mutable_resolve_time() = ToProtoTime(now);
  o->set_resolution(cmd.reason);
  for (const auto& adj : cmd.adjustments) {
    o->add_adjusted_items(adj.item_id());
    v1::Adjustment stored = adj;
    stored.set_reason(adj.reason().empty() ? cmd.reason : adj.reason());
    stored.set_stage(s.stage());
    stored.set_adjusted_by(caller.subject);
    *stored.mutable_adjust_time() = ToProtoTime(now);
    stored.set_objection_id(cmd.objection_id);
    v1::AuditEntry e = Entry(v1::AUDIT_ACTION_ADJUSTED, adj.item_id(), s.stage(), caller.subject, now, cmd.request_id);
    if (auto it = in_force.find(adj.item_id()); it != in_force.end()) *e.mutable_before() = it->second.value();
    *e.mutable_after() = adj.value();
    e.set_detail(absl::StrCat(cmd.objection_id, ": ", stored.reason()));
    change.audit.push_back(std::move(e));
    *s.add_adjustments() = std::move(stored);
  }
  const v1::Objection decided = *o;
  *s.mutable_update_time() = ToProtoTime(now);
  v1::ObjectionResolved event;
  event.set_cycle_id(s.cycle_id());
  event.set_region_code(s.region_code());
  *event.mutable_objection() = decided;
  change.events.push_back(Event("notification", std::move(event)));
  change.next = ctx.stored;
  if (absl::Status st = Commit(change); !st.ok()) {
    KLA_ASSIGN_OR_RETURN(v1::Submission after, AfterFailedCommit(st, cmd.request_id, ctx, caller));
    return Outcome(std::move(after), cmd.objection_id);
  }
  ++ctx.stored.version;
  return Outcome(View(ctx, caller), cmd.objection_id);
}

absl::StatusOr<UploadProgress> SubmissionManager::BeginUpload(const v1::UploadHeader& h,
                                                              const auth::Principal& caller) {
  static const std::regex kUploadId("[A-Za-z0-9._-]{1,128}");
  static const std::regex kSha("[0-9a-f]{64}");
  Violations v;
  if (!std::regex_match(h.upload_id(), kUploadId)) {
    v.Add("header.upload_id", "required: 1-128 characters of A-Z, a-z, 0-9, '.', '_', '-'");
  }
  if (const std::string problem = FileNameProblem(h.file_name()); !problem.empty()) {
    v.Add("header.file_name", problem);
  }
  if (h.size_bytes() <= 0 || h.size_bytes() > options_.max_evidence_bytes) {
    v.Add("header.size_bytes",
          absl::StrCat("1 to ", options_.max_evidence_bytes, " bytes (", options_.max_evidence_bytes >> 20, " MiB)"));
  }
  if (!std::regex_match(h.sha256(), kSha)) v.Add("header.sha256", "required: 64 lowercase hex digits");
  if (h.offset() < 0) v.Add("header.offset", "0 or more");
  KLA_RETURN_IF_ERROR(v.ToStatus("invalid upload"));
  const bool for_objection = h.purpose() == v1::EVIDENCE_PURPOSE_OBJECTION;
  KLA_ASSIGN_OR_RETURN(
      Context ctx, Editable(h.cycle_id(), h.region_code(), caller, for_objection ? Action::kObject : Action::kEdit));
  const RulebookIndex::Item* item = ctx.rulebook->Find(h.item_id());
  if (item == nullptr) return InvalidField("header.item_id", absl::StrCat("no item \"", h.item_id(), "\""));
  const auto& listed = item->rule->evidence_media_types();
  const std::vector<std::string> allowed =
      listed.empty() ? DefaultMediaTypes() : std::vector<std::string>(listed.begin(), listed.end());
  if (std::find(allowed.begin(), allowed.end(), h.media_type()) == allowed.end()) {
    std::string list;
    for (const auto& t : allowed) absl::StrAppend(&list, list.empty() ? "" : ", ", t);
    return InvalidField("header.media_type",
                        absl::StrCat("item ", h.item_id(), " takes ", list, ", not \"", h.media_type(), "\""));
  }

  KLA_ASSIGN_OR_RETURN(std::optional<UploadRecord> existing, store_->GetUpload(UploadKey(h)));
  if (existing) {
    if (!SameFile(existing->header, h)) return InvalidField("header.upload_id", "already used for another file");
    if (existing->failed) {
      return InvalidField("header.upload_id", "this upload failed its SHA-256 check: start again with a new id");
    }
    if (!existing->evidence_id.empty()) {  // done already: a retry
      KLA_ASSIGN_OR_RETURN(std::optional<v1::Evidence> e, store_->GetEvidence(existing->evidence_id));
      if (!e) return absl::InternalError("completed upload without its evidence");
      return UploadProgress{h.size_bytes(), *e};
    }
  } else {
    KLA_RETURN_IF_ERROR(CheckEvidenceQuota(h));
    UploadRecord record{UploadKey(h), h, caller.subject, "", false};
    record.header.set_offset(0);
    absl::Status st = store_->CreateUpload(record);
    if (!st.ok() && st.code() != absl::StatusCode::kAlreadyExists) return st;
  }
  KLA_ASSIGN_OR_RETURN(const int64_t received, blobs_->StagedSize(UploadKey(h)));
  if (h.offset() != received) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(
                          "the server holds ", received, " bytes of this upload: resume from offset ", received)),
                      "UPLOAD_OFFSET_MISMATCH", {{"offset", std::to_string(received)}});
  }
  if (received == h.size_bytes()) return FinishUpload(h, caller);  // every byte arrived before a restart
  return UploadProgress{received, std::nullopt};
}

absl::Status SubmissionManager::CheckEvidenceQuota(const v1::UploadHeader& h) {
  const absl::Time fresh = clock_->Now() - options_.staged_upload_lifetime;
  KLA_ASSIGN_OR_RETURN(std::vector<UploadRecord> open, store_->OpenUploads(h.region_code()));
  std::erase_if(open, [&](const UploadRecord& u) { return u.created < fresh; });  // expiring anyway
  if (static_cast<int>(open.size()) >= options_.max_open_uploads_per_region) {
    return WithReason(absl::ResourceExhaustedError(
                          absl::StrCat("region ", h.region_code(), " already has ", open.size(),
                                       " uploads under way: finish them first (unfinished uploads are removed after ",
                                       absl::FormatDuration(options_.staged_upload_lifetime), ")")),
                      "TOO_MANY_OPEN_UPLOADS", {{"open", std::to_string(open.size())}});
  }
  int64_t used = h.size_bytes();
  for (const UploadRecord& u : open) {
    if (u.header.cycle_id() == h.cycle_id()) used += u.header.size_bytes();
  }
  KLA_ASSIGN_OR_RETURN(std::vector<v1::Evidence> stored, store_->ListEvidence(h.cycle_id(), h.region_code(), ""));
  if (static_cast<int>(stored.size()) >= options_.max_evidence_files_per_region) {
    return WithReason(
        absl::ResourceExhaustedError(absl::StrCat("region ", h.region_code(), " already holds ", stored.size(),
                                                  " evidence files in cycle ", h.cycle_id(), ", the most it may")),
        "TOO_MANY_EVIDENCE_FILES", {{"files", std::to_string(stored.size())}});
  }
  for (const v1::Evidence& e : stored) used += e.size_bytes();
  if (used > options_.region_evidence_quota_bytes) {
    return WithReason(absl::ResourceExhaustedError(absl::StrCat(
                          "this file would take the evidence of region ", h.region_code(), " in cycle ", h.cycle_id(),
                          " to ", used >> 20, " MiB, over its quota of ", options_.region_evidence_quota_bytes >> 20,
                          " MiB; the ministry can raise the quota")),
                      "EVIDENCE_QUOTA_EXCEEDED",
                      {{"quota_mib", std::to_string(options_.region_evidence_quota_bytes >> 20)}});
  }
  return absl::OkStatus();
}

absl::StatusOr<int> SubmissionManager::ExpireStagedUploads(int limit) {
  KLA_ASSIGN_OR_RETURN(std::vector<UploadRecord> stale,
                       store_->StaleUploads(clock_->Now() - options_.staged_upload_lifetime, limit));
  for (const UploadRecord& u : stale) {
    // Bytes first: a crash in between leaves a record without bytes, which
    // the next pass removes; never bytes no record points to.
    KLA_RETURN_IF_ERROR(blobs_->Discard(u.key));
    KLA_RETURN_IF_ERROR(store_->DeleteUpload(u.key));
  }
  return static_cast<int>(stale.size());
}

absl::StatusOr<UploadProgress> SubmissionManager::AppendChunk(const v1::UploadHeader& h, absl::string_view bytes,
                                                              const auth::Principal& caller) {
  KLA_ASSIGN_OR_RETURN(const int64_t received, blobs_->StagedSize(UploadKey(h)));
  if (received + static_cast<int64_t>(bytes.size()) > h.size_bytes()) {
    KLA_RETURN_IF_ERROR(blobs_->Discard(UploadKey(h)));
    KLA_RETURN_IF_ERROR(store_->FailUpload(UploadKey(h)));
    return InvalidField("chunk", absl::StrCat("more bytes than the ", h.size_bytes(), " announced: nothing was kept"));
  }
  KLA_ASSIGN_OR_RETURN(const int64_t now_held, blobs_->Append(UploadKey(h), bytes));
  if (now_held == h.size_bytes()) return FinishUpload(h, caller);
  return UploadProgress{now_held, std::nullopt};
}

absl::StatusOr<UploadProgress> SubmissionManager::FinishUpload(const v1::UploadHeader& h,
                                                               const auth::Principal& caller) {
  KLA_ASSIGN_OR_RETURN(const std::string digest, blobs_->StagedDigest(UploadKey(h)));
  if (digest != h.sha256()) {
    KLA_RETURN_IF_ERROR(blobs_->Discard(UploadKey(h)));
    KLA_RETURN_IF_ERROR(store_->FailUpload(UploadKey(h)));
    return InvalidField("header.sha256", absl::StrCat("the bytes received hash to ", digest, ", not the announced ",
                                                      h.sha256(), ": nothing was kept; upload again"));
  }
  KLA_RETURN_IF_ERROR(blobs_->Promote(UploadKey(h), digest));
  const absl::Time now = clock_->Now();
  v1::Evidence e;
  e.set_evidence_id(NewUuid());
  e.set_cycle_id(h.cycle_id());
  e.set_region_code(h.region_code());
  e.set_item_id(h.item_id());
  e.set_file_name(h.file_name());
  e.set_media_type(h.media_type());
  e.set_size_bytes(h.size_bytes());
  e.set_sha256(digest);
  e.set_uploaded_by(caller.subject);
  *e.mutable_upload_time() = ToProtoTime(now);
  // Objection evidence supports the objection, not the answer.
  const bool for_objection = h.purpose() == v1::EVIDENCE_PURPOSE_OBJECTION;
  e.set_purpose(for_objection ? v1::EVIDENCE_PURPOSE_OBJECTION : v1::EVIDENCE_PURPOSE_ANSWER);
  e.set_attached(!for_objection);
  v1::AuditEntry entry = Entry(v1::AUDIT_ACTION_EVIDENCE_ATTACHED, h.item_id(), type::v1::STAGE_SELF_EVALUATION,
                               caller.subject, now, h.upload_id());
  entry.set_detail(absl::StrCat(e.evidence_id(), " ", h.file_name(), for_objection ? " (sanggah)" : ""));
  absl::Status st = store_->CompleteUpload(UploadKey(h), e, entry);
  if (st.code() == absl::StatusCode::kAborted) {  // a concurrent stream of the same upload finished first
    KLA_ASSIGN_OR_RETURN(std::optional<UploadRecord> done, store_->GetUpload(UploadKey(h)));
    if (done && !done->evidence_id.empty()) {
      KLA_ASSIGN_OR_RETURN(std::optional<v1::Evidence> first, store_->GetEvidence(done->evidence_id));
      if (first) return UploadProgress{h.size_bytes(), *first};
    }
  }
  KLA_RETURN_IF_ERROR(st);
  return UploadProgress{h.size_bytes(), e};
}

absl::StatusOr<UploadProgress> SubmissionManager::UploadStatus(const std::string& upload_id,
                                                               const std::string& region_code) {
  const std::string key = UploadKey(region_code, upload_id);
  KLA_ASSIGN_OR_RETURN(std::optional<UploadRecord> u, store_->GetUpload(key));
  if (!u || u->header.region_code() != region_code) return NotFound("upload", upload_id);
  if (!u->evidence_id.empty()) {
    KLA_ASSIGN_OR_RETURN(std::optional<v1::Evidence> e, store_->GetEvidence(u->evidence_id));
    if (e) return UploadProgress{u->header.size_bytes(), *e};
  }
  KLA_ASSIGN_OR_RETURN(const int64_t received, blobs_->StagedSize(key));
  return UploadProgress{received, std::nullopt};
}

absl::StatusOr<std::vector<v1::Evidence>> SubmissionManager::ListEvidence(const std::string& cycle_id,
                                                                          const std::string& region_code,
                                                                          const std::string& item_id) {
  KLA_RETURN_IF_ERROR(ValidateKey(cycle_id, region_code));
  return store_->ListEvidence(cycle_id, region_code, item_id);
}

absl::StatusOr<v1::Evidence> SubmissionManager::GetEvidence(const std::string& cycle_id, const std::string& region_code,
                                                            const std::string& evidence_id) {
  KLA_RETURN_IF_ERROR(ValidateKey(cycle_id, region_code));
  if (evidence_id.empty()) return InvalidField("evidence_id", "required");
  KLA_ASSIGN_OR_RETURN(std::optional<v1::Evidence> e, store_->GetEvidence(evidence_id));
  // Another region's evidence is as good as missing to this caller.
  if (!e || e->cycle_id() != cycle_id || e->region_code() != region_code) return NotFound("evidence", evidence_id);
  return *e;
}

absl::StatusOr<std::string> SubmissionManager::ReadEvidence(const v1::Evidence& evidence, int64_t offset, int64_t max) {
  return blobs_->Read(evidence.sha256(), offset, max);
}

absl::StatusOr<v1::Evidence> SubmissionManager::DetachEvidence(const std::string& request_id,
                                                               const std::string& cycle_id,
                                                               const std::string& region_code,
                                                               const std::string& evidence_id,
                                                               const auth::Principal& caller) {
  if (request_id.empty()) return InvalidField("request_id", "required: a client-chosen id that makes retries safe");
  KLA_ASSIGN_OR_RETURN(v1::Evidence e, GetEvidence(cycle_id, region_code, evidence_id));
  if (!e.attached()) return e;  // a retry, or detached already
  KLA_RETURN_IF_ERROR(Editable(cycle_id, region_code, caller).status());
  v1::AuditEntry entry = Entry(v1::AUDIT_ACTION_EVIDENCE_DETACHED, e.item_id(), type::v1::STAGE_SELF_EVALUATION,
                               caller.subject, clock_->Now(), request_id);
  entry.set_detail(absl::StrCat(e.evidence_id(), " ", e.file_name()));
  KLA_RETURN_IF_ERROR(store_->DetachEvidence(evidence_id, entry));
  e.set_attached(false);
  return e;
}

}  // namespace kla::submission
