// Diagnostics commands: SLOWLOG (GET LEN RESET HELP), LATENCY (LATEST HISTORY RESET GRAPH
// DOCTOR HELP) and MEMORY (USAGE STATS DOCTOR MALLOC-STATS PURGE HELP).
//
// SLOWLOG and LATENCY answer from the server-wide records of server/diagnostics.h, which the
// dispatcher feeds after every command. Their reply shapes are Redis 7.0's.
//
// MEMORY speaks of the memory Basalt has, which is not Redis's: the dataset lives in RocksDB,
// so MEMORY USAGE estimates a key's stored bytes (engine/usage.h), and MEMORY STATS keeps
// Redis's field names with the process's numbers: total.allocated is INFO's used_memory (the
// resident set), allocator.* come from glibc malloc (mallinfo2), and the per-database hash
// table overheads are 0 because Basalt keeps no in-RAM key table. MEMORY MALLOC-STATS prints
// glibc's malloc_info report; MEMORY PURGE returns free heap memory to the system (malloc_trim).
#include <fmt/format.h>
#include <malloc.h>

#include <cstdio>
#include <string>
#include <vector>

#include "codec/numbers.h"
#include "engine/hot_tier.h"
#include "engine/storage.h"
#include "engine/usage.h"
#include "server/client_registry.h"
#include "server/commands/args.h"
#include "server/config.h"
#include "server/dispatcher.h"
#include "server/errors.h"

namespace basalt::server {

namespace {

void ReplyLines(CommandContext& ctx, std::initializer_list<const char*> lines) {
  ctx.reply.ArrayHeader(static_cast<int64_t>(lines.size()));
  for (const char* l : lines) ctx.reply.SimpleString(l);
}

// ----------------------------------------------------------------------------------- SLOWLOG

// SLOWLOG GET [count]: newest first; count -1 returns all, the default is 10.
void SlowLogGetCommand(CommandContext& ctx) {
  int64_t count = 10;
  if (ctx.argc() == 3) {
    if (!codec::ParseInt64(ctx.arg(2), &count) || count < -1) {
      ctx.reply.Error("ERR count should be greater than or equal to -1");
      return;
    }
  } else if (ctx.argc() > 3) {
    ctx.reply.Error(kErrSyntax);
    return;
  }
  std::vector<SlowLogEntry> entries = ctx.server.diagnostics.slowlog.Get(count);
  ctx.reply.ArrayHeader(static_cast<int64_t>(entries.size()));
  for (const SlowLogEntry& e : entries) {
    ctx.reply.ArrayHeader(6);
    ctx.reply.Integer(e.id);
    ctx.reply.Integer(e.time_s);
    ctx.reply.Integer(e.duration_us);
    ctx.reply.ArrayHeader(static_cast<int64_t>(e.argv.size()));
    for (const std::string& a : e.argv) ctx.reply.Bulk(a);
    ctx.reply.Bulk(e.addr);
    ctx.reply.Bulk(e.name);
  }
}

// SLOWLOG LEN
void SlowLogLenCommand(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.server.diagnostics.slowlog.Len()));
}

// SLOWLOG RESET
void SlowLogResetCommand(CommandContext& ctx) {
  ctx.server.diagnostics.slowlog.Reset();
  ctx.reply.SimpleString("OK");
}

// SLOWLOG HELP
void SlowLogHelpCommand(CommandContext& ctx) {
  ReplyLines(ctx, {
                      "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                      "GET [<count>]",
                      "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
                      "    Entries are made of:",
                      "    id, timestamp, time in microseconds, arguments array, client IP and "
                      "port,",
                      "    client name",
                      "LEN",
                      "    Return the length of the slowlog.",
                      "RESET",
                      "    Reset the slowlog.",
                      "HELP",
                      "    Prints this help.",
                  });
}

// ----------------------------------------------------------------------------------- LATENCY

// LATENCY LATEST: [event, time of the latest sample, its latency, the all-time max] per event.
void LatencyLatestCommand(CommandContext& ctx) {
  auto latest = ctx.server.diagnostics.latency.LatestAll();
  ctx.reply.ArrayHeader(static_cast<int64_t>(latest.size()));
  for (const auto& l : latest) {
    ctx.reply.ArrayHeader(4);
    ctx.reply.Bulk(l.event);
    ctx.reply.Integer(l.time_s);
    ctx.reply.Integer(l.ms);
    ctx.reply.Integer(l.max_ms);
  }
}

