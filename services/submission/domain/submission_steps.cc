#include "services/submission/domain/submission_steps.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "kla/submission/v1/events.pb.h"
#include "libs/auth/password.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/common/text.h"
#include "libs/kernel/etag.h"
#include "libs/kernel/region_code.h"
#include "libs/kernel/time.h"

namespace kla::submission {

Position PositionOf(const v1::Submission& s) { return Position{s.state(), s.stage()}; }

absl::Status ValidateKey(const std::string& cycle_id, const std::string& region_code) {
  Violations v;
  if (cycle_id.empty()) v.Add("cycle_id", "required, e.g. \"2025\"");
  if (!IsRegencyCode(region_code)) v.Add("region_code", "a kabupaten/kota code such as \"35.72\"");
  return v.ToStatus("invalid submission key");
}

std::string Serialize(const google::protobuf::Message& m) {
  std::string out;
  m.SerializeToString(&out);  // deterministic enough for a digest of one request
  return out;
}

std::string FingerprintOf(const std::vector<std::string>& parts) {
  return auth::SecretDigest(absl::StrJoin(parts, "\n"));
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

bool IsReason(const std::string& text) {
  return !absl::StripAsciiWhitespace(text).empty() && text.size() <= kMaxReason && IsValidUtf8(text);
}

absl::Status SubmissionSteps::FillEvidence(SubmissionContext* ctx) {
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
  ctx->evidence_items.clear();
  for (const auto& [item, ids] : by_item) ctx->evidence_items.insert(item);
  return absl::OkStatus();
}

absl::StatusOr<SubmissionContext> SubmissionSteps::LoadCycle(const std::string& cycle_id) {
  SubmissionContext ctx;
  KLA_ASSIGN_OR_RETURN(ctx.cycle, directory_->GetCycle(cycle_id));
  KLA_ASSIGN_OR_RETURN(ctx.rulebook, directory_->GetRulebook(ctx.cycle.rulebook_version()));
  return ctx;
}

absl::Status SubmissionSteps::Row(SubmissionContext* ctx, StoredSubmission row) {
  ctx->stored = std::move(row);
  return FillEvidence(ctx);
}

absl::StatusOr<SubmissionContext> SubmissionSteps::Load(const std::string& cycle_id, const std::string& region_code) {
  KLA_RETURN_IF_ERROR(ValidateKey(cycle_id, region_code));
  KLA_RETURN_IF_ERROR(directory_->CheckRegency(region_code));
  KLA_ASSIGN_OR_RETURN(SubmissionContext ctx, LoadCycle(cycle_id));
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

absl::StatusOr<Window> SubmissionSteps::WindowOf(const v1::Submission& s, Action action) {
  return directory_->GetWindow(s.cycle_id(), s.region_code(), PhaseOf(PositionOf(s), action), true);
}

absl::Status SubmissionSteps::CheckWindow(const SubmissionContext& ctx, Action action, bool deciding) {
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
  const registry::v1::CyclePhase phase_id = PhaseOf(PositionOf(s), action);
  KLA_ASSIGN_OR_RETURN(Window w, directory_->GetWindow(s.cycle_id(), s.region_code(), phase_id, deciding));
  const std::string phase = registry::v1::CyclePhase_Name(phase_id);
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

absl::Status SubmissionSteps::CheckEtag(const StoredSubmission& stored, const std::string& etag, EtagCheck check) {
  if (check == EtagCheck::kRequired && etag.empty()) return InvalidField("etag", "required: the etag you read");
  if (etag != FormatEtag(kSubmissionEtag, stored.version)) {
    return StaleEtag(absl::StrCat("the submission was changed by someone else (etag \"", etag,
                                  "\" is stale, current is \"", FormatEtag(kSubmissionEtag, stored.version),
                                  "\"): read it again; nothing was saved"));
  }
  return absl::OkStatus();
}

absl::Status SubmissionSteps::Authorize(const SubmissionContext& ctx, Action action, const auth::Principal& caller,
                                        const std::string& refusal, bool check_window) {
  const Position pos = PositionOf(ctx.stored.submission);
  if (!RoleMay(caller.role, action, pos)) {
    log::Warn("submission action refused", {{"subject", caller.subject},
                                            {"role", auth::RoleName(caller.role)},
                                            {"action", ActionName(action)},
                                            {"region", ctx.stored.submission.region_code()},
                                            {"state", Describe(pos)}});
    return WithReason(
        absl::PermissionDeniedError(refusal.empty() ? absl::StrCat("your role may not ", ActionName(action),
                                                                   " a submission that is ", Describe(pos))
                                                    : refusal),
        "ROLE_NOT_ALLOWED",
        {{"role", std::string(auth::RoleName(caller.role))},
         {"action", std::string(ActionName(action))},
         {"state", v1::SubmissionState_Name(pos.state)},
         {"stage", type::v1::Stage_Name(pos.stage)}});
  }
  KLA_RETURN_IF_ERROR(Next(pos, action, false).status());
  if (check_window) KLA_RETURN_IF_ERROR(CheckWindow(ctx, action));
  return absl::OkStatus();
}

absl::StatusOr<SubmissionContext> SubmissionSteps::Permitted(const std::string& cycle_id,
                                                             const std::string& region_code, Action action,
                                                             const auth::Principal& caller, const std::string& refusal,
                                                             bool check_window) {
  KLA_ASSIGN_OR_RETURN(SubmissionContext ctx, Load(cycle_id, region_code));
  KLA_RETURN_IF_ERROR(Authorize(ctx, action, caller, refusal, check_window));
  return ctx;
}

absl::StatusOr<PreparedChange> SubmissionSteps::Prepare(const ChangeRequest& request, const auth::Principal& caller) {
  KLA_ASSIGN_OR_RETURN(std::optional<RecordedRequest> earlier, Replay(request.request_id, request.fingerprint));
  PreparedChange p;
  KLA_ASSIGN_OR_RETURN(p.ctx, Load(request.cycle_id, request.region_code));
  if (earlier) {  // a retry: the first result
    p.replayed = Replayed(*earlier, p.ctx, caller);
    return p;
  }
  KLA_RETURN_IF_ERROR(Authorize(p.ctx, request.action, caller, request.refusal, request.check_window));
  KLA_RETURN_IF_ERROR(CheckEtag(p.ctx.stored, request.etag, request.etag_check));
  p.change.request_id = request.request_id;
  p.change.request_fingerprint = request.fingerprint;
  p.now = clock_->Now();
  return p;
}

absl::Status SubmissionSteps::CompleteStage(PreparedChange& p, v1::StageAnswers answers) {
  // The submission's version guards this read: a concurrent change of the
  // same stage fails its commit.
  KLA_ASSIGN_OR_RETURN(std::optional<v1::StageAnswers> previous,
                       store_->GetStage(answers.cycle_id(), answers.region_code(), answers.stage()));
  answers.set_revision(previous ? previous->revision() + 1 : 1);
  v1::StageAnswersChanged changed;  // scoring rescores whenever a stage's answers change
  *changed.mutable_answers() = answers;
  p.change.events.insert(p.change.events.begin(), Event("scoring", std::move(changed)));
  p.change.stage_answers = std::move(answers);
  return absl::OkStatus();
}

absl::StatusOr<v1::Submission> SubmissionSteps::Commit(PreparedChange& p, const auth::Principal& caller) {
  p.change.next = p.ctx.stored;
  // The answer recorded for retries carries the etag of the version this
  // change makes.
  p.change.next.submission.set_etag(FormatEtag(kSubmissionEtag, p.change.next.version + 1));
  if (absl::Status st = store_->Commit(p.change); !st.ok()) {
    return AfterFailedCommit(st, p.change.request_id, p.ctx, caller);
  }
  ++p.ctx.stored.version;
  return View(p.ctx, caller);
}

namespace {

void AddProgress(const SubmissionContext& ctx, v1::Submission* s) {
  const RulebookIndex& rb = *ctx.rulebook;
  std::set<std::string> answered;
  for (const auto& a : s->answers()) {
    if (a.has_value()) answered.insert(a.item_id());
  }
  v1::Progress* p = s->mutable_progress();
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
}

}  // namespace

v1::Submission SubmissionSteps::View(const SubmissionContext& ctx, const auth::Principal& caller) {
  v1::Submission s = ctx.stored.submission;
  s.set_etag(FormatEtag(kSubmissionEtag, ctx.stored.version));
  AddProgress(ctx, &s);
  const Position pos = PositionOf(s);
  auto may = [&](Action action) {
    return RoleMay(caller.role, action, pos) && Next(pos, action, false).ok() &&
           CheckWindow(ctx, action, /*deciding=*/false).ok();
  };
  v1::AllowedActions* allowed = s.mutable_allowed();
  allowed->set_may_edit(may(Action::kEdit));
  allowed->set_may_submit(may(Action::kSubmit));
  allowed->set_may_return(may(Action::kReturn));
  allowed->set_may_extend_return(may(Action::kExtendReturn));
  allowed->set_may_mark_not_completed(may(Action::kMarkNotCompleted));
  bool waiting_objection = false;
  for (const auto& o : s.objections()) waiting_objection |= o.state() == v1::OBJECTION_STATE_FILED;
  allowed->set_may_verify(may(Action::kVerify) && !waiting_objection);
  allowed->set_may_object(may(Action::kObject) && s.objections_size() < ctx.rulebook->rulebook().indicators_size());
  allowed->set_may_resolve_objection(waiting_objection && RoleMay(caller.role, Action::kResolveObjection, pos) &&
                                     Next(pos, Action::kResolveObjection, false).ok());
  return s;
}

absl::StatusOr<std::optional<RecordedRequest>> SubmissionSteps::Replay(const std::string& request_id,
                                                                       const std::string& fingerprint) {
  if (request_id.empty()) return InvalidField("request_id", "required: a client-chosen id that makes retries safe");
  KLA_ASSIGN_OR_RETURN(std::optional<RecordedRequest> earlier, store_->FindRequest(request_id));
  if (earlier && earlier->fingerprint != fingerprint) {
    return WithReason(InvalidField("request_id", "already used for a different request"), "REQUEST_ID_REUSED");
  }
  return earlier;
}

v1::Submission SubmissionSteps::Replayed(const RecordedRequest& earlier, SubmissionContext ctx,
                                         const auth::Principal& caller) {
  ctx.stored.submission = earlier.submission;
  ctx.stored.version = ParseEtag(kSubmissionEtag, earlier.submission.etag()).value_or(0);
  ctx.stored.submission.clear_etag();
  return View(ctx, caller);
}

absl::StatusOr<v1::Submission> SubmissionSteps::AfterFailedCommit(const absl::Status& status,
                                                                  const std::string& request_id,
                                                                  const SubmissionContext& ctx,
                                                                  const auth::Principal& caller) {
  // The same request may have been applied by a concurrent retry: then its
  // result is the answer, not a conflict.
  if (status.code() == absl::StatusCode::kAborted || status.code() == absl::StatusCode::kAlreadyExists) {
    KLA_ASSIGN_OR_RETURN(std::optional<RecordedRequest> applied, store_->FindRequest(request_id));
    if (applied) return Replayed(*applied, ctx, caller);
  }
  return status;
}

}  // namespace kla::submission
