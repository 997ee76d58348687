#include "services/registry/storage/sql_rulebook_store.h"

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace kla::registry {
namespace {

using storage::Result;
using storage::Row;
using storage::Session;

constexpr absl::string_view kColumns =
    "SELECT version, content, sha256, uploaded_at, item_count FROM registry_rulebooks";

absl::StatusOr<RulebookRecord> FromRow(const Row& row) {
  RulebookRecord r;
  if (!r.rulebook.ParseFromString(row.Text(1))) {
    return absl::DataLossError(absl::StrCat("stored rulebook ", row.Text(0), " is unreadable"));
  }
  r.sha256 = row.Text(2);
  r.uploaded_at = storage::FromMicros(row.Int(3));
  r.item_count = static_cast<int>(row.Int(4));
  return r;
}

absl::StatusOr<std::optional<RulebookRecord>> GetIn(Session& s, absl::string_view version) {
  KLA_ASSIGN_OR_RETURN(Result r, s.Execute(absl::StrCat(kColumns, " WHERE version = ?"), {std::string(version)}));
  if (r.rows.empty()) return std::nullopt;
  KLA_ASSIGN_OR_RETURN(RulebookRecord rec, FromRow(r.rows[0]));
  return rec;
}

}  // namespace

absl::StatusOr<std::pair<RulebookRecord, bool>> SqlRulebookStore::PutIfAbsent(const RulebookRecord& record) {
  std::pair<RulebookRecord, bool> out;
  auto attempt = [&](Session& s) -> absl::Status {
    KLA_ASSIGN_OR_RETURN(std::optional<RulebookRecord> existing, GetIn(s, record.rulebook.version()));
    if (existing) {
      out = {*std::move(existing), false};
      return absl::OkStatus();
    }
    KLA_RETURN_IF_ERROR(
        s.Execute("INSERT INTO registry_rulebooks (version, content, sha256, uploaded_at, item_count)"
                  " VALUES (?, ?, ?, ?, ?)",
                  {record.rulebook.version(), storage::Blob(record.rulebook.SerializeAsString()), record.sha256,
                   storage::ToMicros(record.uploaded_at), static_cast<int64_t>(record.item_count)})
            .status());
    out = {record, true};
    return absl::OkStatus();
  };
  absl::Status st = db_->InTransaction(storage::TxMode::kWrite, attempt);
  // A concurrent upload of the same version won: report what it stored.
  if (st.code() == absl::StatusCode::kAlreadyExists) st = db_->InTransaction(storage::TxMode::kWrite, attempt);
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::optional<RulebookRecord>> SqlRulebookStore::Get(absl::string_view version) {
  std::optional<RulebookRecord> out;
  KLA_RETURN_IF_ERROR(db_->InTransaction(storage::TxMode::kRead, [&](Session& s) -> absl::Status {
    KLA_ASSIGN_OR_RETURN(out, GetIn(s, version));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<RulebookRecord>> SqlRulebookStore::List(absl::string_view after, int limit) {
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute(absl::StrCat(kColumns, " WHERE version > ? ORDER BY version LIMIT ?"),
                                              {std::string(after), static_cast<int64_t>(limit)}));
  std::vector<RulebookRecord> out;
  for (const Row& row : r.rows) {
    KLA_ASSIGN_OR_RETURN(RulebookRecord rec, FromRow(row));
    out.push_back(std::move(rec));
  }
  return out;
}

}  // namespace kla::registry
