#include "services/submission/domain/objections.h"

#include <algorithm>

#include "absl/strings/str_join.h"
#include "kla/submission/v1/events.pb.h"
#include "libs/common/status_macros.h"
#include "libs/kernel/time.h"
#include "libs/score/answer_check.h"
#include "services/submission/domain/answers.h"

namespace kla::submission {
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

absl::Status ValidateDecision(const ResolveCommand& cmd, const RulebookIndex& rb, int indicator) {
  const bool accept = cmd.decision == v1::OBJECTION_DECISION_ACCEPT;
  Violations v;
  if (cmd.decision != v1::OBJECTION_DECISION_ACCEPT && cmd.decision != v1::OBJECTION_DECISION_REJECT) {
    v.Add("decision", "ACCEPT or REJECT");
  }
  if (!IsReason(cmd.reason)) {
    v.Add("reason", absl::StrCat("required, at most ", kMaxReason, " bytes: the reviewer's reasons"));
  }
  if (accept && cmd.adjustments.empty()) v.Add("adjustments", "accepting means correcting at least one answer");
  if (!accept && !cmd.adjustments.empty()) v.Add("adjustments", "a rejected objection changes no answer");
  CheckItemList<v1::Adjustment>(
      rb, cmd.adjustments, "adjustments", &v,
      [&](const RulebookIndex::Item& item) {
        return item.indicator == indicator ? std::string() : absl::StrCat("not an item of indicator ", indicator);
      },
      [&](const v1::Adjustment& adj, const RulebookIndex::Item& item, const std::string& f) {
        if (!adj.has_value()) {
          v.Add(f + ".value", "required: the corrected value");
        } else {
          score::CheckAnswerValue(*item.rule, adj.value(), f + ".value", &v);
        }
      });
  return v.ToStatus("invalid decision");
}

}  // namespace

absl::Status Objections::ValidateFiling(const ObjectionCommand& cmd, const RulebookIndex& rb) {
  Violations v;
  std::set<std::string> indicator_items;
  for (const auto& item_id : rb.item_ids()) {
    if (rb.Find(item_id)->indicator == cmd.indicator) indicator_items.insert(item_id);
  }
  if (indicator_items.empty()) v.Add("indicator", absl::StrCat("no indicator ", cmd.indicator, " in the rulebook"));
  if (!IsReason(cmd.reason)) {
    v.Add("reason", absl::StrCat("required, at most ", kMaxReason, " bytes: why the region objects"));
  }
  if (cmd.evidence_ids.empty()) v.Add("evidence_ids", "at least one file supporting the objection");
  for (size_t i = 0; i < cmd.evidence_ids.size(); ++i) {
    KLA_ASSIGN_OR_RETURN(std::optional<v1::Evidence> e, steps_->store()->GetEvidence(cmd.evidence_ids[i]));
    const std::string f = absl::StrCat("evidence_ids[", i, "]");
    if (!e || e->cycle_id() != cmd.cycle_id || e->region_code() != cmd.region_code) {
      v.Add(f, absl::StrCat("no evidence \"", cmd.evidence_ids[i], "\" in this submission"));
    } else if (!indicator_items.empty() && !indicator_items.contains(e->item_id())) {
      v.Add(f, absl::StrCat("evidence of item ", e->item_id(), ", not of indicator ", cmd.indicator));
    }
  }
  return v.ToStatus("invalid objection");
}

