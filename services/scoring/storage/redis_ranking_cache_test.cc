// Rankings through a real (throwaway) Redis: the pointer switch under
// concurrent readers, and Redis stopped, restarted and flushed while
// rankings are read, without a wrong answer.

#include "services/scoring/storage/redis_ranking_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/storage/migrations.h"
#include "libs/testing/engines.h"
#include "libs/testing/postgres_harness.h"
#include "services/scoring/domain/scoring.h"
#include "services/scoring/storage/migrations.h"
#include "services/scoring/storage/sql_score_store.h"
#include "services/scoring/testing/fakes.h"

namespace kla::scoring {
namespace {

// A snapshot of 514 regions whose every total encodes its generation, so a
// reader can tell a whole snapshot from a mix.
v1::RankingSnapshot Generation(int g) {
  v1::RankingSnapshot s;
  s.set_snapshot_id(absl::StrCat("2025.live.0.gen", g));
  s.set_cycle_id("2025");
  s.set_rulebook_version(std::to_string(g));
  std::vector<v1::RankingEntry> entries;
  for (int i = 0; i < 514; ++i) {
    v1::RankingEntry e;
    e.mutable_region()->set_code(absl::StrFormat("%02d.%02d", 11 + i / 99, i % 99 + 1));
    e.mutable_province()->set_code(e.region().code().substr(0, 2));
    e.mutable_total()->set_hundredths(g * 100000 + (i * 37) % 1000);
    entries.push_back(std::move(e));
  }
  RankEntries(&entries);
  for (auto& e : entries) *s.add_entries() = std::move(e);
  return s;
}

class RedisRankingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = testing::RedisHarness::Start();
    ASSERT_TRUE(r.ok()) << r.status();
    harness_ = std::move(*r);
    redis_ = std::make_unique<redis::RedisClient>(redis::RedisOptions{.address = harness_->address()});
    cache_ = std::make_unique<RedisRankingCache>(redis_.get());
  }
  std::unique_ptr<testing::RedisHarness> harness_;
  std::unique_ptr<redis::RedisClient> redis_;
  std::unique_ptr<RedisRankingCache> cache_;
};

TEST_F(RedisRankingTest, SnapshotsRoundTripThroughSortedSets) {
  const v1::RankingSnapshot s = Generation(3);
  ASSERT_TRUE(cache_->Put(s).ok());
  auto got = cache_->Get(s.snapshot_id());
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status();
  EXPECT_EQ((*got)->SerializeAsString(), s.SerializeAsString());
  // The sorted set answers rank questions on its own: the best region first.
  auto top = redis_->Command({"ZRANGE", absl::StrCat("kla:ranking:", s.snapshot_id(), ":national"), "0", "0"});
  EXPECT_EQ(top->array[0].str, s.entries(0).region().code());
  EXPECT_FALSE(cache_->GetCurrent("2025/live/0")->has_value());
  ASSERT_TRUE(cache_->SetCurrent("2025/live/0", s.snapshot_id()).ok());
  EXPECT_EQ(**cache_->GetCurrent("2025/live/0"), s.snapshot_id());
  EXPECT_FALSE(cache_->Get("no-such")->has_value());
  // A half-flushed snapshot is a miss, never a short ranking.
  ASSERT_TRUE(redis_->Command({"DEL", absl::StrCat("kla:ranking:", s.snapshot_id(), ":entries")}).ok());
  EXPECT_FALSE(cache_->Get(s.snapshot_id())->has_value());
}

TEST_F(RedisRankingTest, ReadersNeverSeeHalfARankingWhileThePointerSwitches) {
  constexpr int kGenerations = 30;
  ASSERT_TRUE(cache_->Put(Generation(1)).ok());
  ASSERT_TRUE(cache_->SetCurrent("2025/live/0", Generation(1).snapshot_id()).ok());
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::atomic<int> wrong{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      redis::RedisClient own({.address = harness_->address()});  // a replica's own connection
      RedisRankingCache cache(&own);
      int last = 0;
      while (!done.load()) {
        auto id = cache.GetCurrent("2025/live/0");
        if (!id.ok() || !id->has_value()) continue;
        auto s = cache.Get(**id);
        if (!s.ok() || !s->has_value()) {
          ++wrong;  // a pointer to a snapshot that is not whole
          continue;
        }
        int g = 0;
        bool whole = absl::SimpleAtoi((*s)->rulebook_version(), &g) && (*s)->entries_size() == 514 && g >= last;
        for (const auto& e : (*s)->entries()) whole = whole && e.total().hundredths() / 100000 == g;
        if (!whole) ++wrong;
        last = g;
        ++reads;
      }
    });
  }
  for (int g = 2; g <= kGenerations; ++g) {
    const v1::RankingSnapshot s = Generation(g);
    ASSERT_TRUE(cache_->Put(s).ok());
    ASSERT_TRUE(cache_->SetCurrent("2025/live/0", s.snapshot_id()).ok());
  }
  // Let the readers see the last generation at least once each.
  while (reads.load() < 40) std::this_thread::yield();
  done = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GE(reads.load(), 40);
}

