#include "libs/storage/database.h"

#include <cassert>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/storage/postgres_database.h"
#include "libs/storage/sqlite_database.h"

namespace kla::storage {

int64_t Row::Int(size_t i) const {
  const Value& v = values_.at(i);
  if (const auto* x = std::get_if<int64_t>(&v)) return *x;
  assert(false && "column is not an integer");
  return 0;
}

std::optional<int64_t> Row::OptInt(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Int(i);
}

std::string Row::Text(size_t i) const {
  const Value& v = values_.at(i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* b = std::get_if<Bytes>(&v)) return b->data;
  if (const auto* n = std::get_if<int64_t>(&v)) return absl::StrCat(*n);
  return "";
}

absl::StatusOr<Result> Database::Execute(absl::string_view sql, const std::vector<Value>& params) {
  Result result;
  const bool reads_only = absl::StartsWithIgnoreCase(sql, "SELECT");
  absl::Status status = InTransaction(reads_only ? TxMode::kRead : TxMode::kWrite, [&](Session& s) {
    auto r = s.Execute(sql, params);
    if (!r.ok()) return r.status();
    result = *std::move(r);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

std::string RedactUrl(absl::string_view url) {
  // scheme://user:password@host -> scheme://user:***@host
  size_t scheme = url.find("://");
  size_t at = url.find('@');
  if (scheme == absl::string_view::npos || at == absl::string_view::npos || at < scheme) return std::string(url);
  size_t colon = url.find(':', scheme + 3);
  if (colon == absl::string_view::npos || colon > at) return std::string(url);
  return absl::StrCat(url.substr(0, colon + 1), "***", url.substr(at));
}

absl::StatusOr<std::unique_ptr<Database>> OpenDatabase(absl::string_view url, const DatabaseOptions& options) {
  if (absl::StartsWith(url, "sqlite:")) {
    return OpenSqlite(url.substr(7), options);
  }
  if (absl::StartsWith(url, "postgresql://") || absl::StartsWith(url, "postgres://")) {
    return OpenPostgres(url, options);
  }
  return absl::InvalidArgumentError(absl::StrCat("unsupported database URL \"", RedactUrl(url),
                                                 "\": expected sqlite:PATH, sqlite::memory: or postgresql://..."));
}

}  // namespace kla::storage
