// The server-wide diagnostics records (server/diagnostics.h): the slow log's cuts and bound,
// credential redaction, the latency monitor's per-second merging, error codes and rates.
#include "server/diagnostics.h"

#include <gtest/gtest.h>

#include <string>

namespace basalt::server {
namespace {

codec::Argv Args(std::initializer_list<std::string> a) { return codec::Argv(a); }

TEST(SlowLogTest, TrimKeepsShortArgvWhole) {
  EXPECT_EQ(SlowLog::Trim(Args({"SET", "k", "v"})), Args({"SET", "k", "v"}));
}

TEST(SlowLogTest, TrimCutsLongArgumentsAndCountsTheRest) {
  codec::Argv argv = {"SET", "k", std::string(130, 'x')};
  auto out = SlowLog::Trim(argv);
  EXPECT_EQ(out[2], std::string(128, 'x') + "... (2 more bytes)");
  EXPECT_EQ(SlowLog::Trim(Args({"SET", "k", std::string(128, 'y')}))[2], std::string(128, 'y'));
}

TEST(SlowLogTest, TrimKeepsThirtyOneArgumentsAndSaysHowManyMore) {
  codec::Argv argv;
  for (int i = 0; i < 32; ++i) argv.push_back(std::to_string(i));
  EXPECT_EQ(SlowLog::Trim(argv), argv);  // exactly 32: all shown
  argv.push_back("32");
  auto out = SlowLog::Trim(argv);
  ASSERT_EQ(out.size(), 32u);
  EXPECT_EQ(out[30], "30");
  EXPECT_EQ(out[31], "... (2 more arguments)");
}

TEST(SlowLogTest, RedactsCredentials) {
  EXPECT_EQ(SlowLog::Redact("auth", Args({"AUTH", "u", "p"})),
            Args({"AUTH", "(redacted)", "(redacted)"}));
  EXPECT_EQ(SlowLog::Redact("hello", Args({"HELLO", "3", "AUTH", "u", "p", "SETNAME", "n"})),
            Args({"HELLO", "3", "AUTH", "(redacted)", "(redacted)", "SETNAME", "n"}));
  EXPECT_EQ(SlowLog::Redact("config|set", Args({"CONFIG", "SET", "requirepass", "s", "hz", "5"})),
            Args({"CONFIG", "SET", "requirepass", "(redacted)", "hz", "5"}));
  EXPECT_EQ(SlowLog::Redact("set", Args({"SET", "auth", "x"})), Args({"SET", "auth", "x"}));
}

TEST(SlowLogTest, ThresholdAndBound) {
  SlowLog log;
  log.set_threshold_us(-1);
  EXPECT_FALSE(log.Wanted(1'000'000));
  log.set_threshold_us(0);
  EXPECT_TRUE(log.Wanted(0));
  log.set_threshold_us(100);
  EXPECT_FALSE(log.Wanted(99));
  EXPECT_TRUE(log.Wanted(100));
  log.set_max_len(2);
  for (int i = 0; i < 5; ++i) log.Push(Args({"GET", std::to_string(i)}), i, "a:1", "n");
  ASSERT_EQ(log.Len(), 2u);
  auto entries = log.Get(-1);
  EXPECT_EQ(entries[0].id, 4);
  EXPECT_EQ(entries[1].argv, Args({"GET", "3"}));
  EXPECT_EQ(log.Get(1).size(), 1u);
  log.Reset();
  EXPECT_EQ(log.Len(), 0u);
  log.Push(Args({"GET", "x"}), 1, "a:1", "");
  EXPECT_EQ(log.Get(1)[0].id, 5);  // ids keep growing across RESET, as in Redis
}

TEST(LatencyMonitorTest, SamplesOfOneSecondMergeIntoTheWorst) {
  LatencyMonitor mon;
  EXPECT_FALSE(mon.Wanted(100));  // threshold 0: off
  mon.set_threshold_ms(5);
  EXPECT_FALSE(mon.Wanted(4));
  EXPECT_TRUE(mon.Wanted(5));
  mon.Add("command", 7);
  mon.Add("command", 9);
  mon.Add("command", 6);
  auto history = mon.History("command");
  // Usually one sample; two if the wall clock crossed a second between the calls.
  ASSERT_GE(history.size(), 1u);
  ASSERT_LE(history.size(), 2u);
  auto latest = mon.LatestAll();
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest[0].max_ms, 9);
  EXPECT_EQ(mon.Reset({"nosuch"}), 0);
  EXPECT_EQ(mon.Reset({}), 1);
  EXPECT_TRUE(mon.History("command").empty());
}

TEST(ErrorStatsTest, CountsByFirstWord) {
  ErrorStats stats;
  stats.Count("ERR syntax error");
  stats.Count("ERR value is not an integer or out of range");
  stats.Count("WRONGTYPE Operation against a key holding the wrong kind of value");
  auto snap = stats.Snapshot();
  ASSERT_EQ(snap.size(), 2u);
  EXPECT_EQ(snap[0], (std::pair<std::string, int64_t>("ERR", 2)));
  EXPECT_EQ(snap[1], (std::pair<std::string, int64_t>("WRONGTYPE", 1)));
}

TEST(InstantaneousRateTest, AveragesTheLastSixteenSamples) {
  InstantaneousRate rate;
  EXPECT_EQ(rate.Rate(), 0.0);
  int64_t total = 0;
  for (int i = 0; i <= 16; ++i) {
    rate.Sample(total, 1000 + 100 * i);
    total += 50;  // 50 per 100 ms = 500/s
  }
  EXPECT_DOUBLE_EQ(rate.Rate(), 500.0);
  rate.Sample(0, 1000 + 100 * 17);  // a counter reset reads as no activity
  EXPECT_DOUBLE_EQ(rate.Rate(), 500.0 * 15 / 16);
}

}  // namespace
}  // namespace basalt::server
