#include "mlbench/core/interrupt.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace mlbench {
namespace {

// Waits (at most 5 s) for the watcher's thread to take a signal.
bool becomes_true(const std::atomic<bool>& flag) {
  for (int i = 0; i < 5000 && !flag.load(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return flag.load();
}

// Real signals to this process: the watcher blocks them in every thread and takes them with
// sigwait, so neither kills the test. Each is sent once the one before it has been taken, since
// two of a kind pending at once are delivered as one.
TEST(InterruptWatcher, TheFirstSignalInterruptsAndTheSecondSaysRepeated) {
  InterruptWatcher watcher;
  EXPECT_FALSE(watcher.interrupted());
  EXPECT_FALSE(watcher.repeated_flag().load());
  ASSERT_EQ(kill(getpid(), SIGINT), 0);
  ASSERT_TRUE(becomes_true(watcher.flag()));
  EXPECT_EQ(watcher.signal_number(), SIGINT);
  EXPECT_FALSE(watcher.repeated_flag().load());
  ASSERT_EQ(kill(getpid(), SIGTERM), 0);
  ASSERT_TRUE(becomes_true(watcher.repeated_flag()));
  EXPECT_EQ(watcher.signal_number(), SIGTERM);
}

}  // namespace
}  // namespace mlbench
