#include "server/config.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "codec/glob.h"
#include "codec/numbers.h"
#include "codec/resp_parser.h"
#include "server/notify.h"
#include "server/pubsub.h"

namespace basalt::server {

namespace {

constexpr int64_t kIntMax = 2147483647;
constexpr int64_t kLongMax = INT64_MAX;

// Every parameter Basalt knows. Those marked "kept" are accepted for compatibility and only
// reported back; the rest take effect (see hooks in server.cc).
// notify-keyspace-events: Redis's flag characters in Redis's canonical order. Redis does not
// print `n` after `A` yet keeps it; the stored value keeps it (as a trailing n) and CONFIG GET
// hides it.
std::string NormalizeNotify(std::string_view value, const std::string&, std::string* canonical) {
  int flags = ParseNotifyFlags(value);
  if (flags < 0) return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
  *canonical = NotifyFlagsToString(flags);
  if (!canonical->empty() && (*canonical)[0] == 'A' && (flags & kNotifyNew)) *canonical += 'n';
  return "";
}

std::string DisplayNotify(const std::string& canonical) {
  if (canonical.empty() || canonical[0] != 'A' || canonical.back() != 'n') return canonical;
  return canonical.substr(0, canonical.size() - 1);
}

const ParamSpec kParams[] = {
    {"port", nullptr, ParamKind::kInt, "6379", false, 0, 65535, nullptr, "TCP port"},
    {"bind", nullptr, ParamKind::kString, "127.0.0.1", false, 0, 0, nullptr,
     "space-separated addresses to listen on"},
    {"dir", nullptr, ParamKind::kString, "./data", false, 0, 0, nullptr, "data directory"},
    {"workers", nullptr, ParamKind::kInt, "0", false, 0, 256, nullptr,
     "worker threads (0 = half the cores, at least one)"},
    {"requirepass", nullptr, ParamKind::kString, "", true, 0, 0, nullptr, "password for AUTH"},
    {"appendfsync", nullptr, ParamKind::kEnum, "everysec", true, 0, 0, "everysec always no",
     "when acknowledged writes are fsynced"},
    {"appendonly", nullptr, ParamKind::kBool, "yes", true, 0, 0, nullptr,
     "kept: Basalt always logs writes"},
    {"databases", nullptr, ParamKind::kInt, "16", false, 1, 255, nullptr, "logical databases"},
    {"maxclients", nullptr, ParamKind::kInt, "10000", true, 1, 4294967295ll, nullptr,
     "maximum simultaneous clients"},
    {"timeout", nullptr, ParamKind::kInt, "0", true, 0, kIntMax, nullptr,
     "close idle clients after this many seconds (0 = never)"},
    {"loglevel", nullptr, ParamKind::kEnum, "notice", true, 0, 0,
     "debug verbose notice warning nothing", "log verbosity"},
    {"logfile", nullptr, ParamKind::kString, "", false, 0, 0, nullptr, "log file (\"\" = stdout)"},
    {"rocksdb-block-cache-size", nullptr, ParamKind::kMemory, "256mb", true, 0, kLongMax, nullptr,
     "RocksDB block cache shared by all column families"},
    {"rocksdb-write-buffer-size", nullptr, ParamKind::kMemory, "64mb", false, 1 << 20, kLongMax,
     nullptr, "memtable size per column family"},
    {"rocksdb-compression", nullptr, ParamKind::kEnum, "lz4", false, 0, 0, "lz4 zstd none",
     "table file compression (zstd: ZSTD on the bottommost level, smaller but slower cold reads)"},
    {"hot-tier-max-memory", nullptr, ParamKind::kMemory, "256mb", true, 0, kLongMax, nullptr,
     "in-RAM hot tier budget (0 disables)"},
    {"hot-tier-max-collection-bytes", nullptr, ParamKind::kMemory, "16kb", true, 0, kLongMax,
     nullptr, "collections up to this size are cached whole in the hot tier (0: metadata only)"},
    {"proto-max-bulk-len", nullptr, ParamKind::kMemory, "512mb", true, 1 << 20, kLongMax, nullptr,
     "largest bulk string accepted"},
    {"client-query-buffer-limit", nullptr, ParamKind::kMemory, "1gb", true, 1 << 20, kLongMax,
     nullptr, "largest query buffer per client"},
    {"tcp-keepalive", nullptr, ParamKind::kInt, "300", true, 0, kIntMax, nullptr, ""},
    {"tcp-backlog", nullptr, ParamKind::kInt, "511", false, 0, kIntMax, nullptr, ""},
    {"hz", nullptr, ParamKind::kInt, "10", true, 0, kIntMax, nullptr, "kept"},
    {"dynamic-hz", nullptr, ParamKind::kBool, "yes", true, 0, 0, nullptr, "kept"},
    {"daemonize", nullptr, ParamKind::kBool, "no", false, 0, 0, nullptr, "kept"},
    {"supervised", nullptr, ParamKind::kEnum, "no", false, 0, 0, "upstart systemd auto no", "kept"},
    {"pidfile", nullptr, ParamKind::kString, "", false, 0, 0, nullptr, "kept"},
    {"protected-mode", nullptr, ParamKind::kBool, "yes", true, 0, 0, nullptr,
     "without a password, serve only loopback clients"},
    {"save", nullptr, ParamKind::kString, "", true, 0, 0, nullptr, "kept"},
    {"dbfilename", nullptr, ParamKind::kString, "dump.rdb", true, 0, 0, nullptr, "kept"},
    {"appendfilename", nullptr, ParamKind::kString, "appendonly.aof", false, 0, 0, nullptr, "kept"},
    {"rdbcompression", nullptr, ParamKind::kBool, "yes", true, 0, 0, nullptr, "kept"},
    {"rdbchecksum", nullptr, ParamKind::kBool, "yes", false, 0, 0, nullptr, "kept"},
    {"stop-writes-on-bgsave-error", nullptr, ParamKind::kBool, "yes", true, 0, 0, nullptr, "kept"},
    {"maxmemory", nullptr, ParamKind::kMemory, "0", true, 0, kLongMax, nullptr, "kept"},
    {"maxmemory-policy", nullptr, ParamKind::kEnum, "noeviction", true, 0, 0,
     "volatile-lru volatile-lfu volatile-random volatile-ttl allkeys-lru allkeys-lfu "
     "allkeys-random noeviction",
     "kept"},
    {"maxmemory-samples", nullptr, ParamKind::kInt, "5", true, 1, 64, nullptr, "kept"},
    {"lfu-log-factor", nullptr, ParamKind::kInt, "10", true, 0, kIntMax, nullptr, "kept"},
    {"lfu-decay-time", nullptr, ParamKind::kInt, "1", true, 0, kIntMax, nullptr, "kept"},
    {"notify-keyspace-events", nullptr, ParamKind::kString, "", true, 0, 0, nullptr,
     "keyspace event classes to publish (server/notify.h)", NormalizeNotify, DisplayNotify},
    {"busy-reply-threshold", "lua-time-limit", ParamKind::kInt, "5000", true, 0, kLongMax, nullptr,
     "kept"},
    {"slowlog-log-slower-than", nullptr, ParamKind::kInt, "10000", true, -1, kLongMax, nullptr,
     "SLOWLOG logs commands that run at least this many microseconds (-1: none, 0: all)"},
    {"slowlog-max-len", nullptr, ParamKind::kInt, "128", true, 0, kLongMax, nullptr,
     "SLOWLOG keeps this many newest entries"},
    {"latency-monitor-threshold", nullptr, ParamKind::kInt, "0", true, 0, kLongMax, nullptr,
     "LATENCY records commands of at least this many milliseconds (0: off)"},
    {"lazyfree-lazy-eviction", nullptr, ParamKind::kBool, "no", true, 0, 0, nullptr, "kept"},
    {"lazyfree-lazy-expire", nullptr, ParamKind::kBool, "no", true, 0, 0, nullptr, "kept"},
    {"lazyfree-lazy-server-del", nullptr, ParamKind::kBool, "no", true, 0, 0, nullptr, "kept"},
    {"lazyfree-lazy-user-del", nullptr, ParamKind::kBool, "no", true, 0, 0, nullptr, "kept"},
    {"lazyfree-lazy-user-flush", nullptr, ParamKind::kBool, "no", true, 0, 0, nullptr, "kept"},
    {"io-threads", nullptr, ParamKind::kInt, "1", false, 1, 128, nullptr, "kept"},
    {"active-expire-effort", nullptr, ParamKind::kInt, "1", true, 1, 10, nullptr, "kept"},
    {"hash-max-listpack-entries", "hash-max-ziplist-entries", ParamKind::kInt, "512", true, 0,
     kLongMax, nullptr, "kept"},
    {"hash-max-listpack-value", "hash-max-ziplist-value", ParamKind::kInt, "64", true, 0, kLongMax,
     nullptr, "kept"},
    {"list-max-listpack-size", "list-max-ziplist-size", ParamKind::kInt, "-2", true, INT32_MIN,
     kIntMax, nullptr, "kept"},
    {"list-compress-depth", nullptr, ParamKind::kInt, "0", true, 0, kIntMax, nullptr, "kept"},
    {"set-max-intset-entries", nullptr, ParamKind::kInt, "512", true, 0, kLongMax, nullptr, "kept"},
    {"zset-max-listpack-entries", "zset-max-ziplist-entries", ParamKind::kInt, "128", true, 0,
     kLongMax, nullptr, "kept"},
    {"zset-max-listpack-value", "zset-max-ziplist-value", ParamKind::kInt, "64", true, 0, kLongMax,
     nullptr, "kept"},
    {"stream-node-max-bytes", nullptr, ParamKind::kMemory, "4096", true, 0, kLongMax, nullptr,
     "kept"},
    {"stream-node-max-entries", nullptr, ParamKind::kInt, "100", true, 0, kLongMax, nullptr,
     "kept"},
    {"activerehashing", nullptr, ParamKind::kBool, "yes", true, 0, 0, nullptr, "kept"},
    {"client-output-buffer-limit", nullptr, ParamKind::kString,
     "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", true, 0, 0, nullptr,
     "output buffer limits per client class (normal and pubsub enforced)", ParseOutputLimits},
    {"replica-read-only", "slave-read-only", ParamKind::kBool, "yes", true, 0, 0, nullptr, "kept"},
    {"repl-diskless-sync", nullptr, ParamKind::kBool, "yes", true, 0, 0, nullptr, "kept"},
    {"cluster-enabled", nullptr, ParamKind::kBool, "no", false, 0, 0, nullptr, "kept"},
    {"lua-replicate-commands", nullptr, ParamKind::kBool, "yes", true, 0, 0, nullptr, "kept"},
    {"latency-tracking", nullptr, ParamKind::kBool, "yes", true, 0, 0, nullptr, "kept"},
    {"enable-debug-command", nullptr, ParamKind::kEnum, "no", false, 0, 0, "no yes local", "kept"},
    {"unixsocket", nullptr, ParamKind::kString, "", false, 0, 0, nullptr, "kept"},
    {"syslog-enabled", nullptr, ParamKind::kBool, "no", false, 0, 0, nullptr, "kept"},
    {"always-show-logo", nullptr, ParamKind::kBool, "no", false, 0, 0, nullptr, "kept"},
    {"set-proc-title", nullptr, ParamKind::kBool, "yes", false, 0, 0, nullptr, "kept"},
};

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

int DefaultWorkers() {
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency() / 2));
}

