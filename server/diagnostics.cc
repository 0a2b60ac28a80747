#include "server/diagnostics.h"

#include <fmt/format.h>
#include <malloc.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>

#include "server/commands/args.h"

namespace basalt::server {

namespace {

int64_t UnixSeconds() {
  using std::chrono::duration_cast;
  using std::chrono::seconds;
  return duration_cast<seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

// ------------------------------------------------------------------------------------ SlowLog

std::vector<std::string> SlowLog::Trim(const codec::Argv& argv) {
  const size_t shown = std::min(argv.size(), kMaxArgc);
  std::vector<std::string> out;
  out.reserve(shown);
  for (size_t i = 0; i < shown; ++i) {
    if (shown != argv.size() && i == shown - 1) {
      out.push_back(fmt::format("... ({} more arguments)", argv.size() - shown + 1));
    } else if (argv[i].size() > kMaxString) {
      out.push_back(fmt::format("{}... ({} more bytes)",
                                std::string_view(argv[i]).substr(0, kMaxString),
                                argv[i].size() - kMaxString));
    } else {
      out.push_back(argv[i]);
    }
  }
  return out;
}

codec::Argv SlowLog::Redact(std::string_view name, const codec::Argv& argv) {
  auto is = IEquals;
  codec::Argv out = argv;
  const std::string kRedacted = "(redacted)";
  if (name == "auth") {
    for (size_t i = 1; i < out.size(); ++i) out[i] = kRedacted;
  } else if (name == "hello") {
    for (size_t i = 2; i + 2 < out.size(); ++i) {
      if (is(out[i], "auth")) {
        out[i + 1] = out[i + 2] = kRedacted;
        i += 2;
      }
    }
  } else if (name == "migrate") {
    for (size_t i = 6; i < out.size(); ++i) {
      if (is(out[i], "auth") && i + 1 < out.size()) {
        out[++i] = kRedacted;
      } else if (is(out[i], "auth2") && i + 2 < out.size()) {
        out[i + 1] = out[i + 2] = kRedacted;
        i += 2;
      }
    }
  } else if (name == "config|set") {
    for (size_t i = 2; i + 1 < out.size(); i += 2) {
      if (is(out[i], "requirepass") || is(out[i], "masterauth") || is(out[i], "masteruser")) {
        out[i + 1] = kRedacted;
      }
    }
  }
  return out;
}

void SlowLog::Push(const codec::Argv& argv, int64_t duration_us, std::string addr,
                   std::string name) {
  SlowLogEntry e;
  e.time_s = UnixSeconds();
  e.duration_us = duration_us;
  e.argv = Trim(argv);
  e.addr = std::move(addr);
  e.name = std::move(name);
  std::lock_guard<std::mutex> lock(mu_);
  e.id = next_id_++;
  entries_.push_front(std::move(e));
  const auto max = static_cast<size_t>(std::max<int64_t>(0, max_len_.load()));
  while (entries_.size() > max) entries_.pop_back();
}

std::vector<SlowLogEntry> SlowLog::Get(int64_t count) const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = entries_.size();
  if (count >= 0) n = std::min(n, static_cast<size_t>(count));
  return std::vector<SlowLogEntry>(entries_.begin(), entries_.begin() + static_cast<long>(n));
}

size_t SlowLog::Len() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

void SlowLog::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.clear();
}

// ----------------------------------------------------------------------------- LatencyMonitor

void LatencyMonitor::Add(std::string_view event, int64_t ms) {
  const int64_t now = UnixSeconds();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = events_.find(event);
  if (it == events_.end()) it = events_.emplace(std::string(event), Series{}).first;
  Series& s = it->second;
  s.max_ms = std::max(s.max_ms, ms);
  // Samples of the same second merge into the worst of them, as in Redis.
  Sample& prev = s.samples[(s.next + kSamples - 1) % kSamples];
  if (prev.time_s == now) {
    prev.ms = std::max(prev.ms, ms);
    return;
  }
  s.samples[s.next] = Sample{now, ms};
  s.next = (s.next + 1) % kSamples;
}

std::vector<LatencyMonitor::Latest> LatencyMonitor::LatestAll() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Latest> out;
  for (const auto& [name, s] : events_) {
    const Sample& last = s.samples[(s.next + kSamples - 1) % kSamples];
    out.push_back(Latest{name, last.time_s, last.ms, s.max_ms});
  }
  return out;
}

std::vector<LatencyMonitor::Sample> LatencyMonitor::History(std::string_view event) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Sample> out;
  auto it = events_.find(event);
  if (it == events_.end()) return out;
  const Series& s = it->second;
  for (size_t i = 0; i < kSamples; ++i) {
    const Sample& sample = s.samples[(s.next + i) % kSamples];
    if (sample.time_s != 0) out.push_back(sample);
  }
  return out;
}

int64_t LatencyMonitor::Reset(const std::vector<std::string>& events) {
  std::lock_guard<std::mutex> lock(mu_);
  if (events.empty()) {
    int64_t n = static_cast<int64_t>(events_.size());
    events_.clear();
    return n;
  }
  int64_t n = 0;
  for (const std::string& e : events) n += static_cast<int64_t>(events_.erase(e));
  return n;
}

// --------------------------------------------------------------------------------- ErrorStats

void ErrorStats::Count(std::string_view text) {
  std::string_view code = text.substr(0, text.find(' '));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = counts_.find(code);
  if (it == counts_.end()) {
    if (counts_.size() >= kMaxCodes) return;
    it = counts_.emplace(std::string(code), 0).first;
  }
  ++it->second;
}

std::vector<std::pair<std::string, int64_t>> ErrorStats::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {counts_.begin(), counts_.end()};
}

void ErrorStats::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  counts_.clear();
}

// ------------------------------------------------------------------------ InstantaneousRate

void InstantaneousRate::Sample(int64_t total, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  if (last_ms_ != 0 && now_ms > last_ms_) {
    // A counter reset (CONFIG RESETSTAT) reads as no activity rather than a negative rate.
    int64_t delta = std::max<int64_t>(0, total - last_total_);
    rates_[next_] = static_cast<double>(delta) * 1000.0 / static_cast<double>(now_ms - last_ms_);
    next_ = (next_ + 1) % kSamples;
  }
  last_total_ = total;
  last_ms_ = now_ms;
}

double InstantaneousRate::Rate() const {
  std::lock_guard<std::mutex> lock(mu_);
  double sum = 0;
  for (double r : rates_) sum += r;
  return sum / static_cast<double>(kSamples);
}

// ------------------------------------------------------------------------------ ProcessMemory

ProcessMemory ReadProcessMemory() {
  ProcessMemory m;
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    unsigned long long kb = 0;
    if (std::sscanf(line.c_str(), "VmRSS: %llu", &kb) == 1) m.rss = kb * 1024;
    if (std::sscanf(line.c_str(), "VmHWM: %llu", &kb) == 1) m.peak = kb * 1024;
  }
  struct mallinfo2 mi = mallinfo2();
  m.allocated = mi.uordblks + mi.hblkhd;
  m.active = mi.arena + mi.hblkhd;
  return m;
}

}  // namespace basalt::server
