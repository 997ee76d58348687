#include "services/scoring/storage/sql_score_store.h"

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace kla::scoring {
namespace {

using storage::Blob;
using storage::Session;
using storage::Value;

template <typename M>
absl::StatusOr<M> Parse(const std::string& bytes, absl::string_view what) {
  M m;
  if (!m.ParseFromString(bytes)) return absl::InternalError(absl::StrCat("stored ", what, " does not parse"));
  return m;
}

absl::Status Put(Session& tx, const v1::RankingSnapshot& snapshot, absl::Time now) {
  return tx
      .Execute(
          "INSERT INTO scoring_snapshots (snapshot_id, cycle_id, content, created_at) VALUES (?, ?, ?, ?)",
          {snapshot.snapshot_id(), snapshot.cycle_id(), Blob(snapshot.SerializeAsString()), storage::ToMicros(now)})
      .status();
}

absl::Status Point(Session& tx, const std::string& name, const std::string& snapshot_id, int64_t built_from) {
  return tx
      .Execute(
          "INSERT INTO scoring_pointers (name, snapshot_id, built_from) VALUES (?, ?, ?) ON CONFLICT (name) DO "
          "UPDATE SET snapshot_id = excluded.snapshot_id, built_from = excluded.built_from",
          {name, snapshot_id, built_from})
      .status();
}

absl::Status Bump(Session& tx, const std::string& cycle_id) {
  return tx
      .Execute(
          "INSERT INTO scoring_counters (cycle_id, counter) VALUES (?, 1) ON CONFLICT (cycle_id) DO UPDATE SET "
          "counter = scoring_counters.counter + 1",
          {cycle_id})
      .status();
}

absl::StatusOr<StageScore> ScoreRow(const storage::Row& row, bool with_answers) {
  StageScore s;
  KLA_ASSIGN_OR_RETURN(s.score, Parse<v1::RegionScore>(row.Text(0), "score"));
  if (with_answers) {
    KLA_ASSIGN_OR_RETURN(s.answers, Parse<submission::v1::StageAnswers>(row.Text(1), "answers"));
  }
  return s;
}

}  // namespace

absl::StatusOr<bool> SqlScoreStore::ApplyFromEvent(const event::v1::EventEnvelope& event, const StageScore& s) {
  bool duplicate = false;
  KLA_RETURN_IF_ERROR(db_->InTransaction(storage::TxMode::kWrite, [&](Session& tx) -> absl::Status {
    KLA_ASSIGN_OR_RETURN(bool fresh, inbox_.Record(tx, event, clock_->Now()));
    if (!fresh) {
      duplicate = true;
      return absl::OkStatus();
    }
    const v1::RegionScore& score = s.score;
    KLA_ASSIGN_OR_RETURN(storage::Result existing,
                         tx.Execute("SELECT revision FROM scoring_stage_scores WHERE cycle_id = ? AND region_code = ? "
                                    "AND stage = ?",
                                    {score.cycle_id(), score.region().code(), int64_t{score.stage()}}));
    // Out of order: an older revision arriving late changes nothing.
    if (!existing.rows.empty() && existing.rows[0].Int(0) >= score.revision()) return absl::OkStatus();
    KLA_RETURN_IF_ERROR(
        tx.Execute(
              "INSERT INTO scoring_stage_scores (cycle_id, region_code, stage, revision, score, answers, "
              "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (cycle_id, region_code, stage) DO UPDATE "
              "SET revision = excluded.revision, score = excluded.score, answers = excluded.answers, "
              "updated_at = excluded.updated_at",
              {score.cycle_id(), score.region().code(), int64_t{score.stage()}, score.revision(),
               Blob(score.SerializeAsString()), Blob(s.answers.SerializeAsString()), storage::ToMicros(clock_->Now())})
            .status());
    return Bump(tx, score.cycle_id());
  }));
  return duplicate;
}

absl::StatusOr<bool> SqlScoreStore::ApplyNotCompleted(const event::v1::EventEnvelope& envelope,
                                                      const std::string& cycle_id, const std::string& region_code) {
  bool duplicate = false;
  KLA_RETURN_IF_ERROR(db_->InTransaction(storage::TxMode::kWrite, [&](Session& tx) -> absl::Status {
    KLA_ASSIGN_OR_RETURN(bool fresh, inbox_.Record(tx, envelope, clock_->Now()));
    duplicate = !fresh;
    if (!fresh) return absl::OkStatus();
    return tx
        .Execute(
            "INSERT INTO scoring_not_completed (cycle_id, region_code, closed_at) VALUES (?, ?, ?) "
            "ON CONFLICT (cycle_id, region_code) DO NOTHING",
            {cycle_id, region_code, storage::ToMicros(clock_->Now())})
        .status();
  }));
  return duplicate;
}

absl::StatusOr<std::set<std::string>> SqlScoreStore::ListNotCompleted(const std::string& cycle_id) {
  KLA_ASSIGN_OR_RETURN(storage::Result r,
                       db_->Execute("SELECT region_code FROM scoring_not_completed WHERE cycle_id = ?", {cycle_id}));
  std::set<std::string> out;
  for (const auto& row : r.rows) out.insert(row.Text(0));
  return out;
}

absl::StatusOr<std::optional<StageScore>> SqlScoreStore::Get(const std::string& cycle_id,
                                                             const std::string& region_code, type::v1::Stage stage) {
  storage::Result r;
  if (stage == type::v1::STAGE_UNSPECIFIED) {
    KLA_ASSIGN_OR_RETURN(r, db_->Execute("SELECT score, answers FROM scoring_stage_scores WHERE cycle_id = ? AND "
                                         "region_code = ? ORDER BY stage DESC LIMIT 1",
                                         {cycle_id, region_code}));
  } else {
    KLA_ASSIGN_OR_RETURN(r, db_->Execute("SELECT score, answers FROM scoring_stage_scores WHERE cycle_id = ? AND "
                                         "region_code = ? AND stage = ?",
                                         {cycle_id, region_code, int64_t{stage}}));
  }
  if (r.rows.empty()) return std::optional<StageScore>();
  KLA_ASSIGN_OR_RETURN(StageScore s, ScoreRow(r.rows[0], true));
  return std::optional<StageScore>(std::move(s));
}

absl::StatusOr<std::vector<StageScore>> SqlScoreStore::ListCycle(const std::string& cycle_id, bool with_answers) {
  KLA_ASSIGN_OR_RETURN(
      storage::Result r,
      db_->Execute(with_answers
                       ? "SELECT score, answers FROM scoring_stage_scores WHERE cycle_id = ? ORDER BY "
                         "region_code, stage"
                       : "SELECT score FROM scoring_stage_scores WHERE cycle_id = ? ORDER BY region_code, stage",
                   {cycle_id}));
  std::vector<StageScore> out;
  out.reserve(r.rows.size());
  for (const auto& row : r.rows) {
    KLA_ASSIGN_OR_RETURN(StageScore s, ScoreRow(row, with_answers));
    out.push_back(std::move(s));
  }
  return out;
}

absl::StatusOr<std::vector<v1::RegionScore>> SqlScoreStore::ListRegion(const std::string& region_code) {
  KLA_ASSIGN_OR_RETURN(
      storage::Result r,
      db_->Execute("SELECT score FROM scoring_stage_scores WHERE region_code = ? ORDER BY cycle_id, stage",
                   {region_code}));
  std::vector<v1::RegionScore> out;
  for (const auto& row : r.rows) {
    KLA_ASSIGN_OR_RETURN(v1::RegionScore s, Parse<v1::RegionScore>(row.Text(0), "score"));
    out.push_back(std::move(s));
  }
  return out;
}

absl::StatusOr<bool> SqlScoreStore::Replace(const v1::RegionScore& s) {
  bool stored = false;
  KLA_RETURN_IF_ERROR(db_->InTransaction(storage::TxMode::kWrite, [&](Session& tx) -> absl::Status {
    KLA_ASSIGN_OR_RETURN(storage::Result r,
                         tx.Execute("UPDATE scoring_stage_scores SET score = ?, updated_at = ? WHERE cycle_id = ? AND "
                                    "region_code = ? AND stage = ? AND revision = ?",
                                    {Blob(s.SerializeAsString()), storage::ToMicros(clock_->Now()), s.cycle_id(),
                                     s.region().code(), int64_t{s.stage()}, s.revision()}));
    stored = r.affected_rows > 0;
    return stored ? Bump(tx, s.cycle_id()) : absl::OkStatus();
  }));
  return stored;
}

absl::StatusOr<std::map<std::string, int64_t>> SqlScoreStore::ChangeCounters() {
  KLA_ASSIGN_OR_RETURN(storage::Result r, db_->Execute("SELECT cycle_id, counter FROM scoring_counters"));
  std::map<std::string, int64_t> out;
  for (const auto& row : r.rows) out[row.Text(0)] = row.Int(1);
  return out;
}

absl::Status SqlScoreStore::SaveSnapshot(const RankingKey& key, const v1::RankingSnapshot& snapshot,
                                         int64_t built_from) {
  return db_->InTransaction(storage::TxMode::kWrite, [&](Session& tx) -> absl::Status {
    const std::string name = key.Name();
    KLA_ASSIGN_OR_RETURN(storage::Result old,
                         tx.Execute("SELECT snapshot_id FROM scoring_pointers WHERE name = ?", {name}));
    KLA_RETURN_IF_ERROR(Put(tx, snapshot, clock_->Now()));
    KLA_RETURN_IF_ERROR(Point(tx, name, snapshot.snapshot_id(), built_from));
    // A replaced live snapshot is of no further use (published ones are
    // never replaced): keep the table at one row per ranking.
    if (!old.rows.empty() && key.view == v1::RANKING_VIEW_LIVE) {
      KLA_RETURN_IF_ERROR(
          tx.Execute("DELETE FROM scoring_snapshots WHERE snapshot_id = ?", {old.rows[0].Text(0)}).status());
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<ScoreStore::Pointer>> SqlScoreStore::Current(const RankingKey& key) {
  KLA_ASSIGN_OR_RETURN(storage::Result r, db_->Execute("SELECT snapshot_id, built_from FROM scoring_pointers WHERE "
                                                       "name = ?",
                                                       {key.Name()}));
  if (r.rows.empty()) return std::optional<Pointer>();
  return std::optional<Pointer>(Pointer{r.rows[0].Text(0), r.rows[0].Int(1)});
}

absl::StatusOr<std::optional<v1::RankingSnapshot>> SqlScoreStore::GetSnapshot(const std::string& snapshot_id) {
  KLA_ASSIGN_OR_RETURN(storage::Result r,
                       db_->Execute("SELECT content FROM scoring_snapshots WHERE snapshot_id = ?", {snapshot_id}));
  if (r.rows.empty()) return std::optional<v1::RankingSnapshot>();
  KLA_ASSIGN_OR_RETURN(v1::RankingSnapshot s, Parse<v1::RankingSnapshot>(r.rows[0].Text(0), "snapshot"));
  return std::optional<v1::RankingSnapshot>(std::move(s));
}

absl::StatusOr<ScoreStore::PublishResult> SqlScoreStore::Publish(const v1::Publication& publication,
                                                                 const v1::RankingSnapshot& snapshot,
                                                                 const std::vector<outbox::OutgoingEvent>& events) {
  PublishResult out;
  KLA_RETURN_IF_ERROR(db_->InTransaction(storage::TxMode::kWrite, [&](Session& tx) -> absl::Status {
    KLA_ASSIGN_OR_RETURN(storage::Result existing,
                         tx.Execute("SELECT content FROM scoring_publications WHERE cycle_id = ? AND kind = ?",
                                    {publication.cycle_id(), int64_t{publication.kind()}}));
    if (!existing.rows.empty()) {  // a concurrent publisher won: its publication stands
      KLA_ASSIGN_OR_RETURN(out.publication, Parse<v1::Publication>(existing.rows[0].Text(0), "publication"));
      return absl::OkStatus();
    }
    KLA_RETURN_IF_ERROR(Put(tx, snapshot, clock_->Now()));
    KLA_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO scoring_publications (cycle_id, kind, content) VALUES (?, ?, ?)",
                   {publication.cycle_id(), int64_t{publication.kind()}, Blob(publication.SerializeAsString())})
            .status());
    const RankingKey key{publication.cycle_id(), snapshot.view(), type::v1::STAGE_UNSPECIFIED};
    KLA_RETURN_IF_ERROR(Point(tx, key.Name(), snapshot.snapshot_id(), 0));
    for (const auto& e : events) {
      KLA_RETURN_IF_ERROR(outbox_->Enqueue(tx, e.target, *e.payload).status());
    }
    out.publication = publication;
    out.created = true;
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<v1::Publication>> SqlScoreStore::ListPublications(const std::string& cycle_id) {
  KLA_ASSIGN_OR_RETURN(
      storage::Result r,
      db_->Execute("SELECT content FROM scoring_publications WHERE cycle_id = ? ORDER BY kind", {cycle_id}));
  std::vector<v1::Publication> out;
  for (const auto& row : r.rows) {
    KLA_ASSIGN_OR_RETURN(v1::Publication p, Parse<v1::Publication>(row.Text(0), "publication"));
    out.push_back(std::move(p));
  }
  return out;
}

absl::Status SqlScoreStore::SavePastResults(const std::vector<PastResult>& results, const std::string& imported_by) {
  return db_->InTransaction(storage::TxMode::kWrite, [&](Session& tx) -> absl::Status {
    for (const PastResult& r : results) {
      KLA_RETURN_IF_ERROR(
          tx.Execute("INSERT INTO scoring_past_results (cycle_id, region_code, predicate, total, imported_by, "
                     "imported_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (cycle_id, region_code) DO UPDATE SET "
                     "predicate = excluded.predicate, total = excluded.total, imported_by = excluded.imported_by, "
                     "imported_at = excluded.imported_at",
                     {r.cycle_id, r.region_code, int64_t{r.predicate},
                      r.total_hundredths ? Value(*r.total_hundredths) : storage::Null(), imported_by,
                      storage::ToMicros(clock_->Now())})
              .status());
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<PastResult>> SqlScoreStore::ListPastResults(const std::string& region_code) {
  KLA_ASSIGN_OR_RETURN(storage::Result r, db_->Execute("SELECT cycle_id, predicate, total FROM scoring_past_results "
                                                       "WHERE region_code = ? ORDER BY cycle_id",
                                                       {region_code}));
  std::vector<PastResult> out;
  for (const auto& row : r.rows) {
    out.push_back(PastResult{row.Text(0), region_code, static_cast<type::v1::Predicate>(row.Int(1)), row.OptInt(2)});
  }
  return out;
}

absl::StatusOr<std::vector<PastResult>> SqlScoreStore::ListPastCycle(const std::string& cycle_id) {
  KLA_ASSIGN_OR_RETURN(storage::Result r, db_->Execute("SELECT region_code, predicate, total FROM scoring_past_results "
                                                       "WHERE cycle_id = ? ORDER BY region_code",
                                                       {cycle_id}));
  std::vector<PastResult> out;
  for (const auto& row : r.rows) {
    out.push_back(PastResult{cycle_id, row.Text(0), static_cast<type::v1::Predicate>(row.Int(1)), row.OptInt(2)});
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> SqlScoreStore::ListPastCycleIds() {
  KLA_ASSIGN_OR_RETURN(storage::Result r,
                       db_->Execute("SELECT DISTINCT cycle_id FROM scoring_past_results ORDER BY cycle_id", {}));
  std::vector<std::string> out;
  for (const auto& row : r.rows) out.push_back(row.Text(0));
  return out;
}

absl::StatusOr<v1::RecomputeJob> SqlScoreStore::CreateJob(const v1::RecomputeJob& job, const std::string& request_id) {
  v1::RecomputeJob out;
  KLA_RETURN_IF_ERROR(db_->InTransaction(storage::TxMode::kWrite, [&](Session& tx) -> absl::Status {
    KLA_ASSIGN_OR_RETURN(storage::Result existing,
                         tx.Execute("SELECT content FROM scoring_jobs WHERE request_id = ?", {request_id}));
    if (!existing.rows.empty()) {
      KLA_ASSIGN_OR_RETURN(out, Parse<v1::RecomputeJob>(existing.rows[0].Text(0), "job"));
      return absl::OkStatus();
    }
    out = job;
    return tx
        .Execute("INSERT INTO scoring_jobs (job_id, request_id, state, content, created_at) VALUES (?, ?, ?, ?, ?)",
                 {job.job_id(), request_id, int64_t{job.state()}, Blob(job.SerializeAsString()),
                  storage::ToMicros(clock_->Now())})
        .status();
  }));
  return out;
}

absl::Status SqlScoreStore::UpdateJob(const v1::RecomputeJob& job) {
  return db_
      ->Execute("UPDATE scoring_jobs SET state = ?, content = ? WHERE job_id = ?",
                {int64_t{job.state()}, Blob(job.SerializeAsString()), job.job_id()})
      .status();
}

absl::StatusOr<std::optional<v1::RecomputeJob>> SqlScoreStore::GetJob(const std::string& job_id) {
  KLA_ASSIGN_OR_RETURN(storage::Result r, db_->Execute("SELECT content FROM scoring_jobs WHERE job_id = ?", {job_id}));
  if (r.rows.empty()) return std::optional<v1::RecomputeJob>();
  KLA_ASSIGN_OR_RETURN(v1::RecomputeJob j, Parse<v1::RecomputeJob>(r.rows[0].Text(0), "job"));
  return std::optional<v1::RecomputeJob>(std::move(j));
}

absl::StatusOr<std::vector<v1::RecomputeJob>> SqlScoreStore::UnfinishedJobs() {
  KLA_ASSIGN_OR_RETURN(storage::Result r,
                       db_->Execute("SELECT content FROM scoring_jobs WHERE state IN (?, ?) ORDER "
                                    "BY created_at",
                                    {int64_t{v1::JOB_STATE_QUEUED}, int64_t{v1::JOB_STATE_RUNNING}}));
  std::vector<v1::RecomputeJob> out;
  for (const auto& row : r.rows) {
    KLA_ASSIGN_OR_RETURN(v1::RecomputeJob j, Parse<v1::RecomputeJob>(row.Text(0), "job"));
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace kla::scoring
