#include "libs/storage/postgres_database.h"

#include <libpq-fe.h>

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/common/errors.h"
#include "libs/storage/connection_pool.h"

namespace kla::storage {
namespace {

// Type OIDs from pg_type.h (stable since forever).
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

class PgConnection {
 public:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  ~PgConnection() { PQfinish(conn_); }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  PGconn* get() const { return conn_; }
  bool broken() const { return PQstatus(conn_) != CONNECTION_OK; }

 private:
  PGconn* conn_;
};

std::string FirstLine(const char* s) {
  std::string msg = s != nullptr ? s : "";
  if (auto nl = msg.find('\n'); nl != std::string::npos) msg.resize(nl);
  return msg;
}

absl::Status ClassifyResult(PGconn* conn, PGresult* res, absl::string_view what) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state != nullptr ? state : "";
  std::string msg =
      absl::StrCat(what, ": ", FirstLine(res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn)));
  if (PQstatus(conn) != CONNECTION_OK || absl::StartsWith(sqlstate, "08") || absl::StartsWith(sqlstate, "57P")) {
    return absl::UnavailableError(msg);
  }
  if (sqlstate == "23505") return absl::AlreadyExistsError(msg);
  if (absl::StartsWith(sqlstate, "23")) return absl::FailedPreconditionError(msg);
  if (sqlstate == "40001" || sqlstate == "40P01") return absl::AbortedError(msg);
  if (sqlstate == "55P03" || sqlstate == "57014") return absl::UnavailableError(msg);  // lock / statement timeout
  return absl::InternalError(msg);
}

// The driver's words name hosts, roles and SQL: callers see only the code.
absl::Status ResultError(PGconn* conn, PGresult* res, absl::string_view what) {
  return Concealed(ClassifyResult(conn, res, what));
}

class PgSession final : public Session {
 public:
  explicit PgSession(PgConnection* conn) : conn_(conn) {}
  Dialect dialect() const override { return Dialect::kPostgres; }

  using Session::Execute;
  absl::StatusOr<Result> Execute(absl::string_view sql, const std::vector<Value>& params) override {
    const std::string numbered = NumberPlaceholders(sql);
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    std::vector<int> lengths(params.size(), 0);
    std::vector<int> formats(params.size(), 0);
    for (size_t i = 0; i < params.size(); ++i) {
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
              values[i] = nullptr;
            } else if constexpr (std::is_same_v<T, int64_t>) {
              text[i] = absl::StrCat(v);
              values[i] = text[i].c_str();
            } else if constexpr (std::is_same_v<T, std::string>) {
              values[i] = v.c_str();
            } else {
              values[i] = v.data.data();
              lengths[i] = static_cast<int>(v.data.size());
              formats[i] = 1;  // binary: bytes as they are
            }
          },
          params[i]);
    }
    PgResult res(PQexecParams(conn_->get(), numbered.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                              lengths.data(), formats.data(), 0));
    const ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return ResultError(conn_->get(), res.get(), "query");
    Result result;
    const int rows = PQntuples(res.get());
    const int cols = PQnfields(res.get());
    result.rows.reserve(static_cast<size_t>(rows));
    for (int r = 0; r < rows; ++r) {
      std::vector<Value> vals;
      vals.reserve(static_cast<size_t>(cols));
      for (int c = 0; c < cols; ++c) {
        if (PQgetisnull(res.get(), r, c)) {
          vals.emplace_back(std::monostate{});
          continue;
        }
        const char* raw = PQgetvalue(res.get(), r, c);
        const Oid type = PQftype(res.get(), c);
        if (type == kInt8Oid || type == kInt4Oid || type == kInt2Oid) {
          int64_t n = 0;
          if (!absl::SimpleAtoi(raw, &n)) return absl::InternalError("bad integer from PostgreSQL");
          vals.emplace_back(n);
        } else if (type == kBoolOid) {
          vals.emplace_back(static_cast<int64_t>(raw[0] == 't' ? 1 : 0));
        } else if (type == kByteaOid) {
          size_t n = 0;
          unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(raw), &n);
          if (bytes == nullptr) return absl::InternalError("bad bytea from PostgreSQL");
          vals.emplace_back(Bytes{std::string(reinterpret_cast<char*>(bytes), n)});
          PQfreemem(bytes);
        } else {
          vals.emplace_back(std::string(raw, static_cast<size_t>(PQgetlength(res.get(), r, c))));
        }
      }
      result.rows.emplace_back(std::move(vals));
    }
    int64_t affected = 0;
    if (absl::SimpleAtoi(PQcmdTuples(res.get()), &affected)) result.affected_rows = affected;
    return result;
  }

  absl::Status ExecuteScript(absl::string_view sql) override {
    std::string copy(sql);
    PgResult res(PQexec(conn_->get(), copy.c_str()));
    const ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return ResultError(conn_->get(), res.get(), "script");
    return absl::OkStatus();
  }

 private:
  PgConnection* conn_;
};

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(std::string url, const DatabaseOptions& options)
      : url_(std::move(url)),
        options_(options),
        pool_(options.pool_size, options.acquire_timeout, [this] { return Connect(); }) {}

  Dialect dialect() const override { return Dialect::kPostgres; }
  std::string Describe() const override { return RedactUrl(url_); }

  absl::StatusOr<std::unique_ptr<PgConnection>> Connect() {
    const std::string timeout = absl::StrCat(std::max<int64_t>(1, absl::ToInt64Seconds(options_.connect_timeout)));
    const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
    const char* vals[] = {url_.c_str(), timeout.c_str(), "kla-server", nullptr};
    PGconn* raw = PQconnectdbParams(keys, vals, /*expand_dbname=*/1);
    auto conn = std::make_unique<PgConnection>(raw);
    if (raw == nullptr || PQstatus(raw) != CONNECTION_OK) {
      return Concealed(absl::UnavailableError(absl::StrCat("cannot connect to PostgreSQL at ", RedactUrl(url_), ": ",
                                                           FirstLine(raw ? PQerrorMessage(raw) : "out of memory"))));
    }
    return conn;
  }

  absl::Status InTransaction(TxMode /*mode*/, const std::function<absl::Status(Session&)>& fn) override {
    auto lease = pool_.Acquire();
    if (!lease.ok()) return lease.status();
    PgSession session(&**lease);
    absl::Status st = session.ExecuteScript("BEGIN");
    if (!st.ok()) {
      if ((*lease)->broken()) lease->Discard();
      return st;
    }
    absl::Status result = fn(session);
    if (result.ok()) {
      result = session.ExecuteScript("COMMIT");
      if (result.ok()) return result;
    }
    absl::Status rb = session.ExecuteScript("ROLLBACK");
    if (!rb.ok() || (*lease)->broken()) lease->Discard();
    return result;
  }

  absl::Status Ping() override {
    return InTransaction(TxMode::kRead, [](Session& s) { return s.Execute("SELECT 1").status(); });
  }

 private:
  const std::string url_;
  const DatabaseOptions options_;
  ConnectionPool<PgConnection> pool_;
};

}  // namespace

std::string NumberPlaceholders(absl::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      absl::StrAppend(&out, "$", ++n);
    } else {
      out += c;
    }
  }
  return out;
}

absl::StatusOr<std::unique_ptr<Database>> OpenPostgres(absl::string_view url, const DatabaseOptions& options) {
  auto db = std::make_unique<PostgresDatabase>(std::string(url), options);
  absl::Status st = db->Ping();
  if (!st.ok()) return st;
  return db;
}

}  // namespace kla::storage
