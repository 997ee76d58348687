#include "libs/common/periodic_worker.h"

#include <gtest/gtest.h>

#include <atomic>

#include "absl/synchronization/notification.h"

namespace kla {
namespace {

TEST(PeriodicWorkerTest, RunsAtStartAndWhenWoken) {
  std::atomic<int> passes = 0;
  absl::Notification first;
  absl::Notification second;
  PeriodicWorker worker({.interval = absl::Hours(1)}, [&] {
    const int n = passes.fetch_add(1) + 1;
    if (n == 1) first.Notify();
    if (n == 2) second.Notify();
  });
  worker.Start();
  EXPECT_TRUE(first.WaitForNotificationWithTimeout(absl::Seconds(30)));  // at start, not after an hour
  worker.Wake();
  EXPECT_TRUE(second.WaitForNotificationWithTimeout(absl::Seconds(30)));
  worker.Stop();  // promptly, although the rest is an hour
  const int after_stop = passes.load();
  worker.Wake();
  EXPECT_EQ(passes.load(), after_stop);
}

TEST(PeriodicWorkerTest, APassSaysWhenTheNextIsDue) {
  std::atomic<int> passes = 0;
  absl::Notification three;
  PeriodicWorker worker({.interval = absl::Hours(1)}, PeriodicWorker::Pass([&] {
                          // More work waits twice: no rest until it is done.
                          if (passes.fetch_add(1) + 1 == 3) three.Notify();
                          return passes.load() < 3 ? absl::ZeroDuration() : absl::Hours(1);
                        }));
  worker.Start();
  EXPECT_TRUE(three.WaitForNotificationWithTimeout(absl::Seconds(30)));
  worker.Stop();
  EXPECT_EQ(passes.load(), 3);
}

TEST(PeriodicWorkerTest, WithoutAFirstPassItRestsFirstAndRestarts) {
  std::atomic<int> passes = 0;
  absl::Notification ran;
  PeriodicWorker worker({.interval = absl::Hours(1), .first_pass_at_start = false}, [&] {
    passes.fetch_add(1);
    if (!ran.HasBeenNotified()) ran.Notify();
  });
  worker.Start();
  worker.Stop();
  EXPECT_EQ(passes.load(), 0);  // stopped during the first rest
  worker.Start();
  worker.Wake();
  EXPECT_TRUE(ran.WaitForNotificationWithTimeout(absl::Seconds(30)));
  worker.Stop();
  EXPECT_EQ(passes.load(), 1);
}

}  // namespace
}  // namespace kla
