#include "services/registry/storage/sql_taskforce_store.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "libs/common/errors.h"
#include "libs/common/ids.h"
#include "libs/common/status_macros.h"

namespace kla::registry {
namespace {

using google::protobuf::util::TimeUtil;
using storage::Result;
using storage::Row;
using storage::Session;

absl::Status InsertRevision(Session& s, const v1::TaskForceRevision& rev, int64_t version) {
  return s
      .Execute(
          "INSERT INTO registry_task_force_revisions (region_code, version, content, changed_at)"
          " VALUES (?, ?, ?, ?)",
          {rev.task_force().region_code(), version, storage::Blob(rev.SerializeAsString()),
           TimeUtil::TimestampToMicroseconds(rev.change_time())})
      .status();
}

v1::TaskForceMeeting MeetingFromRow(const Row& row) {
  v1::TaskForceMeeting m;
  m.set_id(row.Text(0));
  m.set_region_code(row.Text(1));
  m.set_date(row.Text(2));
  m.set_agenda(row.Text(3));
  m.set_attendance(static_cast<int32_t>(row.Int(4)));
  m.set_minutes_ref(row.Text(5));
  return m;
}

constexpr absl::string_view kMeetingColumns =
    "SELECT id, region_code, meeting_date, agenda, attendance, minutes_ref FROM registry_task_force_meetings";

}  // namespace

absl::Status SqlTaskForceStore::Create(const v1::TaskForceRevision& first) {
  return db_->InTransaction(storage::TxMode::kWrite, [&](Session& s) -> absl::Status {
    KLA_RETURN_IF_ERROR(
        s.Execute("INSERT INTO registry_task_forces (region_code, content, version) VALUES (?, ?, 1)",
                  {first.task_force().region_code(), storage::Blob(first.task_force().SerializeAsString())})
            .status());
    return InsertRevision(s, first, 1);
  });
}

absl::StatusOr<std::optional<StoredTaskForce>> SqlTaskForceStore::Get(absl::string_view region_code) {
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute("SELECT content, version FROM registry_task_forces WHERE region_code = ?",
                                              {std::string(region_code)}));
  if (r.rows.empty()) return std::nullopt;
  StoredTaskForce tf;
  if (!tf.task_force.ParseFromString(r.rows[0].Text(0))) return absl::DataLossError("stored task force unreadable");
  tf.version = r.rows[0].Int(1);
  return tf;
}

absl::Status SqlTaskForceStore::Update(const v1::TaskForceRevision& rev, int64_t expected_version) {
  return db_->InTransaction(storage::TxMode::kWrite, [&](Session& s) -> absl::Status {
    KLA_ASSIGN_OR_RETURN(Result r, s.Execute("UPDATE registry_task_forces SET content = ?, version = version + 1"
                                             " WHERE region_code = ? AND version = ?",
                                             {storage::Blob(rev.task_force().SerializeAsString()),
                                              rev.task_force().region_code(), expected_version}));
    if (r.affected_rows != 1) return StaleEtag("the task force was changed concurrently: read it again");
    return InsertRevision(s, rev, expected_version + 1);
  });
}

absl::StatusOr<std::vector<StoredTaskForce>> SqlTaskForceStore::List(absl::string_view province_code,
                                                                     absl::string_view after, int limit) {
  KLA_ASSIGN_OR_RETURN(
      Result r, db_->Execute("SELECT content, version FROM registry_task_forces"
                             " WHERE region_code > ? AND region_code LIKE ? ORDER BY region_code"
                             " LIMIT ?",
                             {std::string(after), absl::StrCat(province_code, "%"), static_cast<int64_t>(limit)}));
  std::vector<StoredTaskForce> out;
  for (const Row& row : r.rows) {
    StoredTaskForce tf;
    if (!tf.task_force.ParseFromString(row.Text(0))) return absl::DataLossError("stored task force unreadable");
    tf.version = row.Int(1);
    out.push_back(std::move(tf));
  }
  return out;
}

absl::StatusOr<std::vector<v1::TaskForceRevision>> SqlTaskForceStore::History(absl::string_view region_code) {
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute("SELECT content FROM registry_task_force_revisions"
                                              " WHERE region_code = ? ORDER BY version",
                                              {std::string(region_code)}));
  std::vector<v1::TaskForceRevision> out;
  for (const Row& row : r.rows) {
    v1::TaskForceRevision rev;
    if (!rev.ParseFromString(row.Text(0))) return absl::DataLossError("stored revision unreadable");
    out.push_back(std::move(rev));
  }
  return out;
}

absl::StatusOr<v1::TaskForceMeeting> SqlTaskForceStore::AddMeeting(const v1::TaskForceMeeting& meeting,
                                                                   absl::string_view request_id) {
  v1::TaskForceMeeting out;
  auto attempt = [&](Session& s) -> absl::Status {
    KLA_ASSIGN_OR_RETURN(Result seen,
                         s.Execute(absl::StrCat(kMeetingColumns, " WHERE request_id = ?"), {std::string(request_id)}));
    if (!seen.rows.empty()) {
      out = MeetingFromRow(seen.rows[0]);
      return absl::OkStatus();
    }
    out = meeting;
    out.set_id(NewUuid());
    return s
        .Execute(
            "INSERT INTO registry_task_force_meetings (id, request_id, region_code, meeting_date, agenda,"
            " attendance, minutes_ref) VALUES (?, ?, ?, ?, ?, ?, ?)",
            {out.id(), std::string(request_id), out.region_code(), out.date(), out.agenda(),
             static_cast<int64_t>(out.attendance()), out.minutes_ref()})
        .status();
  };
  absl::Status st = db_->InTransaction(storage::TxMode::kWrite, attempt);
  if (st.code() == absl::StatusCode::kAlreadyExists) st = db_->InTransaction(storage::TxMode::kWrite, attempt);
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::vector<v1::TaskForceMeeting>> SqlTaskForceStore::Meetings(absl::string_view region_code,
                                                                              absl::string_view from,
                                                                              absl::string_view to) {
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute(absl::StrCat(kMeetingColumns,
                                                           " WHERE region_code = ? AND meeting_date >= ?"
                                                           " AND meeting_date <= ? ORDER BY meeting_date, id"),
                                              {std::string(region_code), std::string(from), std::string(to)}));
  std::vector<v1::TaskForceMeeting> out;
  for (const Row& row : r.rows) out.push_back(MeetingFromRow(row));
  return out;
}

}  // namespace kla::registry
