#include "services/submission/domain/review.h"

#include <map>

#include "kla/submission/v1/events.pb.h"
#include "libs/common/status_macros.h"
#include "libs/kernel/time.h"
#include "libs/score/answer_check.h"
#include "libs/score/score_engine.h"
#include "services/submission/domain/answers.h"

namespace kla::submission {
namespace {

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

std::string TransitionFingerprint(const TransitionCommand& cmd, Action action) {
  std::string details;
  for (const auto& r : cmd.returns) absl::StrAppend(&details, Serialize(r), "|");
  for (const auto& a : cmd.adjustments) absl::StrAppend(&details, Serialize(a), "|");
  return Fingerprint(
      ActionName(action), cmd.cycle_id, cmd.region_code, cmd.etag, absl::StrCat(details, cmd.reason),
      action == Action::kReturn || action == Action::kExtendReturn ? absl::FormatTime(cmd.deadline) : std::string());
}

// SUBMISSION_INCOMPLETE listing every item without its answer or evidence.
absl::Status CheckComplete(const SubmissionContext& ctx) {
  const RulebookIndex& rb = *ctx.rulebook;
  std::vector<PreconditionViolation> missing;
  std::set<std::string> answered;
  for (const auto& a : ctx.stored.submission.answers()) answered.insert(a.item_id());
  for (const auto& id : rb.item_ids()) {
    if (!answered.contains(id)) {
      missing.push_back({"MISSING_ANSWER", id, absl::StrCat("item ", id, " belum dijawab / not answered")});
    }
  }
  const size_t unanswered = missing.size();
  for (const auto& id : rb.item_ids()) {
    if (rb.Find(id)->rule->evidence_required() && !ctx.evidence_items.contains(id)) {
      missing.push_back({"MISSING_EVIDENCE", id, absl::StrCat("item ", id, " belum ada data dukung / needs evidence")});
    }
  }
  if (missing.empty()) return absl::OkStatus();
  return WithReason(
      FailedPreconditionWithViolations(
          absl::StrCat("nothing was submitted: ", unanswered, " of ", rb.size(), " items not answered, ",
                       missing.size() - unanswered, " without the evidence they need"),
          missing),
      "SUBMISSION_INCOMPLETE",
      {{"unanswered", std::to_string(unanswered)}, {"without_evidence", std::to_string(missing.size() - unanswered)}});
}

// The answers of a stage as they stand when it completes.
v1::StageAnswers StageAnswersOfNow(const PreparedChange& p, type::v1::Stage stage,
                                   const std::vector<v1::Answer>& answers) {
  const v1::Submission& s = p.ctx.stored.submission;
  v1::StageAnswers out;
  out.set_cycle_id(s.cycle_id());
  out.set_region_code(s.region_code());
  out.set_stage(stage);
  out.set_rulebook_version(p.ctx.rulebook->version());
  for (const auto& a : answers) *out.add_answers() = a;
  *out.mutable_complete_time() = ToProtoTime(p.now);
  return out;
}

absl::Status ValidateAdjustments(const RulebookIndex& rb, const TransitionCommand& cmd) {
  Violations v;
  CheckItemList<v1::Adjustment>(rb, cmd.adjustments, "adjustments", &v, nullptr,
                                [&](const v1::Adjustment& adj, const RulebookIndex::Item& item, const std::string& f) {
                                  if (!adj.has_value()) {
                                    v.Add(f + ".value", "required: the value the verifier found");
                                  } else {
                                    score::CheckAnswerValue(*item.rule, adj.value(), f + ".value", &v);
                                  }
                                  if (!IsReason(adj.reason())) {
                                    v.Add(f + ".reason", "required: why the answer is adjusted");
                                  }
                                });
  return v.ToStatus("invalid verification");
}

absl::Status CheckNoObjectionPending(const v1::Submission& s) {
  for (const auto& o : s.objections()) {
    if (o.state() == v1::OBJECTION_STATE_FILED) {
      return WithReason(absl::FailedPreconditionError(absl::StrCat("objection ", o.objection_id(), " (indicator ",
                                                                   o.indicator(), ") waits for its decision")),
                        "OBJECTION_PENDING",
                        {{"indicator", std::to_string(o.indicator())}, {"objection_id", o.objection_id()}});
    }
  }
  return absl::OkStatus();
}

// INVALID_ARGUMENT unless `deadline` falls after now and within the window.
void CheckDeadline(absl::Time deadline, absl::Time now, const Window& w, absl::string_view note, Violations* v) {
  if (deadline <= now || deadline > w.close) {
    v->Add("deadline", absl::StrCat("after now and at most the close of this stage (", FormatWib(w.close), note, ")"));
  }
}

}  // namespace

FieldVerificationGate ThresholdGate() {
  return [](const RulebookIndex& rulebook, const v1::StageAnswers& provincial) -> absl::StatusOr<bool> {
    const score::Score s = score::Compute(rulebook.rulebook(), score::FromAnswers(provincial.answers()));
    return s.total_hundredths >= rulebook.rulebook().field_verification_threshold().hundredths();
  };
}

absl::StatusOr<PreparedChange> Review::Prepare(const TransitionCommand& cmd, Action action,
                                               const auth::Principal& caller) {
  return steps_->Prepare({.request_id = cmd.request_id,
                          .fingerprint = TransitionFingerprint(cmd, action),
                          .cycle_id = cmd.cycle_id,
                          .region_code = cmd.region_code,
                          .etag = cmd.etag,
                          .action = action},
                         caller);
}

absl::Status Review::Advance(PreparedChange& p, Action action, bool needs_field) {
  v1::Submission& s = p.submission();
  KLA_ASSIGN_OR_RETURN(Position next, Next(PositionOf(s), action, needs_field));
  s.set_state(next.state);
  s.set_stage(next.stage);
  *s.mutable_update_time() = ToProtoTime(p.now);
  return absl::OkStatus();
}

absl::StatusOr<v1::Submission> Review::Submit(const TransitionCommand& cmd, const auth::Principal& caller) {
  KLA_ASSIGN_OR_RETURN(PreparedChange p, Prepare(cmd, Action::kSubmit, caller));
  if (p.replayed) return *p.replayed;
  KLA_RETURN_IF_ERROR(CheckComplete(p.ctx));
  v1::Submission& s = p.submission();
  p.change.audit.push_back(Entry(v1::AUDIT_ACTION_SUBMITTED, "", s.stage(), caller.subject, p.now, cmd.request_id));
  s.clear_open_return();
  *s.mutable_submit_time() = ToProtoTime(p.now);
  // The self-evaluation as submitted: scored as its own stage.
  KLA_RETURN_IF_ERROR(steps_->CompleteStage(
      p, StageAnswersOfNow(p, type::v1::STAGE_SELF_EVALUATION, {s.answers().begin(), s.answers().end()})));
  KLA_RETURN_IF_ERROR(Advance(p, Action::kSubmit, false));
  v1::SubmissionSubmitted event;
  event.set_cycle_id(s.cycle_id());
  event.set_region_code(s.region_code());
  event.set_stage(s.stage());
  event.set_submitted_by(caller.subject);
  *event.mutable_submit_time() = ToProtoTime(p.now);
  p.change.events.push_back(Event("notification", std::move(event)));
  return steps_->Commit(p, caller);
}

absl::StatusOr<v1::Submission> Review::Return(const TransitionCommand& cmd, const auth::Principal& caller) {
  KLA_ASSIGN_OR_RETURN(PreparedChange p, Prepare(cmd, Action::kReturn, caller));
  if (p.replayed) return *p.replayed;
  v1::Submission& s = p.submission();
  Violations v;
  if (cmd.returns.empty()) v.Add("items", "name at least one item to correct, with its reason");
  CheckItemList<v1::ItemReturn>(p.rulebook(), cmd.returns, "items", &v, nullptr, nullptr);
  for (size_t i = 0; i < cmd.returns.size(); ++i) {  // of unknown items too
    if (!IsReason(cmd.returns[i].reason())) {
      v.Add(absl::StrCat("items[", i, "].reason"),
            absl::StrCat("required, at most ", kMaxReason, " bytes: what to correct"));
    }
  }
  KLA_ASSIGN_OR_RETURN(Window w, steps_->WindowOf(s, Action::kReturn));
  CheckDeadline(cmd.deadline, p.now, w, "", &v);
  KLA_RETURN_IF_ERROR(v.ToStatus("invalid return"));
  v1::ReturnNotice* notice = s.mutable_open_return();
  notice->Clear();
  notice->set_stage(s.stage());
  for (const auto& r : cmd.returns) {
    *notice->add_items() = r;
    v1::AuditEntry e = Entry(v1::AUDIT_ACTION_RETURNED, r.item_id(), s.stage(), caller.subject, p.now, cmd.request_id);
    e.set_detail(r.reason());
    p.change.audit.push_back(std::move(e));
  }
  *notice->mutable_deadline() = ToProtoTime(cmd.deadline);
  notice->set_returned_by(caller.subject);
  *notice->mutable_return_time() = ToProtoTime(p.now);
  p.change.events.push_back(ReturnNoticeEvent(s));
  KLA_RETURN_IF_ERROR(Advance(p, Action::kReturn, false));
  return steps_->Commit(p, caller);
}

absl::StatusOr<v1::Submission> Review::ExtendReturn(const TransitionCommand& cmd, const auth::Principal& caller) {
  KLA_ASSIGN_OR_RETURN(PreparedChange p, Prepare(cmd, Action::kExtendReturn, caller));
  if (p.replayed) return *p.replayed;
  v1::Submission& s = p.submission();
  KLA_ASSIGN_OR_RETURN(Window w, steps_->WindowOf(s, Action::kExtendReturn));
  Violations v;
  if (!IsReason(cmd.reason)) v.Add("reason", "required: why the deadline moves");
  CheckDeadline(cmd.deadline, p.now, w, "; the ministry can extend it for the region", &v);
  KLA_RETURN_IF_ERROR(v.ToStatus("the deadline of the return was not changed"));
  v1::ReturnNotice* notice = s.mutable_open_return();
  v1::AuditEntry e =
      Entry(v1::AUDIT_ACTION_RETURN_DEADLINE_CHANGED, "", s.stage(), caller.subject, p.now, cmd.request_id);
  e.set_detail(
      absl::StrCat(FormatWib(FromProtoTime(notice->deadline())), " -> ", FormatWib(cmd.deadline), ": ", cmd.reason));
  p.change.audit.push_back(std::move(e));
  *notice->mutable_deadline() = ToProtoTime(cmd.deadline);
  p.change.events.push_back(ReturnNoticeEvent(s));  // as of the return: the same notice, new deadline
  KLA_RETURN_IF_ERROR(Advance(p, Action::kExtendReturn, false));
  return steps_->Commit(p, caller);
}

absl::StatusOr<v1::Submission> Review::MarkNotCompleted(const TransitionCommand& cmd, const auth::Principal& caller) {
  KLA_ASSIGN_OR_RETURN(PreparedChange p, Prepare(cmd, Action::kMarkNotCompleted, caller));
  if (p.replayed) return *p.replayed;
  if (!IsReason(cmd.reason)) return InvalidField("reason", "required: why the return is closed as not completed");
  v1::Submission& s = p.submission();
  v1::AuditEntry e = Entry(v1::AUDIT_ACTION_RETURN_NOT_COMPLETED, "", s.stage(), caller.subject, p.now, cmd.request_id);
  e.set_detail(cmd.reason);
  p.change.audit.push_back(std::move(e));
  for (const char* to : {"scoring", "notification"}) {
    p.change.events.push_back(NotCompletedEvent(s, cmd, caller, p.now, to));
  }
  s.clear_open_return();  // closed: the events carry it
  KLA_RETURN_IF_ERROR(Advance(p, Action::kMarkNotCompleted, false));
  return steps_->Commit(p, caller);
}

absl::StatusOr<bool> Review::NeedsField(const PreparedChange& p) {
  const v1::Submission& s = p.ctx.stored.submission;
  if (s.stage() != type::v1::STAGE_CENTRAL_REVIEW) return false;
  KLA_ASSIGN_OR_RETURN(
      std::optional<v1::StageAnswers> provincial,
      steps_->store()->GetStage(s.cycle_id(), s.region_code(), type::v1::STAGE_PROVINCIAL_VERIFICATION));
  if (!provincial) return absl::InternalError("central review without provincial verification answers");
  return gate_(p.rulebook(), *provincial);
}

absl::StatusOr<VerifyOutcome> Review::Verify(const TransitionCommand& cmd, const auth::Principal& caller) {
  KLA_ASSIGN_OR_RETURN(PreparedChange p, Prepare(cmd, Action::kVerify, caller));
  if (p.replayed) {
    KLA_ASSIGN_OR_RETURN(v1::StageAnswers completed, RecordedCompletion(cmd.request_id));
    return VerifyOutcome{*std::move(p.replayed), std::move(completed)};
  }
  v1::Submission& s = p.submission();
  KLA_RETURN_IF_ERROR(CheckNoObjectionPending(s));
  KLA_RETURN_IF_ERROR(ValidateAdjustments(p.rulebook(), cmd));
  ApplyAdjustments(cmd.adjustments, "", "", caller, cmd.request_id, p);
  const type::v1::Stage stage = s.stage();
  KLA_RETURN_IF_ERROR(steps_->CompleteStage(p, StageAnswersOfNow(p, stage, AnswersInForce(p.rulebook(), s))));
  KLA_ASSIGN_OR_RETURN(const bool needs_field, NeedsField(p));
  v1::AuditEntry e = Entry(v1::AUDIT_ACTION_VERIFIED, "", stage, caller.subject, p.now, cmd.request_id);
  e.set_detail(absl::StrCat(cmd.adjustments.size(), " adjusted"));
  if (s.has_open_return()) {  // closing a return the region did not answer
    absl::StrAppend(e.mutable_detail(), "; verified as it stands, the return (deadline ",
                    FormatWib(FromProtoTime(s.open_return().deadline())), ") closed");
    s.clear_open_return();
  }
  p.change.audit.push_back(std::move(e));
  KLA_RETURN_IF_ERROR(Advance(p, Action::kVerify, needs_field));
  v1::SubmissionVerified event;
  event.set_cycle_id(s.cycle_id());
  event.set_region_code(s.region_code());
  event.set_stage(stage);
  event.set_next_stage(s.state() == v1::SUBMISSION_STATE_FINAL ? type::v1::STAGE_UNSPECIFIED : s.stage());
  event.set_adjusted_items(static_cast<int>(cmd.adjustments.size()));
  event.set_verified_by(caller.subject);
  *event.mutable_verify_time() = ToProtoTime(p.now);
  p.change.events.push_back(Event("notification", std::move(event)));
  KLA_ASSIGN_OR_RETURN(v1::Submission after, steps_->Commit(p, caller));
  KLA_ASSIGN_OR_RETURN(std::optional<v1::StageAnswers> completed,
                       steps_->store()->GetStage(s.cycle_id(), s.region_code(), stage));
  if (!completed) return absl::InternalError("verification stored without its stage answers");
  return VerifyOutcome{std::move(after), *std::move(completed)};
}

absl::StatusOr<v1::StageAnswers> Review::RecordedCompletion(const std::string& request_id) {
  KLA_ASSIGN_OR_RETURN(std::optional<RecordedRequest> r, steps_->store()->FindRequest(request_id));
  if (!r || !r->stage_answers) return absl::InternalError("verification recorded without its stage answers");
  return *r->stage_answers;
}

}  // namespace kla::submission