// LATENCY HISTORY event: [time, latency] pairs, oldest first.
void LatencyHistoryCommand(CommandContext& ctx) {
  auto samples = ctx.server.diagnostics.latency.History(ctx.arg(2));
  ctx.reply.ArrayHeader(static_cast<int64_t>(samples.size()));
  for (const auto& s : samples) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Integer(s.time_s);
    ctx.reply.Integer(s.ms);
  }
}

// LATENCY RESET [event ...]: the number of events forgotten.
void LatencyResetCommand(CommandContext& ctx) {
  std::vector<std::string> events(ctx.argv.begin() + 2, ctx.argv.end());
  ctx.reply.Integer(ctx.server.diagnostics.latency.Reset(events));
}

// LATENCY GRAPH event: one line per sample, a bar scaled to the event's worst sample.
void LatencyGraphCommand(CommandContext& ctx) {
  auto samples = ctx.server.diagnostics.latency.History(ctx.arg(2));
  if (samples.empty()) {
    ctx.reply.Error("ERR No samples available for event '" + ctx.arg(2) + "'");
    return;
  }
  int64_t max = 1;
  for (const auto& s : samples) max = std::max(max, s.ms);
  const int64_t now = static_cast<int64_t>(engine::NowMs() / 1000);
  std::string out = fmt::format("{} - worst {} ms, {} samples (age, latency):\n", ctx.arg(2), max,
                                samples.size());
  for (const auto& s : samples) {
    fmt::format_to(std::back_inserter(out), "{:>6}s {:>6} ms |{}\n", now - s.time_s, s.ms,
                   std::string(static_cast<size_t>(1 + 39 * s.ms / max), '#'));
  }
  ctx.reply.Verbatim(out);
}

// LATENCY DOCTOR: a short report of what the monitor recorded.
void LatencyDoctorCommand(CommandContext& ctx) {
  const int64_t threshold = ctx.server.config->GetInt("latency-monitor-threshold");
  auto latest = ctx.server.diagnostics.latency.LatestAll();
  std::string out;
  if (threshold == 0) {
    out =
        "The latency monitor is disabled (latency-monitor-threshold is 0). Enable it with "
        "CONFIG SET latency-monitor-threshold <milliseconds>.\n";
  } else if (latest.empty()) {
    out = fmt::format(
        "No latency spike of {} ms or more was recorded since the monitor was "
        "last reset.\n",
        threshold);
  } else {
    out = fmt::format("Latency spikes of {} ms or more, by event:\n", threshold);
    for (const auto& l : latest) {
      auto history = ctx.server.diagnostics.latency.History(l.event);
      int64_t sum = 0;
      for (const auto& s : history) sum += s.ms;
      fmt::format_to(std::back_inserter(out),
                     "{}: {} samples kept, latest {} ms, worst {} ms, average {} ms.\n", l.event,
                     history.size(), l.ms, l.max_ms,
                     history.empty() ? 0 : sum / static_cast<int64_t>(history.size()));
    }
    out +=
        "Events named command and fast-command are single commands: SLOWLOG GET shows "
        "which ones.\n";
  }
  ctx.reply.Verbatim(out);
}

// LATENCY HELP
void LatencyHelpCommand(CommandContext& ctx) {
  ReplyLines(ctx, {
                      "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                      "DOCTOR",
                      "    Return a human readable latency analysis report.",
                      "GRAPH <event>",
                      "    Return an ASCII latency graph for the <event> class.",
                      "HISTORY <event>",
                      "    Return time-latency samples for the <event> class.",
                      "LATEST",
                      "    Return the latest latency samples for all events.",
                      "RESET [<event> ...]",
                      "    Reset latency data of one or more <event> classes.",
                      "    (default: reset all data for all event classes)",
                      "HELP",
                      "    Prints this help.",
                  });
}

// ------------------------------------------------------------------------------------ MEMORY