Config::Config() {
  for (const ParamSpec& spec : kParams) {
    Entry e{&spec, "", {}};
    std::string canonical;
    std::string err = Validate(spec, spec.default_value, &canonical);
    e.value = err.empty() ? canonical : spec.default_value;
    entries_.emplace(spec.name, std::move(e));
    if (spec.alias != nullptr) aliases_.emplace(spec.alias, spec.name);
  }
  entries_.at("workers").value = std::to_string(DefaultWorkers());
}

bool Config::ParseMemory(std::string_view text, int64_t* out) {
  std::string t = Lower(text);
  static const std::pair<const char*, int64_t> kUnits[] = {
      {"gb", 1ll << 30}, {"mb", 1ll << 20}, {"kb", 1ll << 10}, {"g", 1000000000ll},
      {"m", 1000000ll},  {"k", 1000ll},     {"b", 1}};
  int64_t mul = 1;
  for (const auto& [suffix, m] : kUnits) {
    size_t n = strlen(suffix);
    if (t.size() > n && t.compare(t.size() - n, n, suffix) == 0) {
      t.resize(t.size() - n);
      mul = m;
      break;
    }
  }
  int64_t v = 0;
  if (!codec::ParseInt64(t, &v)) return false;
  if (v != 0 && (v > INT64_MAX / mul || v < INT64_MIN / mul)) return false;
  *out = v * mul;
  return true;
}

