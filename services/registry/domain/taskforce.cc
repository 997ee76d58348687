#include "services/registry/domain/taskforce.h"

#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "libs/common/errors.h"
#include "libs/common/page_token.h"
#include "libs/common/status_macros.h"
#include "libs/kernel/etag.h"
#include "libs/kernel/time.h"
#include "services/registry/domain/region.h"

namespace kla::registry {
namespace {

using google::protobuf::util::TimeUtil;

// The stored form: output-only fields cleared.
v1::TaskForce Stored(v1::TaskForce tf) {
  tf.clear_missing_sub_groups();
  tf.clear_etag();
  return tf;
}

}  // namespace

bool IsDate(absl::string_view s) {
  absl::CivilDay d;
  return s.size() == 10 && absl::ParseCivilTime(s, &d) && absl::FormatCivilTime(d) == s;
}

void Decorate(v1::TaskForce* tf, int64_t version) {
  std::set<int> present;
  for (const auto& m : tf->members()) present.insert(m.sub_group());
  tf->clear_missing_sub_groups();
  for (int c = type::v1::CLUSTER_KELEMBAGAAN; c <= type::v1::CLUSTER_K5_PERLINDUNGAN_KHUSUS; ++c) {
    if (!present.contains(c)) tf->add_missing_sub_groups(static_cast<type::v1::Cluster>(c));
  }
  tf->set_etag(FormatEtag(kTaskForceEtag, version));
}

absl::Status TaskForceRegistry::Validate(const v1::TaskForce& tf) {
  Violations v;
  if (tf.decree().number().empty()) v.Add("task_force.decree.number", "required: the SK number");
  if (!IsDate(tf.decree().date())) v.Add("task_force.decree.date", "required: YYYY-MM-DD");
  if (tf.decree().signatory().empty()) v.Add("task_force.decree.signatory", "required, e.g. \"Wali Kota Blitar\"");
  int chairs = 0, vices = 0, secretaries = 0;
  for (int i = 0; i < tf.members_size(); ++i) {
    const auto& m = tf.members(i);
    const std::string f = absl::StrCat("task_force.members[", i, "]");
    if (m.name().empty()) v.Add(f + ".name", "required");
    if (m.agency().empty()) v.Add(f + ".agency", "required: the OPD or organisation");
    switch (m.role()) {
      case v1::TASK_FORCE_ROLE_CHAIR:
        ++chairs;
        break;
      case v1::TASK_FORCE_ROLE_VICE_CHAIR:
        ++vices;
        break;
      case v1::TASK_FORCE_ROLE_SECRETARY:
        ++secretaries;
        break;
      case v1::TASK_FORCE_ROLE_MEMBER:
        if (m.sub_group() == type::v1::CLUSTER_UNSPECIFIED || !type::v1::Cluster_IsValid(m.sub_group())) {
          v.Add(f + ".sub_group", "required for a member: KELEMBAGAAN or K1-K5");
        }
        break;
      default:
        v.Add(f + ".role", "required: CHAIR, VICE_CHAIR, SECRETARY or MEMBER");
    }
  }
  if (chairs != 1) v.Add("task_force.members", absl::StrCat("needs exactly one chair (ketua), found ", chairs));
  if (vices != 1) v.Add("task_force.members", absl::StrCat("needs exactly one vice-chair, found ", vices));
  if (secretaries != 1) v.Add("task_force.members", absl::StrCat("needs exactly one secretary, found ", secretaries));
  if (tf.has_rad_kla()) {
    const auto& r = tf.rad_kla();
    if (r.document_ref().empty()) v.Add("task_force.rad_kla.document_ref", "required");
    if (r.start_year() < 2000 || r.end_year() < r.start_year() || r.end_year() > 2100) {
      v.Add("task_force.rad_kla", "start_year and end_year must be a period such as 2024-2026");
    }
  }
  return v.ToStatus("invalid task force");
}

absl::StatusOr<StoredTaskForce> TaskForceRegistry::Load(absl::string_view region_code) {
  KLA_RETURN_IF_ERROR(ValidateRegionCode("region_code", region_code));
  KLA_ASSIGN_OR_RETURN(std::optional<StoredTaskForce> tf, store_->Get(region_code));
  if (!tf) return NotFound("task force", region_code);
  return *tf;
}

absl::StatusOr<v1::TaskForce> TaskForceRegistry::Create(const v1::TaskForce& task_force, absl::string_view actor) {
  KLA_RETURN_IF_ERROR(ValidateRegionCode("task_force.region_code", task_force.region_code()));
  KLA_RETURN_IF_ERROR(Validate(task_force));
  KLA_ASSIGN_OR_RETURN(std::optional<Region> region, regions_->Get(task_force.region_code()));
  if (!region) return NotFound("region", task_force.region_code());
  v1::TaskForceRevision rev;
  *rev.mutable_task_force() = Stored(task_force);
  const auto now = ToProtoTime(clock_->Now());
  *rev.mutable_task_force()->mutable_create_time() = now;
  *rev.mutable_task_force()->mutable_update_time() = now;
  rev.set_changed_by(std::string(actor));
  *rev.mutable_change_time() = now;
  rev.add_changed_fields("create");
  absl::Status st = store_->Create(rev);
  if (st.code() == absl::StatusCode::kAlreadyExists) {
    KLA_ASSIGN_OR_RETURN(StoredTaskForce existing, Load(task_force.region_code()));
    v1::TaskForce a = Stored(existing.task_force), b = Stored(task_force);
    a.clear_create_time();
    a.clear_update_time();
    b.clear_create_time();
    b.clear_update_time();
    if (google::protobuf::util::MessageDifferencer::Equals(a, b)) {  // a retry of the same create
      Decorate(&existing.task_force, existing.version);
      return existing.task_force;
    }
    return absl::AlreadyExistsError(
        absl::StrCat("region ", task_force.region_code(), " already has a task force: update it instead"));
  }
  KLA_RETURN_IF_ERROR(st);
  v1::TaskForce out = rev.task_force();
  Decorate(&out, 1);
  return out;
}

absl::StatusOr<v1::TaskForce> TaskForceRegistry::Get(absl::string_view region_code) {
  KLA_ASSIGN_OR_RETURN(StoredTaskForce tf, Load(region_code));
  Decorate(&tf.task_force, tf.version);
  return tf.task_force;
}

absl::StatusOr<v1::TaskForce> TaskForceRegistry::Update(const v1::TaskForce& task_force,
                                                        const std::vector<std::string>& paths,
                                                        absl::string_view actor) {
  KLA_ASSIGN_OR_RETURN(StoredTaskForce stored, Load(task_force.region_code()));
  if (task_force.etag() != FormatEtag(kTaskForceEtag, stored.version)) {
    return StaleEtag(absl::StrCat("the task force of ", task_force.region_code(), " was changed by someone else (etag ",
                                  task_force.etag(), " is stale, current is ",
                                  FormatEtag(kTaskForceEtag, stored.version), "): read it again"));
  }
  if (paths.empty()) return InvalidField("update_mask", "name at least one field: decree, members, rad_kla");
  v1::TaskForce next = stored.task_force;
  for (const auto& p : paths) {
    if (p == "decree") {
      *next.mutable_decree() = task_force.decree();
    } else if (p == "members") {
      *next.mutable_members() = task_force.members();
    } else if (p == "rad_kla") {
      if (task_force.has_rad_kla()) {
        *next.mutable_rad_kla() = task_force.rad_kla();
      } else {
        next.clear_rad_kla();
      }
    } else {
      return InvalidField("update_mask",
                          absl::StrCat("\"", p, "\" cannot be updated; allowed: decree, members, rad_kla"));
    }
  }
  KLA_RETURN_IF_ERROR(Validate(next));
  const auto now = ToProtoTime(clock_->Now());
  *next.mutable_update_time() = now;
  v1::TaskForceRevision rev;
  *rev.mutable_task_force() = next;
  rev.set_changed_by(std::string(actor));
  *rev.mutable_change_time() = now;
  for (const auto& p : paths) rev.add_changed_fields(p);
  KLA_RETURN_IF_ERROR(store_->Update(rev, stored.version));
  Decorate(&next, stored.version + 1);
  return next;
}

absl::StatusOr<TaskForcePage> TaskForceRegistry::List(absl::string_view province_code, int page_size,
                                                      absl::string_view page_token) {
  if (!province_code.empty() && !IsProvinceCode(province_code)) {
    return InvalidField("province_code", "a province code such as \"35\"");
  }
  KLA_ASSIGN_OR_RETURN(const int size, ResolvePageSize(page_size));
  const std::string fingerprint = absl::StrCat("taskforces|", province_code);
  KLA_ASSIGN_OR_RETURN(const std::string after, DecodePageToken(page_token, fingerprint));
  KLA_ASSIGN_OR_RETURN(std::vector<StoredTaskForce> rows, store_->List(province_code, after, size + 1));
  TaskForcePage page;
  if (static_cast<int>(rows.size()) > size) {
    rows.resize(static_cast<size_t>(size));
    page.next_page_token = EncodePageToken(fingerprint, rows.back().task_force.region_code());
  }
  for (auto& r : rows) {
    Decorate(&r.task_force, r.version);
    page.task_forces.push_back(std::move(r.task_force));
  }
  return page;
}

absl::StatusOr<std::vector<v1::TaskForceRevision>> TaskForceRegistry::History(absl::string_view region_code) {
  KLA_RETURN_IF_ERROR(Load(region_code).status());
  return store_->History(region_code);
}

absl::StatusOr<v1::TaskForceMeeting> TaskForceRegistry::AddMeeting(const v1::TaskForceMeeting& meeting,
                                                                   absl::string_view request_id) {
  Violations v;
  if (request_id.empty()) v.Add("request_id", "required: a client-chosen id such as a UUID");
  if (!IsDate(meeting.date())) v.Add("meeting.date", "required: YYYY-MM-DD");
  if (meeting.agenda().empty()) v.Add("meeting.agenda", "required");
  if (meeting.attendance() < 0) v.Add("meeting.attendance", "must not be negative");
  KLA_RETURN_IF_ERROR(v.ToStatus("invalid meeting"));
  KLA_RETURN_IF_ERROR(Load(meeting.region_code()).status());
  // Bounded so that a year's list stays one readable answer.
  const std::string year = meeting.date().substr(0, 4);
  KLA_ASSIGN_OR_RETURN(auto that_year, store_->Meetings(meeting.region_code(), absl::StrCat(year, "-01-01"),
                                                        absl::StrCat(year, "-12-31")));
  if (that_year.size() >= kMaxMeetingsPerYear) {
    return absl::ResourceExhaustedError(
        absl::StrCat("at most ", kMaxMeetingsPerYear, " meetings of a task force are recorded per year"));
  }
  return store_->AddMeeting(meeting, request_id);
}

absl::StatusOr<MeetingLog> TaskForceRegistry::Meetings(absl::string_view region_code, int year) {
  if (year < 2000 || year > 2100) return InvalidField("year", "a calendar year such as 2025");
  KLA_RETURN_IF_ERROR(Load(region_code).status());
  MeetingLog log;
  KLA_ASSIGN_OR_RETURN(log.meetings,
                       store_->Meetings(region_code, absl::StrCat(year, "-01-01"), absl::StrCat(year, "-12-31")));
  log.more_than_four = log.meetings.size() > 4;
  return log;
}

}  // namespace kla::registry