// MEMORY USAGE key [SAMPLES count]: nil for a missing key; SAMPLES 0 reads every element.
void MemoryUsageCommand(CommandContext& ctx) {
  int64_t samples = 5;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    if (IEquals(ctx.arg(i), "samples") && i + 1 < ctx.argc()) {
      if (!ArgInt64(ctx, i + 1, &samples)) return;
      if (samples < 0) {
        ctx.reply.Error(kErrSyntax);
        return;
      }
      ++i;
    } else {
      ctx.reply.Error(kErrSyntax);
      return;
    }
  }
  auto bytes = engine::EstimateKeyBytes(ctx.db(), ctx.arg(2), static_cast<uint64_t>(samples));
  if (!CheckStatus(ctx, bytes.status())) return;
  if (!bytes->has_value()) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Integer(static_cast<int64_t>(**bytes));
}

double Ratio(uint64_t a, uint64_t b) {
  return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
}

// What MEMORY STATS and MEMORY DOCTOR report.
struct MemoryReport {
  ProcessMemory process;
  uint64_t startup = 0;
  uint64_t clients = 0;  // query and output buffers of every client
  uint64_t keys = 0;
  std::vector<int> dbs_with_keys;
};

// REQUIRES: the world lock held (shared), for the database map.
MemoryReport CollectMemory(CommandContext& ctx) {
  MemoryReport r;
  r.process = ReadProcessMemory();
  r.startup = static_cast<uint64_t>(std::max<int64_t>(0, ctx.server.startup_rss));
  for (const auto& c : ctx.server.clients->Snapshot()) {
    r.clients += c->query_buffer_bytes.load() + c->output_buffer_bytes.load();
  }
  engine::Engine& engine = *ctx.server.engine;
  for (int i = 0; i < engine.databases(); ++i) {
    int64_t n = engine.KeyCount(engine.db(i));
    if (n <= 0) continue;
    r.keys += static_cast<uint64_t>(n);
    r.dbs_with_keys.push_back(i);
  }
  return r;
}

// MEMORY STATS
void MemoryStatsCommand(CommandContext& ctx) {
  CommandLocks held;
  if (!ctx.client.in_exec() && !LockWorldUnlessBusy(ctx, false, &held)) return;
  const MemoryReport r = CollectMemory(ctx);
  const uint64_t total = r.process.rss;
  const uint64_t overhead = r.startup + r.clients;
  const uint64_t dataset = total > overhead ? total - overhead : 0;
  const uint64_t net = total > r.startup ? total - r.startup : 0;
  codec::ReplyWriter& w = ctx.reply;
  w.MapHeader(27 + static_cast<int64_t>(r.dbs_with_keys.size()));
  auto integer = [&](const char* name, uint64_t v) {
    w.Bulk(name);
    w.Integer(static_cast<int64_t>(v));
  };
  auto dbl = [&](const char* name, double v) {
    w.Bulk(name);
    w.Double(v);
  };
  integer("peak.allocated", std::max(r.process.peak, total));
  integer("total.allocated", total);
  integer("startup.allocated", r.startup);
  integer("replication.backlog", 0);
  integer("clients.slaves", 0);
  integer("clients.normal", r.clients);
  integer("cluster.links", 0);
  integer("aof.buffer", 0);
  integer("lua.caches", 0);
  integer("functions.caches", 0);
  for (int db : r.dbs_with_keys) {
    w.Bulk(fmt::format("db.{}", db));
    w.MapHeader(3);
    integer("overhead.hashtable.main", 0);
    integer("overhead.hashtable.expires", 0);
    integer("overhead.hashtable.slot-to-keys", 0);
  }
  integer("overhead.total", overhead);
  integer("keys.count", r.keys);
  integer("keys.bytes-per-key", r.keys == 0 ? 0 : net / r.keys);
  integer("dataset.bytes", dataset);
  dbl("dataset.percentage", 100.0 * Ratio(dataset, net));
  dbl("peak.percentage", 100.0 * Ratio(total, std::max(r.process.peak, total)));
  const ProcessMemory& p = r.process;
  integer("allocator.allocated", p.allocated);
  integer("allocator.active", p.active);
  integer("allocator.resident", p.rss);
  dbl("allocator-fragmentation.ratio", Ratio(p.active, p.allocated));
  integer("allocator-fragmentation.bytes", p.active > p.allocated ? p.active - p.allocated : 0);
  dbl("allocator-rss.ratio", Ratio(p.rss, p.active));
  integer("allocator-rss.bytes", p.rss > p.active ? p.rss - p.active : 0);
  dbl("rss-overhead.ratio", 1.0);
  integer("rss-overhead.bytes", 0);
  dbl("fragmentation", Ratio(p.rss, p.allocated));
  integer("fragmentation.bytes", p.rss > p.allocated ? p.rss - p.allocated : 0);
}