// The whole read path: memory (trusted for no time here), Redis, database.
class RankingFallbackTest : public RedisRankingTest {
 protected:
  void SetUp() override {
    RedisRankingTest::SetUp();
    auto db = testing::NewTestDatabase(testing::Engine::kSqlite, dir_, "scoring");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    ASSERT_TRUE(storage::ApplyMigrations(*db_, "scoring", ScoringMigrations()).ok());
    store_ = std::make_unique<SqlScoreStore>(db_.get(), &outbox_, &clock_);
    book_ = std::make_unique<RankingBook>(store_.get(), cache_.get(), &clock_, absl::ZeroDuration());
    scoring_ = std::make_unique<ScoringUseCases>(store_.get(), &directory_, book_.get(), &clock_);
    directory_.Cycle("2025");
  }
  void Score(const std::string& region, int percent, int64_t revision = 1) {
    ASSERT_TRUE(
        scoring_->scores
            .ApplyStageAnswers(fakes::Delivered(absl::StrCat(region, revision, percent)),
                               fakes::Answers("2025", region, type::v1::STAGE_SELF_EVALUATION, percent, revision))
            .ok());
    ASSERT_TRUE(book_->RefreshStale().ok());
  }
  // The ranking as (region, rank, total) text, and where it came from.
  std::pair<std::string, v1::RankingSource> Read() {
    auto page = scoring_->rankings.GetRanking({.cycle_id = "2025"}, admin_);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return {"", v1::RANKING_SOURCE_UNSPECIFIED};
    std::string text;
    for (const auto& e : page->entries) {
      absl::StrAppend(&text, e.region().code(), ":", e.rank(), ":", e.total().hundredths(), " ");
    }
    return {text, page->source};
  }

  testing::TempDir dir_;
  FakeClock clock_;
  outbox::Outbox outbox_{"scoring", &clock_};
  fakes::FakeDirectory directory_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<SqlScoreStore> store_;
  std::unique_ptr<RankingBook> book_;
  std::unique_ptr<ScoringUseCases> scoring_;
  auth::Principal admin_{.subject = "admin", .role = auth::Role::kNationalAdmin};
};

TEST_F(RankingFallbackTest, RedisStoppedRestartedAndFlushedGiveTheSameAnswers) {
  Score("35.72", 70);
  Score("35.78", 80);
  Score("11.01", 70);
  const std::string want = "35.78:1:84000 11.01:2:76000 35.72:2:76000 ";
  EXPECT_EQ(Read(), std::make_pair(want, v1::RANKING_SOURCE_REDIS));

  ASSERT_TRUE(redis_->Command({"FLUSHALL"}).ok());  // cold cache
  EXPECT_EQ(Read(), std::make_pair(want, v1::RANKING_SOURCE_DATABASE));
  EXPECT_EQ(Read(), std::make_pair(want, v1::RANKING_SOURCE_REDIS));  // repaired by the read

  harness_->Kill();  // Redis down
  EXPECT_EQ(Read(), std::make_pair(want, v1::RANKING_SOURCE_DATABASE));
  Score("35.05", 100);  // a new ranking while Redis is down: database only
  const std::string newer = "35.05:1:100000 35.78:2:84000 11.01:3:76000 35.72:3:76000 ";
  EXPECT_EQ(Read(), std::make_pair(newer, v1::RANKING_SOURCE_DATABASE));

  ASSERT_TRUE(harness_->Restart().ok());  // back, empty
  EXPECT_EQ(Read(), std::make_pair(newer, v1::RANKING_SOURCE_DATABASE));
  EXPECT_EQ(Read(), std::make_pair(newer, v1::RANKING_SOURCE_REDIS));
}

TEST_F(RankingFallbackTest, FlushesDuringReadsNeverGiveAWrongAnswer) {
  Score("35.72", 70);
  Score("35.78", 80);
  std::set<std::string> valid = {Read().first};
  std::mutex mu;
  std::atomic<bool> done{false};
  std::atomic<int> wrong{0};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    while (!done.load()) {
      auto [text, source] = Read();
      std::lock_guard lock(mu);
      if (!valid.contains(text)) ++wrong;
      ++reads;
    }
  });
  for (int i = 1; i <= 20; ++i) {
    {
      // The next ranking is valid from before it is published.
      const int64_t blitar = (8 * (70 + i) + 200) * 100;
      std::lock_guard lock(mu);
      if (blitar > 84000) {
        valid.insert(absl::StrCat("35.72:1:", blitar, " 35.78:2:84000 "));
      } else if (blitar == 84000) {
        valid.insert("35.72:1:84000 35.78:1:84000 ");
      } else {
        valid.insert(absl::StrCat("35.78:1:84000 35.72:2:", blitar, " "));
      }
    }
    if (i % 3 == 0) {
      ASSERT_TRUE(redis_->Command({"FLUSHALL"}).ok());
    }
    Score("35.72", 70 + i, 1 + i);
  }
  while (reads.load() < 20) std::this_thread::yield();
  done = true;
  reader.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace kla::scoring
