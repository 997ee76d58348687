#include "services/registry/storage/sql_training_store.h"

#include "absl/strings/str_cat.h"
#include "libs/common/ids.h"
#include "libs/common/status_macros.h"
#include "libs/common/text.h"

namespace kla::registry {
namespace {

using storage::Result;
using storage::Row;
using storage::Session;

constexpr absl::string_view kSelect =
    "SELECT t.content, t.id, (SELECT COUNT(*) FROM registry_training_participants p WHERE p.training_id = t.id)"
    " FROM registry_trainings t";

absl::StatusOr<v1::Training> FromRow(const Row& row) {
  v1::Training t;
  if (!t.ParseFromString(row.Text(0))) return absl::DataLossError("stored training unreadable");
  t.set_id(row.Text(1));
  t.set_participant_count(static_cast<int32_t>(row.Int(2)));
  return t;
}

}  // namespace

absl::StatusOr<v1::Training> SqlTrainingStore::Create(const v1::Training& training, absl::string_view request_id) {
  std::string id;
  auto attempt = [&](Session& s) -> absl::Status {
    KLA_ASSIGN_OR_RETURN(
        Result seen, s.Execute("SELECT id FROM registry_trainings WHERE request_id = ?", {std::string(request_id)}));
    if (!seen.rows.empty()) {
      id = seen.rows[0].Text(0);
      return absl::OkStatus();
    }
    id = NewUuid();
    return s
        .Execute(
            "INSERT INTO registry_trainings (id, request_id, content, region_code, start_date, end_date)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            {id, std::string(request_id), storage::Blob(training.SerializeAsString()), training.region_code(),
             training.start_date(), training.end_date()})
        .status();
  };
  absl::Status st = db_->InTransaction(storage::TxMode::kWrite, attempt);
  if (st.code() == absl::StatusCode::kAlreadyExists) st = db_->InTransaction(storage::TxMode::kWrite, attempt);
  KLA_RETURN_IF_ERROR(st);
  KLA_ASSIGN_OR_RETURN(std::optional<v1::Training> t, Get(id));
  if (!t) return absl::InternalError("training vanished after create");
  return *t;
}

absl::StatusOr<std::optional<v1::Training>> SqlTrainingStore::Get(absl::string_view id) {
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute(absl::StrCat(kSelect, " WHERE t.id = ?"), {std::string(id)}));
  if (r.rows.empty()) return std::nullopt;
  KLA_ASSIGN_OR_RETURN(v1::Training t, FromRow(r.rows[0]));
  return t;
}

absl::StatusOr<std::vector<v1::Training>> SqlTrainingStore::List(absl::string_view region_code, absl::string_view from,
                                                                 absl::string_view to) {
  std::string sql = absl::StrCat(kSelect, " WHERE t.end_date >= ? AND t.end_date <= ?");
  std::vector<storage::Value> params = {std::string(from), std::string(to)};
  if (!region_code.empty()) {
    sql += " AND t.region_code = ?";
    params.emplace_back(std::string(region_code));
  }
  sql += " ORDER BY t.start_date, t.id";
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute(sql, params));
  std::vector<v1::Training> out;
  for (const Row& row : r.rows) {
    KLA_ASSIGN_OR_RETURN(v1::Training t, FromRow(row));
    out.push_back(std::move(t));
  }
  return out;
}

absl::StatusOr<ImportedParticipants> SqlTrainingStore::AddParticipants(
    absl::string_view training_id, const std::vector<v1::TrainingParticipant>& people, absl::string_view request_id) {
  ImportedParticipants out;
  auto attempt = [&](Session& s) -> absl::Status {
    out = ImportedParticipants{};
    KLA_ASSIGN_OR_RETURN(Result seen, s.Execute("SELECT added, already FROM registry_participant_imports"
                                                " WHERE request_id = ?",
                                                {std::string(request_id)}));
    if (!seen.rows.empty()) {
      out.added = static_cast<int>(seen.rows[0].Int(0));
      out.already_registered = static_cast<int>(seen.rows[0].Int(1));
      return absl::OkStatus();
    }
    for (const auto& p : people) {
      const std::string key =
          absl::StrCat(FoldForSearch(p.name()), "|", FoldForSearch(p.agency()), "|", p.region_code());
      KLA_ASSIGN_OR_RETURN(Result r, s.Execute("INSERT INTO registry_training_participants (training_id, person_key,"
                                               " name, agency, agency_folded, region_code, position)"
                                               " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                                               {std::string(training_id), key, p.name(), p.agency(),
                                                FoldForSearch(p.agency()), p.region_code(), p.position()}));
      (r.affected_rows == 1 ? out.added : out.already_registered)++;
    }
    return s
        .Execute(
            "INSERT INTO registry_participant_imports (request_id, training_id, added, already)"
            " VALUES (?, ?, ?, ?)",
            {std::string(request_id), std::string(training_id), static_cast<int64_t>(out.added),
             static_cast<int64_t>(out.already_registered)})
        .status();
  };
  absl::Status st = db_->InTransaction(storage::TxMode::kWrite, attempt);
  if (st.code() == absl::StatusCode::kAlreadyExists) st = db_->InTransaction(storage::TxMode::kWrite, attempt);
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::vector<v1::TrainingParticipant>> SqlTrainingStore::Participants(absl::string_view training_id) {
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute("SELECT name, agency, region_code, position"
                                              " FROM registry_training_participants WHERE training_id = ?"
                                              " ORDER BY agency_folded, person_key",
                                              {std::string(training_id)}));
  std::vector<v1::TrainingParticipant> out;
  for (const Row& row : r.rows) {
    v1::TrainingParticipant p;
    p.set_name(row.Text(0));
    p.set_agency(row.Text(1));
    p.set_region_code(row.Text(2));
    p.set_position(row.Text(3));
    out.push_back(std::move(p));
  }
  return out;
}

absl::StatusOr<std::vector<v1::TrainedStaffCount>> SqlTrainingStore::CountTrained(absl::string_view region_code,
                                                                                  absl::string_view from,
                                                                                  absl::string_view to) {
  KLA_ASSIGN_OR_RETURN(
      Result r, db_->Execute("SELECT MIN(p.agency), COUNT(DISTINCT p.person_key) FROM registry_training_participants p"
                             " JOIN registry_trainings t ON t.id = p.training_id"
                             " WHERE p.region_code = ? AND t.end_date >= ? AND t.end_date <= ?"
                             " GROUP BY p.agency_folded ORDER BY 2 DESC, 1",
                             {std::string(region_code), std::string(from), std::string(to)}));
  std::vector<v1::TrainedStaffCount> out;
  for (const Row& row : r.rows) {
    v1::TrainedStaffCount c;
    c.set_agency(row.Text(0));
    c.set_count(static_cast<int32_t>(row.Int(1)));
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace kla::registry