// MEMORY DOCTOR: where the process's memory goes, and what is near its limit.
void MemoryDoctorCommand(CommandContext& ctx) {
  engine::Storage& storage = ctx.server.engine->storage();
  engine::HotTier::Stats tier = ctx.server.engine->hot_tier().GetStats();
  const ProcessMemory p = ReadProcessMemory();
  const int64_t maxmemory = ctx.server.config->GetInt("maxmemory");
  std::string out = fmt::format(
      "Resident set: {} bytes (peak {}). RocksDB block cache: {} of {} bytes; memtables: {} "
      "bytes. Hot tier: {} of {} bytes in {} entries.\n",
      p.rss, p.peak, storage.BlockCacheUsage(), storage.block_cache_capacity(),
      storage.MemtableUsage(), tier.used_bytes, tier.capacity, tier.entries);
  bool issues = false;
  if (maxmemory > 0 && p.rss > static_cast<uint64_t>(maxmemory)) {
    out += "* The resident set is above maxmemory.\n";
    issues = true;
  }
  if (tier.capacity > 0 && tier.evictions > 0 && tier.used_bytes * 10 >= tier.capacity * 9) {
    out +=
        "* The hot tier is full and evicting: raising hot-tier-max-memory would keep more of "
        "the working set in RAM.\n";
    issues = true;
  }
  if (p.allocated > 0 && p.rss > 2 * p.allocated && p.rss > (64ull << 20)) {
    out +=
        "* The resident set is over twice what malloc has handed out: MEMORY PURGE may "
        "return free pages to the system.\n";
    issues = true;
  }
  if (!issues) out += "No memory problems found.\n";
  ctx.reply.Verbatim(out);
}

// MEMORY MALLOC-STATS: glibc's malloc_info report (XML).
void MemoryMallocStatsCommand(CommandContext& ctx) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* f = open_memstream(&buf, &len);
  if (f == nullptr) {
    ctx.reply.Verbatim("Stats not supported for the current allocator");
    return;
  }
  malloc_info(0, f);
  std::fclose(f);
  std::string out(buf, len);
  std::free(buf);
  ctx.reply.Verbatim(out);
}

// MEMORY PURGE
void MemoryPurgeCommand(CommandContext& ctx) {
  malloc_trim(0);
  ctx.reply.SimpleString("OK");
}

// MEMORY HELP
void MemoryHelpCommand(CommandContext& ctx) {
  ReplyLines(ctx, {
                      "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                      "DOCTOR",
                      "    Return memory problems reports.",
                      "MALLOC-STATS",
                      "    Return internal statistics report from the memory allocator.",
                      "PURGE",
                      "    Attempt to purge dirty pages for reclamation by the allocator.",
                      "STATS",
                      "    Return information about the memory usage of the server.",
                      "USAGE <key> [SAMPLES <count>]",
                      "    Return memory in bytes used by <key> and its value. Nested values are",
                      "    sampled up to <count> times (default: 5, 0 means sample all).",
                      "HELP",
                      "    Prints this help.",
                  });
}

}  // namespace

