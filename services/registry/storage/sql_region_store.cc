#include "services/registry/storage/sql_region_store.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"
#include "libs/common/text.h"

namespace kla::registry {
namespace {

using storage::Result;
using storage::Row;
using storage::Session;
using storage::Value;

constexpr absl::string_view kSelect =
    "SELECT r.code, r.name, r.level, r.province_code, p.name,"
    " (SELECT COUNT(*) FROM registry_regions c WHERE c.province_code = r.code AND c.level <> 1)"
    " FROM registry_regions r LEFT JOIN registry_regions p ON p.code = r.province_code";

Region FromRow(const Row& row) {
  Region r;
  r.code = row.Text(0);
  r.name = row.Text(1);
  r.level = static_cast<RegionLevel>(row.Int(2));
  r.province_code = row.Text(3);
  r.province_name = row.Text(4);
  r.regency_count = r.level == RegionLevel::kProvince ? static_cast<int32_t>(row.Int(5)) : 0;
  return r;
}

std::string EscapeLike(absl::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// WHERE clause and parameters for a filter (and an optional lower bound).
std::string Where(const RegionFilter& f, absl::string_view after_code, std::vector<Value>* params) {
  std::vector<std::string> conds;
  if (!f.province_code.empty()) {
    conds.emplace_back("r.province_code = ?");
    params->push_back(f.province_code);
  }
  if (!f.levels.empty()) {
    std::vector<std::string> marks;
    for (RegionLevel l : f.levels) {
      marks.emplace_back("?");
      params->push_back(static_cast<int64_t>(l));
    }
    conds.push_back(absl::StrCat("r.level IN (", absl::StrJoin(marks, ","), ")"));
  }
  if (!f.name_contains_folded.empty()) {
    conds.emplace_back("r.name_folded LIKE ? ESCAPE '\\'");
    params->push_back(absl::StrCat("%", EscapeLike(f.name_contains_folded), "%"));
  }
  if (!after_code.empty()) {
    conds.emplace_back("r.code > ?");
    params->push_back(std::string(after_code));
  }
  return conds.empty() ? "" : absl::StrCat(" WHERE ", absl::StrJoin(conds, " AND "));
}

absl::StatusOr<std::optional<ImportOutcome>> RecordedOutcome(Session& s, absl::string_view request_id) {
  KLA_ASSIGN_OR_RETURN(Result r, s.Execute("SELECT created, updated, unchanged, missing_codes, province_count,"
                                           " regency_count FROM registry_region_imports WHERE request_id = ?",
                                           {std::string(request_id)}));
  if (r.rows.empty()) return std::nullopt;
  const Row& row = r.rows[0];
  ImportOutcome o;
  o.created = static_cast<int>(row.Int(0));
  o.updated = static_cast<int>(row.Int(1));
  o.unchanged = static_cast<int>(row.Int(2));
  o.missing_codes = absl::StrSplit(row.Text(3), ',', absl::SkipEmpty());
  o.province_count = static_cast<int>(row.Int(4));
  o.regency_count = static_cast<int>(row.Int(5));
  return o;
}

}  // namespace

absl::StatusOr<std::optional<Region>> SqlRegionStore::Get(absl::string_view code) {
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute(absl::StrCat(kSelect, " WHERE r.code = ?"), {std::string(code)}));
  if (r.rows.empty()) return std::nullopt;
  return FromRow(r.rows[0]);
}

absl::StatusOr<std::vector<Region>> SqlRegionStore::List(const RegionFilter& filter, absl::string_view after_code,
                                                         int limit) {
  std::vector<Value> params;
  const std::string sql = absl::StrCat(kSelect, Where(filter, after_code, &params), " ORDER BY r.code LIMIT ?");
  params.emplace_back(static_cast<int64_t>(limit));
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute(sql, params));
  std::vector<Region> out;
  out.reserve(r.rows.size());
  for (const Row& row : r.rows) out.push_back(FromRow(row));
  return out;
}

absl::StatusOr<int> SqlRegionStore::Count(const RegionFilter& filter) {
  std::vector<Value> params;
  const std::string sql = absl::StrCat("SELECT COUNT(*) FROM registry_regions r", Where(filter, "", &params));
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute(sql, params));
  return static_cast<int>(r.rows[0].Int(0));
}

absl::StatusOr<ImportOutcome> SqlRegionStore::Import(absl::string_view request_id, const std::vector<Region>& regions,
                                                     bool dry_run) {
  ImportOutcome outcome;
  auto attempt = [&](Session& s) -> absl::Status {
    outcome = ImportOutcome{};
    if (!dry_run) {
      KLA_ASSIGN_OR_RETURN(std::optional<ImportOutcome> recorded, RecordedOutcome(s, request_id));
      if (recorded) {
        outcome = *recorded;
        return absl::OkStatus();
      }
    }
    KLA_ASSIGN_OR_RETURN(Result existing_rows,
                         s.Execute("SELECT code, name, level, province_code FROM registry_regions"));
    std::map<std::string, Region> existing;
    for (const Row& row : existing_rows.rows) {
      Region r{.code = row.Text(0),
               .name = row.Text(1),
               .level = static_cast<RegionLevel>(row.Int(2)),
               .province_code = row.Text(3)};
      existing.emplace(r.code, r);
    }
    const int64_t now = storage::ToMicros(clock_->Now());
    std::set<std::string> in_file;
    for (const Region& r : regions) {
      in_file.insert(r.code);
      (r.level == RegionLevel::kProvince ? outcome.province_count : outcome.regency_count)++;
      auto it = existing.find(r.code);
      if (it != existing.end() && it->second.SameStoredFields(r)) {
        ++outcome.unchanged;
        continue;
      }
      (it == existing.end() ? outcome.created : outcome.updated)++;
      if (dry_run) continue;
      KLA_RETURN_IF_ERROR(
          s.Execute("INSERT INTO registry_regions (code, level, province_code, name, name_folded, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET level = excluded.level,"
                    " province_code = excluded.province_code, name = excluded.name,"
                    " name_folded = excluded.name_folded, updated_at = excluded.updated_at",
                    {r.code, static_cast<int64_t>(r.level), r.province_code, r.name, FoldForSearch(r.name), now})
              .status());
    }
    for (const auto& [code, r] : existing) {
      if (!in_file.contains(code)) outcome.missing_codes.push_back(code);
    }
    if (dry_run) return absl::OkStatus();
    return s
        .Execute(
            "INSERT INTO registry_region_imports (request_id, created, updated, unchanged, missing_codes,"
            " province_count, regency_count, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            {std::string(request_id), int64_t{outcome.created}, int64_t{outcome.updated}, int64_t{outcome.unchanged},
             absl::StrJoin(outcome.missing_codes, ","), int64_t{outcome.province_count}, int64_t{outcome.regency_count},
             now})
        .status();
  };
  absl::Status st = db_->InTransaction(storage::TxMode::kWrite, attempt);
  // A concurrent import with the same request_id won the race: return its result.
  if (st.code() == absl::StatusCode::kAlreadyExists) st = db_->InTransaction(storage::TxMode::kWrite, attempt);
  if (!st.ok()) return st;
  return outcome;
}

}  // namespace kla::registry