std::string Config::Validate(const ParamSpec& spec, std::string_view value,
                             std::string* canonical) {
  switch (spec.kind) {
    case ParamKind::kString:
      if (spec.normalize != nullptr) {
        const std::string old = *canonical;
        return spec.normalize(value, old, canonical);
      }
      *canonical = std::string(value);
      return "";
    case ParamKind::kBool: {
      std::string v = Lower(value);
      if (v != "yes" && v != "no") return "argument must be 'yes' or 'no'";
      *canonical = v;
      return "";
    }
    case ParamKind::kEnum: {
      std::string v = Lower(value);
      std::istringstream in(spec.choices);
      std::string choice, list;
      while (in >> choice) {
        if (choice == v) {
          *canonical = v;
          return "";
        }
        list += list.empty() ? choice : ", " + choice;
      }
      return "argument(s) must be one of the following: " + list;
    }
    case ParamKind::kInt:
    case ParamKind::kMemory: {
      int64_t v = 0;
      if (spec.kind == ParamKind::kInt && !codec::ParseInt64(value, &v)) {
        return "argument couldn't be parsed into an integer";
      }
      if (spec.kind == ParamKind::kMemory && !ParseMemory(value, &v)) {
        return "argument must be a memory value";
      }
      if (v < spec.min || v > spec.max) {
        return "argument must be between " + std::to_string(spec.min) + " and " +
               std::to_string(spec.max) + " inclusive";
      }
      *canonical = std::to_string(v);
      return "";
    }
  }
  return "invalid";
}

