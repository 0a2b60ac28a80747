// Server-wide diagnostics that every worker feeds after each command: the slow log (SLOWLOG),
// the latency monitor (LATENCY), error statistics (INFO errorstats) and the instantaneous rates
// of INFO stats (instantaneous_ops_per_sec, instantaneous_input/output_kbps).
//
// Cost. The dispatcher reads the steady clock once before and once after a command and hands
// the duration here (Diagnostics::AfterCommand). A command faster than both thresholds costs two
// relaxed atomic loads; only a command that is logged takes a mutex. Errors take a mutex too,
// to count them by code.
//
// Thread-safety: every method is thread-safe.
#ifndef BASALT_SERVER_DIAGNOSTICS_H_
#define BASALT_SERVER_DIAGNOSTICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "codec/resp_parser.h"

namespace basalt::server {

// One SLOWLOG GET entry, already cut to Redis's limits (SlowLog::Trim).
struct SlowLogEntry {
  int64_t id = 0;
  int64_t time_s = 0;       // unix seconds when it was logged
  int64_t duration_us = 0;  // the command's run, not any wait
  std::vector<std::string> argv;
  std::string addr;
  std::string name;
};

// The slow log: the newest `slowlog-max-len` commands that ran at least
// `slowlog-log-slower-than` microseconds (negative: none; 0: every command).
class SlowLog {
 public:
  // Redis's SLOWLOG_ENTRY_MAX_ARGC and SLOWLOG_ENTRY_MAX_STRING.
  static constexpr size_t kMaxArgc = 32;
  static constexpr size_t kMaxString = 128;

  // Whether a command that ran `us` microseconds is logged. Cheap: one relaxed load.
  bool Wanted(int64_t us) const {
    int64_t t = threshold_us_.load(std::memory_order_relaxed);
    return t >= 0 && us >= t;
  }
  void Push(const codec::Argv& argv, int64_t duration_us, std::string addr, std::string name);
  // The newest `count` entries, newest first (count < 0: all).
  std::vector<SlowLogEntry> Get(int64_t count) const;
  size_t Len() const;
  void Reset();

  void set_threshold_us(int64_t us) { threshold_us_.store(us, std::memory_order_relaxed); }
  void set_max_len(int64_t n) { max_len_.store(n, std::memory_order_relaxed); }

  // argv with secrets replaced by "(redacted)", as Redis 7.0 logs them: every argument of
  // AUTH, HELLO's AUTH username and password, MIGRATE's AUTH/AUTH2 credentials and CONFIG SET
  // values of requirepass, masterauth and masteruser. `name` is the command's table name
  // ("config|set" for a subcommand).
  static codec::Argv Redact(std::string_view name, const codec::Argv& argv);
  // Whether Redact may change argv of command `name` (the others are logged without a copy).
  static bool MayRedact(std::string_view name) {
    return name == "auth" || name == "hello" || name == "migrate" || name == "config|set";
  }
  // argv as Redis logs it: at most kMaxArgc arguments, the last one then saying how many more
  // there were, and each argument cut to kMaxString bytes with a note of the bytes left out.
  static std::vector<std::string> Trim(const codec::Argv& argv);

 private:
  std::atomic<int64_t> threshold_us_{10000};
  std::atomic<int64_t> max_len_{128};
  mutable std::mutex mu_;
  std::deque<SlowLogEntry> entries_;  // newest first
  int64_t next_id_ = 0;               // guarded by mu_
};

// The latency monitor: for each event ("command", "fast-command"), the last 160 samples of at
// least `latency-monitor-threshold` ms, one per second (a second's worst), as Redis keeps them.
class LatencyMonitor {
 public:
  static constexpr size_t kSamples = 160;  // Redis's LATENCY_TS_LEN

  struct Sample {
    int64_t time_s = 0;  // 0: unused slot
    int64_t ms = 0;
  };
  struct Latest {
    std::string event;
    int64_t time_s;
    int64_t ms;
    int64_t max_ms;
  };

  // Whether a sample of `ms` is recorded (threshold 0 disables the monitor).
  bool Wanted(int64_t ms) const {
    int64_t t = threshold_ms_.load(std::memory_order_relaxed);
    return t > 0 && ms >= t;
  }
  void Add(std::string_view event, int64_t ms);
  std::vector<Latest> LatestAll() const;
  // The samples of `event`, oldest first (empty when it has none).
  std::vector<Sample> History(std::string_view event) const;
  // Forgets every event (events empty) or the named ones; returns how many it forgot.
  int64_t Reset(const std::vector<std::string>& events);
  void set_threshold_ms(int64_t ms) { threshold_ms_.store(ms, std::memory_order_relaxed); }

 private:
  struct Series {
    std::array<Sample, kSamples> samples{};
    size_t next = 0;  // slot of the next sample
    int64_t max_ms = 0;
  };
  std::atomic<int64_t> threshold_ms_{0};
  mutable std::mutex mu_;
  std::map<std::string, Series, std::less<>> events_;
};

// Error replies by their code (the first word: "ERR", "WRONGTYPE", ...), for INFO errorstats.
// Like Redis, at most kMaxCodes distinct codes are kept; later new codes are not counted.
class ErrorStats {
 public:
  static constexpr size_t kMaxCodes = 128;
  // `text` is the error reply's text after '-'.
  void Count(std::string_view text);
  std::vector<std::pair<std::string, int64_t>> Snapshot() const;
  void Reset();

 private:
  mutable std::mutex mu_;
  std::map<std::string, int64_t, std::less<>> counts_;
};

// A rate sampled like Redis's instantaneous metrics: the average of the last 16 samples taken
// every 100 ms by the server's cron (server.cc).
class InstantaneousRate {
 public:
  static constexpr size_t kSamples = 16;
  // Records the counter's value `total` at `now_ms`.
  void Sample(int64_t total, int64_t now_ms);
  // Per second.
  double Rate() const;

 private:
  mutable std::mutex mu_;
  std::array<double, kSamples> rates_{};
  size_t next_ = 0;
  int64_t last_total_ = 0;
  int64_t last_ms_ = 0;
};

// The process's resident set size and its peak, from /proc/self/status (VmRSS, VmHWM), and
// what the allocator (glibc malloc) has handed out and holds, in bytes.
struct ProcessMemory {
  uint64_t rss = 0;
  uint64_t peak = 0;
  uint64_t allocated = 0;  // in use by the program (mallinfo2 uordblks + hblkhd)
  uint64_t active = 0;     // held by the allocator (arena + hblkhd)
};
// REQUIRES nothing; costs a read of /proc and a walk of malloc's arenas (INFO-rate use only).
ProcessMemory ReadProcessMemory();

struct Diagnostics {
  SlowLog slowlog;
  LatencyMonitor latency;
  ErrorStats errors;
  InstantaneousRate ops;        // commands per second
  InstantaneousRate net_input;  // bytes per second
  InstantaneousRate net_output;
};

}  // namespace basalt::server

#endif  // BASALT_SERVER_DIAGNOSTICS_H_