void RegisterDiagnosticsCommands(CommandTable* t) {
  const std::string g = "server";
  const uint32_t kAdmin = kCmdAdmin | kCmdLoading | kCmdStale;
  const uint32_t kHelp = kCmdLoading | kCmdStale;
  const std::vector<std::string> kAdminAcl = {"@admin", "@slow", "@dangerous"};
  const std::vector<std::string> kSlow = {"@slow"};
  auto add = [&](CommandSpec spec, const char* complexity) {
    spec.complexity = complexity;
    t->Add(std::move(spec));
  };
  auto sub = [&](const char* parent, CommandSpec spec, const char* complexity) {
    spec.complexity = complexity;
    t->AddSubcommand(parent, std::move(spec));
  };
  const char* kHelpSummary = "Show helpful text about the different subcommands";

  add(MakeCommand("slowlog", -2, 0, 0, 0, 0, nullptr, g, "2.2.12",
                  "A container for slow log commands", kSlow),
      "Depends on subcommand.");
  sub("slowlog",
      MakeCommand("get", -2, kAdmin, 0, 0, 0, SlowLogGetCommand, g, "2.2.12",
                  "Get the slow log's entries", kAdminAcl),
      "O(N) where N is the number of entries returned");
  sub("slowlog",
      MakeCommand("len", 2, kAdmin, 0, 0, 0, SlowLogLenCommand, g, "2.2.12",
                  "Get the slow log's length", kAdminAcl),
      "O(1)");
  sub("slowlog",
      MakeCommand("reset", 2, kAdmin, 0, 0, 0, SlowLogResetCommand, g, "2.2.12",
                  "Clear all entries from the slow log", kAdminAcl),
      "O(N) where N is the number of entries in the slowlog");
  sub("slowlog",
      MakeCommand("help", 2, kHelp, 0, 0, 0, SlowLogHelpCommand, g, "6.2.0", kHelpSummary, kSlow),
      "O(1)");

  const uint32_t kLatency = kAdmin | kCmdNoScript;
  add(MakeCommand("latency", -2, 0, 0, 0, 0, nullptr, g, "2.8.13",
                  "A container for latency diagnostics commands", kSlow),
      "Depends on subcommand.");
  sub("latency",
      MakeCommand("latest", 2, kLatency, 0, 0, 0, LatencyLatestCommand, g, "2.8.13",
                  "Return the latest latency samples for all events.", kAdminAcl),
      "O(1)");
  sub("latency",
      MakeCommand("history", 3, kLatency, 0, 0, 0, LatencyHistoryCommand, g, "2.8.13",
                  "Return timestamp-latency samples for the event.", kAdminAcl),
      "O(1)");
  sub("latency",
      MakeCommand("reset", -2, kLatency, 0, 0, 0, LatencyResetCommand, g, "2.8.13",
                  "Reset latency data for one or more events.", kAdminAcl),
      "O(1)");
  sub("latency",
      MakeCommand("graph", 3, kLatency, 0, 0, 0, LatencyGraphCommand, g, "2.8.13",
                  "Return a latency graph for the event.", kAdminAcl),
      "O(1)");
  sub("latency",
      MakeCommand("doctor", 2, kLatency, 0, 0, 0, LatencyDoctorCommand, g, "2.8.13",
                  "Return a human readable latency analysis report.", kAdminAcl),
      "O(1)");
  sub("latency",
      MakeCommand("help", 2, kHelp, 0, 0, 0, LatencyHelpCommand, g, "2.8.13", kHelpSummary, kSlow),
      "O(1)");

  add(MakeCommand("memory", -2, 0, 0, 0, 0, nullptr, g, "4.0.0",
                  "A container for memory diagnostics commands", kSlow),
      "Depends on subcommand.");
  sub("memory",
      MakeCommand("usage", -3, kCmdReadOnly, 2, 2, 1, MemoryUsageCommand, g, "4.0.0",
                  "Estimate the memory usage of a key", {"@read", "@slow"}),
      "O(N) where N is the number of samples.");
  sub("memory",
      MakeCommand("stats", 2, 0, 0, 0, 0, MemoryStatsCommand, g, "4.0.0",
                  "Show memory usage details", kSlow),
      "O(1)");
  sub("memory",
      MakeCommand("doctor", 2, 0, 0, 0, 0, MemoryDoctorCommand, g, "4.0.0",
                  "Outputs memory problems report", kSlow),
      "O(1)");
  sub("memory",
      MakeCommand("malloc-stats", 2, 0, 0, 0, 0, MemoryMallocStatsCommand, g, "4.0.0",
                  "Show allocator internal stats", kSlow),
      "Depends on how much memory is allocated, could be slow");
  sub("memory",
      MakeCommand("purge", 2, 0, 0, 0, 0, MemoryPurgeCommand, g, "4.0.0",
                  "Ask the allocator to release memory", kSlow),
      "Depends on how much memory is allocated, could be slow");
  sub("memory",
      MakeCommand("help", 2, 0, 0, 0, 0, MemoryHelpCommand, g, "4.0.0", kHelpSummary, kSlow),
      "O(1)");
}

}  // namespace basalt::server
