#include "services/submission/domain/answers.h"

#include <google/protobuf/util/message_differencer.h>

#include <map>

#include "libs/common/page_token.h"
#include "libs/common/status_macros.h"
#include "libs/common/text.h"
#include "libs/kernel/region_code.h"
#include "libs/kernel/time.h"
#include "libs/score/answer_check.h"

namespace kla::submission {
namespace {

using google::protobuf::util::MessageDifferencer;

absl::Status ValidateSave(const RulebookIndex& rb, const SaveCommand& cmd) {
  Violations v;
  std::set<std::string> seen;
  CheckItemList<v1::Answer>(
      rb, cmd.answers, "answers", &v, nullptr,
      [&](const v1::Answer& a, const RulebookIndex::Item& item, const std::string& f) {
        if (!a.has_value()) {
          v.Add(f + ".value", absl::StrCat("item ", a.item_id(), ": a value is required (clear_item_ids clears)"));
        } else {
          score::CheckAnswerValue(*item.rule, a.value(), f + ".value", &v);
        }
        if (a.note().size() > kMaxNote || !IsValidUtf8(a.note())) {
          v.Add(f + ".note", absl::StrCat("item ", a.item_id(), ": at most ", kMaxNote, " bytes of UTF-8"));
        }
      },
      &seen);
  for (size_t i = 0; i < cmd.clear_item_ids.size(); ++i) {
    const std::string& id = cmd.clear_item_ids[i];
    const std::string f = absl::StrCat("clear_item_ids[", i, "]");
    if (rb.Find(id) == nullptr) v.Add(f, absl::StrCat("no item \"", id, "\" in rulebook ", rb.version()));
    if (!seen.insert(id).second) v.Add(f, absl::StrCat("item ", id, " is both answered and cleared"));
  }
  if (cmd.answers.empty() && cmd.clear_item_ids.empty()) v.Add("answers", "give at least one answer or item to clear");
  return v.ToStatus("invalid answers");
}

// Puts the saved and cleared answers on the submission, in rulebook order,
// with an audit entry for each that changed.
void ApplySave(const SaveCommand& cmd, const auth::Principal& caller, PreparedChange& p) {
  v1::Submission& next = p.submission();
  const type::v1::Stage stage = next.stage();
  std::map<std::string, v1::Answer> current;
  for (auto& a : *next.mutable_answers()) current[a.item_id()] = std::move(a);
  for (const v1::Answer& a : cmd.answers) {
    v1::Answer& slot = current[a.item_id()];
    if (slot.has_value() && MessageDifferencer::Equals(slot.value(), a.value()) && slot.note() == a.note()) continue;
    v1::AuditEntry e = Entry(v1::AUDIT_ACTION_ANSWER_SAVED, a.item_id(), stage, caller.subject, p.now, cmd.request_id);
    if (slot.has_value()) *e.mutable_before() = slot.value();
    *e.mutable_after() = a.value();
    e.set_detail(a.note());
    p.change.audit.push_back(std::move(e));
    slot.set_item_id(a.item_id());
    *slot.mutable_value() = a.value();
    slot.set_note(a.note());
    slot.set_answered_by(caller.subject);
    *slot.mutable_update_time() = ToProtoTime(p.now);
  }
  for (const std::string& id : cmd.clear_item_ids) {
    auto it = current.find(id);
    if (it == current.end()) continue;
    v1::AuditEntry e = Entry(v1::AUDIT_ACTION_ANSWER_CLEARED, id, stage, caller.subject, p.now, cmd.request_id);
    *e.mutable_before() = it->second.value();
    p.change.audit.push_back(std::move(e));
    current.erase(it);
  }
  next.clear_answers();
  for (const auto& id : p.rulebook().item_ids()) {
    auto it = current.find(id);
    if (it != current.end()) *next.add_answers() = std::move(it->second);
  }
  if (p.ctx.stored.version == 0) *next.mutable_create_time() = ToProtoTime(p.now);
  *next.mutable_update_time() = ToProtoTime(p.now);
}

}  // namespace

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

void ApplyAdjustments(const std::vector<v1::Adjustment>& adjustments, const std::string& objection_id,
                      const std::string& default_reason, const auth::Principal& caller, const std::string& request_id,
                      PreparedChange& p) {
  v1::Submission& s = p.submission();
  std::map<std::string, v1::Answer> in_force;
  for (auto& a : AnswersInForce(p.rulebook(), s)) in_force[a.item_id()] = std::move(a);
  for (const auto& adj : adjustments) {
    v1::Adjustment stored = adj;
    if (stored.reason().empty()) stored.set_reason(default_reason);
    stored.set_stage(s.stage());
    stored.set_adjusted_by(caller.subject);
    *stored.mutable_adjust_time() = ToProtoTime(p.now);
    stored.set_objection_id(objection_id);
    v1::AuditEntry e = Entry(v1::AUDIT_ACTION_ADJUSTED, adj.item_id(), s.stage(), caller.subject, p.now, request_id);
    if (auto it = in_force.find(adj.item_id()); it != in_force.end()) *e.mutable_before() = it->second.value();
    *e.mutable_after() = adj.value();
    e.set_detail(objection_id.empty() ? stored.reason() : absl::StrCat(objection_id, ": ", stored.reason()));
    p.change.audit.push_back(std::move(e));
    *s.add_adjustments() = std::move(stored);
  }
}

absl::StatusOr<v1::Submission> Answers::Get(const std::string& cycle_id, const std::string& region_code,
                                            const auth::Principal& caller) {
  KLA_ASSIGN_OR_RETURN(SubmissionContext ctx, steps_->Load(cycle_id, region_code));
  return steps_->View(ctx, caller);
}

absl::StatusOr<SubmissionPage> Answers::List(const SubmissionFilter& filter, bool full, int page_size,
                                             const std::string& page_token, const auth::Principal& caller) {
  if (filter.cycle_id.empty()) return InvalidField("cycle_id", "required");
  if (!filter.province_code.empty() && !IsProvinceCode(filter.province_code)) {
    return InvalidField("province_code", "a province code such as \"35\"");
  }
  KLA_ASSIGN_OR_RETURN(const int size, ResolvePageSize(page_size));
  const std::string fingerprint =
      absl::StrCat("submissions|", filter.cycle_id, "|", filter.province_code, "|", filter.state);
  KLA_ASSIGN_OR_RETURN(const std::string after, DecodePageToken(page_token, fingerprint));
  KLA_ASSIGN_OR_RETURN(SubmissionContext ctx, steps_->LoadCycle(filter.cycle_id));
  KLA_ASSIGN_OR_RETURN(std::vector<StoredSubmission> rows, steps_->store()->List(filter, after, size + 1));
  SubmissionPage page;
  if (static_cast<int>(rows.size()) > size) {
    rows.resize(static_cast<size_t>(size));
    page.next_page_token = EncodePageToken(fingerprint, rows.back().submission.region_code());
  }
  for (auto& row : rows) {
    KLA_RETURN_IF_ERROR(steps_->Row(&ctx, std::move(row)));
    v1::Submission s = steps_->View(ctx, caller);
    if (!full) {  // progress without the answers: what a national overview needs
      s.clear_answers();
      s.clear_adjustments();
      s.clear_allowed();
      s.mutable_progress()->clear_missing_items();
    }
    page.submissions.push_back(std::move(s));
  }
  return page;
}

absl::StatusOr<v1::Submission> Answers::Save(const SaveCommand& cmd, const auth::Principal& caller) {
  std::string answers_bytes;
  for (const auto& a : cmd.answers) absl::StrAppend(&answers_bytes, Serialize(a), "|");
  for (const auto& c : cmd.clear_item_ids) absl::StrAppend(&answers_bytes, "clear:", c, "|");
  KLA_ASSIGN_OR_RETURN(
      PreparedChange p,
      steps_->Prepare({.request_id = cmd.request_id,
                       .fingerprint = Fingerprint("save", cmd.cycle_id, cmd.region_code, cmd.etag, answers_bytes),
                       .cycle_id = cmd.cycle_id,
                       .region_code = cmd.region_code,
                       .etag = cmd.etag,
                       .action = Action::kEdit,
                       .etag_check = EtagCheck::kOptional,
                       .refusal = "only the region's operator and OPD contributors answer its self-evaluation"},
                      caller));
  if (p.replayed) return *p.replayed;
  KLA_RETURN_IF_ERROR(ValidateSave(p.rulebook(), cmd));
  ApplySave(cmd, caller, p);
  return steps_->Commit(p, caller);
}

absl::StatusOr<v1::StageAnswers> Answers::StageAnswersOf(const std::string& cycle_id, const std::string& region_code,
                                                         type::v1::Stage stage) {
  KLA_RETURN_IF_ERROR(ValidateKey(cycle_id, region_code));
  if (stage == type::v1::STAGE_UNSPECIFIED || !type::v1::Stage_IsValid(stage)) return InvalidField("stage", "required");
  KLA_ASSIGN_OR_RETURN(std::optional<v1::StageAnswers> answers,
                       steps_->store()->GetStage(cycle_id, region_code, stage));
  if (!answers) {
    return NotFound("stage answers", absl::StrCat(cycle_id, "/", region_code, "/", type::v1::Stage_Name(stage)));
  }
  return *answers;
}

absl::StatusOr<AuditPage> Answers::Audit(const std::string& cycle_id, const std::string& region_code,
                                         const std::string& item_id, int page_size, const std::string& page_token) {
  KLA_RETURN_IF_ERROR(ValidateKey(cycle_id, region_code));
  KLA_ASSIGN_OR_RETURN(const int size, ResolvePageSize(page_size));
  const std::string fingerprint = absl::StrCat("audit|", cycle_id, "|", region_code, "|", item_id);
  KLA_ASSIGN_OR_RETURN(const std::string after, DecodePageToken(page_token, fingerprint));
  const int64_t after_seq = after.empty() ? 0 : std::stoll(after);
  KLA_ASSIGN_OR_RETURN(std::vector<v1::AuditEntry> rows,
                       steps_->store()->Audit(cycle_id, region_code, item_id, after_seq, size + 1));
  AuditPage page;
  if (static_cast<int>(rows.size()) > size) {
    rows.resize(static_cast<size_t>(size));
    page.next_page_token = EncodePageToken(fingerprint, absl::StrCat(rows.back().sequence()));
  }
  page.entries = std::move(rows);
  return page;
}

}  // namespace kla::submission