const Config::Entry* Config::Find(std::string_view name) const {
  std::string n = Lower(name);
  auto a = aliases_.find(n);
  if (a != aliases_.end()) n = a->second;
  auto it = entries_.find(n);
  return it == entries_.end() ? nullptr : &it->second;
}

Config::Entry* Config::Find(std::string_view name) {
  return const_cast<Entry*>(static_cast<const Config*>(this)->Find(name));
}

bool Config::Known(std::string_view name) const {
  std::lock_guard<std::mutex> l(mu_);
  return Find(name) != nullptr;
}

std::string Config::Set(std::string_view name, std::string_view value, bool at_runtime) {
  std::vector<std::function<void(const std::string&)>> hooks;
  std::string canonical_name;
  {
    std::lock_guard<std::mutex> l(mu_);
    Entry* e = Find(name);
    if (e == nullptr) return "unknown";
    if (at_runtime && !e->spec->runtime_mutable) return "can't set immutable config";
    std::string canonical = e->value;  // the current value, for normalize functions
    std::string err = Validate(*e->spec, value, &canonical);
    if (!err.empty()) return err;
    e->value = canonical;
    hooks = e->hooks;
    canonical_name = e->spec->name;
  }
  for (auto& h : hooks) h(canonical_name);
  return "";
}

std::vector<std::pair<std::string, std::string>> Config::Match(std::string_view pattern,
                                                               bool shown) const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, e] : entries_) {
    std::string value = shown && e.spec->display != nullptr ? e.spec->display(e.value) : e.value;
    if (codec::GlobMatch(pattern, name, true)) {
      out.emplace_back(name, std::move(value));
    } else if (e.spec->alias != nullptr && codec::GlobMatch(pattern, e.spec->alias, true)) {
      out.emplace_back(e.spec->alias, std::move(value));
    }
  }
  return out;
}

std::string Config::GetString(std::string_view name) const {
  std::lock_guard<std::mutex> l(mu_);
  const Entry* e = Find(name);
  return e == nullptr ? std::string() : e->value;
}

int64_t Config::GetInt(std::string_view name) const {
  std::string v = GetString(name);
  if (v == "yes") return 1;
  if (v == "no") return 0;
  int64_t n = 0;
  (void)codec::ParseInt64(v, &n);
  return n;
}

void Config::OnChange(std::string_view name, std::function<void(const std::string&)> hook) {
  std::lock_guard<std::mutex> l(mu_);
  Entry* e = Find(name);
  if (e != nullptr) e->hooks.push_back(std::move(hook));
}

std::string Config::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "cannot open config file '" + path + "'";
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    size_t start = line.find_first_not_of(" \t\r");
    if (start == std::string::npos || line[start] == '#') continue;
    codec::Argv words;
    if (!codec::SplitInlineArgs(line, &words) || words.empty()) {
      return "bad config line " + std::to_string(lineno) + ": unbalanced quotes";
    }
    std::string value;
    for (size_t i = 1; i < words.size(); ++i) value += (i > 1 ? " " : "") + words[i];
    std::string err = Set(words[0], value, false);
    if (err == "unknown") err = "unknown directive '" + words[0] + "'";
    if (!err.empty()) return "config line " + std::to_string(lineno) + ": " + err;
  }
  return "";
}

std::string Config::LoadArgs(const std::vector<std::string>& args) {
  size_t i = 0;
  if (!args.empty() && args[0].rfind("--", 0) != 0) {
    std::string err = LoadFile(args[0]);
    if (!err.empty()) return err;
    std::error_code ec;
    config_file_ = std::filesystem::absolute(args[0], ec).string();
    i = 1;
  }
  while (i < args.size()) {
    if (args[i].rfind("--", 0) != 0) return "unexpected argument '" + args[i] + "'";
    std::string name = args[i].substr(2);
    std::string value;
    size_t j = i + 1;
    for (; j < args.size() && args[j].rfind("--", 0) != 0; ++j) {
      value += (j > i + 1 ? " " : "") + args[j];
    }
    std::string err = Set(name, value, false);
    if (err == "unknown") err = "unknown option '--" + name + "'";
    if (!err.empty()) return "--" + name + ": " + err;
    i = j;
  }
  return "";
}

}  // namespace basalt::server
