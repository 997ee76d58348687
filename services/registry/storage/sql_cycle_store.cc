#include "services/registry/storage/sql_cycle_store.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "libs/common/errors.h"
#include "libs/common/status_macros.h"

namespace kla::registry {
namespace {

using google::protobuf::util::TimeUtil;
using storage::Result;
using storage::Row;
using storage::Session;

int64_t Us(const google::protobuf::Timestamp& ts) { return TimeUtil::TimestampToMicroseconds(ts); }

constexpr char kExtensionColumns[] = "cycle_id, region_code, phase, close_time, reason, granted_by, granted_at";

v1::RegionExtension ExtensionOf(const Row& row) {
  v1::RegionExtension e;
  e.set_cycle_id(row.Text(0));
  e.set_region_code(row.Text(1));
  e.set_phase(static_cast<v1::CyclePhase>(row.Int(2)));
  *e.mutable_close_time() = TimeUtil::MicrosecondsToTimestamp(row.Int(3));
  e.set_reason(row.Text(4));
  e.set_granted_by(row.Text(5));
  *e.mutable_grant_time() = TimeUtil::MicrosecondsToTimestamp(row.Int(6));
  return e;
}

absl::StatusOr<StoredCycle> FromRow(const Row& row) {
  StoredCycle c;
  if (!c.cycle.ParseFromString(row.Text(0))) return absl::DataLossError("stored cycle is unreadable");
  c.version = row.Int(1);
  return c;
}

}  // namespace

absl::Status SqlCycleStore::Create(const v1::Cycle& cycle, absl::Time now) {
  return db_
      ->Execute("INSERT INTO registry_cycles (id, content, version, state, updated_at) VALUES (?, ?, 1, ?, ?)",
                {cycle.id(), storage::Blob(cycle.SerializeAsString()), static_cast<int64_t>(cycle.state()),
                 storage::ToMicros(now)})
      .status();
}

absl::StatusOr<std::optional<StoredCycle>> SqlCycleStore::Get(absl::string_view id) {
  KLA_ASSIGN_OR_RETURN(Result r,
                       db_->Execute("SELECT content, version FROM registry_cycles WHERE id = ?", {std::string(id)}));
  if (r.rows.empty()) return std::nullopt;
  KLA_ASSIGN_OR_RETURN(StoredCycle c, FromRow(r.rows[0]));
  return c;
}

absl::Status SqlCycleStore::Update(const v1::Cycle& cycle, int64_t expected_version,
                                   const std::optional<v1::CycleTransition>& transition,
                                   const std::vector<outbox::OutgoingEvent>& events) {
  return db_->InTransaction(storage::TxMode::kWrite, [&](Session& s) -> absl::Status {
    KLA_ASSIGN_OR_RETURN(
        Result r, s.Execute("UPDATE registry_cycles SET content = ?, version = version + 1, state = ?, updated_at = ?"
                            " WHERE id = ? AND version = ?",
                            {storage::Blob(cycle.SerializeAsString()), static_cast<int64_t>(cycle.state()),
                             Us(cycle.update_time()), cycle.id(), expected_version}));
    if (r.affected_rows != 1) {
      return StaleEtag(absl::StrCat("cycle ", cycle.id(), " was changed concurrently: read it again"));
    }
    for (const outbox::OutgoingEvent& e : events) {
      if (outbox_ == nullptr) break;  // a store tested alone, without the event tables
      KLA_RETURN_IF_ERROR(outbox_->Enqueue(s, e.target, *e.payload).status());
    }
    if (!transition) return absl::OkStatus();
    return s
        .Execute(
            "INSERT INTO registry_cycle_transitions (cycle_id, from_state, to_state, at, actor)"
            " VALUES (?, ?, ?, ?, ?)",
            {cycle.id(), static_cast<int64_t>(transition->from_state()), static_cast<int64_t>(transition->to_state()),
             Us(transition->time()), transition->actor()})
        .status();
  });
}

absl::StatusOr<std::vector<StoredCycle>> SqlCycleStore::List(absl::string_view after_id, int limit) {
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute("SELECT content, version FROM registry_cycles WHERE id > ?"
                                              " ORDER BY id LIMIT ?",
                                              {std::string(after_id), static_cast<int64_t>(limit)}));
  std::vector<StoredCycle> out;
  for (const Row& row : r.rows) {
    KLA_ASSIGN_OR_RETURN(StoredCycle c, FromRow(row));
    out.push_back(std::move(c));
  }
  return out;
}

absl::StatusOr<std::vector<v1::CycleTransition>> SqlCycleStore::Transitions(absl::string_view id) {
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute("SELECT from_state, to_state, at, actor FROM registry_cycle_transitions"
                                              " WHERE cycle_id = ? ORDER BY seq",
                                              {std::string(id)}));
  std::vector<v1::CycleTransition> out;
  for (const Row& row : r.rows) {
    v1::CycleTransition t;
    t.set_from_state(static_cast<v1::CycleState>(row.Int(0)));
    t.set_to_state(static_cast<v1::CycleState>(row.Int(1)));
    *t.mutable_time() = TimeUtil::MicrosecondsToTimestamp(row.Int(2));
    t.set_actor(row.Text(3));
    out.push_back(std::move(t));
  }
  return out;
}

absl::StatusOr<v1::RegionExtension> SqlCycleStore::AddExtension(const v1::RegionExtension& e,
                                                                absl::string_view request_id) {
  v1::RegionExtension out = e;
  KLA_RETURN_IF_ERROR(db_->InTransaction(storage::TxMode::kWrite, [&](Session& tx) -> absl::Status {
    KLA_ASSIGN_OR_RETURN(Result earlier, tx.Execute("SELECT " + std::string(kExtensionColumns) +
                                                        " FROM registry_region_extensions WHERE request_id = ?",
                                                    {std::string(request_id)}));
    if (!earlier.rows.empty()) {
      out = ExtensionOf(earlier.rows[0]);
      return absl::OkStatus();
    }
    return tx
        .Execute(
            "INSERT INTO registry_region_extensions (cycle_id, region_code, phase, close_time, reason,"
            " granted_by, granted_at, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            {e.cycle_id(), e.region_code(), static_cast<int64_t>(e.phase()), Us(e.close_time()), e.reason(),
             e.granted_by(), Us(e.grant_time()), std::string(request_id)})
        .status();
  }));
  return out;
}

absl::StatusOr<std::vector<v1::RegionExtension>> SqlCycleStore::Extensions(absl::string_view cycle_id,
                                                                           absl::string_view region_code) {
  std::string sql = "SELECT " + std::string(kExtensionColumns) + " FROM registry_region_extensions WHERE cycle_id = ?";
  std::vector<storage::Value> params = {std::string(cycle_id)};
  if (!region_code.empty()) {
    sql += " AND region_code = ?";
    params.emplace_back(std::string(region_code));
  }
  sql += " ORDER BY seq DESC";
  KLA_ASSIGN_OR_RETURN(Result r, db_->Execute(sql, params));
  std::vector<v1::RegionExtension> out;
  for (const Row& row : r.rows) {
    out.push_back(ExtensionOf(row));
  }
  return out;
}

}  // namespace kla::registry