absl::StatusOr<ObjectionOutcome> Objections::File(const ObjectionCommand& cmd, const auth::Principal& caller) {
  const std::string id = ObjectionId(cmd.indicator);
  KLA_ASSIGN_OR_RETURN(
      PreparedChange p,
      steps_->Prepare({.request_id = cmd.request_id,
                       .fingerprint = Fingerprint("object", cmd.cycle_id, cmd.region_code, cmd.etag, cmd.indicator,
                                                  cmd.reason, absl::StrJoin(cmd.evidence_ids, ",")),
                       .cycle_id = cmd.cycle_id,
                       .region_code = cmd.region_code,
                       .etag = cmd.etag,
                       .action = Action::kObject,
                       .refusal = "only the region's operator files its objections"},
                      caller));
  if (p.replayed) return Outcome(*std::move(p.replayed), id);
  KLA_RETURN_IF_ERROR(ValidateFiling(cmd, p.rulebook()));
  v1::Submission& s = p.submission();
  if (FindObjection(s, id) != nullptr) {
    return WithReason(absl::FailedPreconditionError(
                          absl::StrCat("indicator ", cmd.indicator, " already has an objection (", id, ")")),
                      "OBJECTION_EXISTS", {{"indicator", std::to_string(cmd.indicator)}, {"objection_id", id}});
  }
  v1::Objection o;
  o.set_objection_id(id);
  o.set_indicator(cmd.indicator);
  o.set_reason(cmd.reason);
  for (const auto& e : cmd.evidence_ids) o.add_evidence_ids(e);
  o.set_state(v1::OBJECTION_STATE_FILED);
  o.set_filed_by(caller.subject);
  *o.mutable_file_time() = ToProtoTime(p.now);
  auto* list = s.mutable_objections();  // by indicator, as the proto promises
  *list->Add() = o;
  std::sort(list->begin(), list->end(),
            [](const v1::Objection& a, const v1::Objection& b) { return a.indicator() < b.indicator(); });
  *s.mutable_update_time() = ToProtoTime(p.now);
  v1::AuditEntry e = Entry(v1::AUDIT_ACTION_OBJECTION_FILED, "", s.stage(), caller.subject, p.now, cmd.request_id);
  e.set_detail(absl::StrCat(id, ": ", cmd.reason));
  p.change.audit.push_back(std::move(e));
  v1::ObjectionFiled event;
  event.set_cycle_id(s.cycle_id());
  event.set_region_code(s.region_code());
  *event.mutable_objection() = o;
  p.change.events.push_back(Event("notification", std::move(event)));
  KLA_ASSIGN_OR_RETURN(v1::Submission after, steps_->Commit(p, caller));
  return Outcome(std::move(after), id);
}

absl::StatusOr<ObjectionOutcome> Objections::Resolve(const ResolveCommand& cmd, const auth::Principal& caller) {
  std::string adjustments;
  for (const auto& a : cmd.adjustments) absl::StrAppend(&adjustments, Serialize(a), "|");
  KLA_ASSIGN_OR_RETURN(
      PreparedChange p,
      steps_->Prepare({.request_id = cmd.request_id,
                       .fingerprint = Fingerprint("resolve", cmd.cycle_id, cmd.region_code, cmd.etag, cmd.objection_id,
                                                  cmd.decision, cmd.reason, adjustments),
                       .cycle_id = cmd.cycle_id,
                       .region_code = cmd.region_code,
                       .etag = cmd.etag,
                       .action = Action::kResolveObjection,
                       .check_window = false,
                       .refusal = "only central reviewers and national admins decide objections"},
                      caller));
  if (p.replayed) return Outcome(*std::move(p.replayed), cmd.objection_id);
  v1::Submission& s = p.submission();
  v1::Objection* o = FindObjection(s, cmd.objection_id);
  if (o == nullptr) return NotFound("objection", cmd.objection_id);
  if (o->state() != v1::OBJECTION_STATE_FILED) {
    return WithReason(absl::FailedPreconditionError(
                          absl::StrCat("objection ", cmd.objection_id, " was decided already by ", o->resolved_by())),
                      "OBJECTION_DECIDED", {{"objection_id", cmd.objection_id}});
  }
  KLA_RETURN_IF_ERROR(ValidateDecision(cmd, p.rulebook(), o->indicator()));
  const bool accept = cmd.decision == v1::OBJECTION_DECISION_ACCEPT;
  v1::AuditEntry entry = Entry(accept ? v1::AUDIT_ACTION_OBJECTION_ACCEPTED : v1::AUDIT_ACTION_OBJECTION_REJECTED, "",
                               s.stage(), caller.subject, p.now, cmd.request_id);
  entry.set_detail(absl::StrCat(cmd.objection_id, ": ", cmd.reason));
  p.change.audit.push_back(std::move(entry));
  o->set_state(accept ? v1::OBJECTION_STATE_ACCEPTED : v1::OBJECTION_STATE_REJECTED);
  o->set_resolved_by(caller.subject);
  *o->mutable_resolve_time() = ToProtoTime(p.now);
  o->set_resolution(cmd.reason);
  for (const auto& adj : cmd.adjustments) o->add_adjusted_items(adj.item_id());
  ApplyAdjustments(cmd.adjustments, cmd.objection_id, cmd.reason, caller, cmd.request_id, p);
  *s.mutable_update_time() = ToProtoTime(p.now);
  v1::ObjectionResolved event;
  event.set_cycle_id(s.cycle_id());
  event.set_region_code(s.region_code());
  *event.mutable_objection() = *o;
  p.change.events.push_back(Event("notification", std::move(event)));
  KLA_ASSIGN_OR_RETURN(v1::Submission after, steps_->Commit(p, caller));
  return Outcome(std::move(after), cmd.objection_id);
}

}  // namespace kla::submission
