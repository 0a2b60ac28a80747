// KeyLocks::LockUnless: waits like Lock, but gives up (holding nothing) when asked to.
#include "engine/key_locks.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace basalt::engine {
namespace {

// Whether another thread could take `stripe` now (a mutex must not be tried by its owner).
bool FreeForOthers(KeyLocks& locks, uint16_t stripe) {
  bool free = false;
  std::thread([&] {
    KeyLocks::Guard probe;
    free = locks.TryAdd(&probe, stripe);
  }).join();
  return free;
}

TEST(KeyLocksTest, LockUnlessTakesFreeStripesWithoutAskingToGiveUp) {
  KeyLocks locks;
  KeyLocks::Guard guard;
  int asked = 0;
  ASSERT_TRUE(locks.LockUnless(
      {7, 3, 7}, [&] { return ++asked > 0; }, &guard));
  EXPECT_EQ(asked, 0);
  EXPECT_FALSE(FreeForOthers(locks, 3));
  guard.Release();
  EXPECT_TRUE(FreeForOthers(locks, 3));
}

TEST(KeyLocksTest, LockUnlessGivesUpAndReleasesWhatItTook) {
  KeyLocks locks;
  KeyLocks::Guard held = locks.Lock({9});
  KeyLocks::Guard guard;
  int asked = 0;
  // Takes 2 first (ascending order), then waits for 9 until give_up says yes.
  EXPECT_FALSE(locks.LockUnless(
      {9, 2}, [&] { return ++asked == 3; }, &guard));
  EXPECT_EQ(asked, 3);
  EXPECT_TRUE(FreeForOthers(locks, 2));  // released again
}

TEST(KeyLocksTest, LockUnlessWakesWhenTheStripeIsReleased) {
  KeyLocks locks;
  KeyLocks::Guard held = locks.Lock({5});
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    KeyLocks::Guard guard;
    got = locks.LockUnless(
        {5}, [] { return false; }, &guard);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(got.load());
  held.Release();
  waiter.join();
  EXPECT_TRUE(got.load());
}

}  // namespace
}  // namespace basalt::engine
