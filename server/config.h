// Server configuration: every parameter Basalt knows, with its Redis name (and old aliases),
// type, default and whether CONFIG SET may change it at runtime. Values come from a
// redis.conf-style file, then `--name value` flags, then CONFIG SET.
//
// Parameters with meaning in Basalt take effect through change hooks; parameters that exist only
// for compatibility (encoding thresholds and the like) are validated, kept and returned by
// CONFIG GET so that tools setting them at start-up keep working.
//
// Thread-safety: all methods are thread-safe. Hooks run on the thread that made the change.
#ifndef BASALT_SERVER_CONFIG_H_
#define BASALT_SERVER_CONFIG_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace basalt::server {

enum class ParamKind { kString, kInt, kMemory, kBool, kEnum };

struct ParamSpec {
  const char* name;
  const char* alias;  // older name accepted everywhere (nullptr if none)
  ParamKind kind;
  const char* default_value;
  bool runtime_mutable;
  int64_t min = 0;  // kInt / kMemory
  int64_t max = INT64_MAX;
  const char* choices = nullptr;  // kEnum: space-separated
  const char* doc = "";
  // kString only: validates `value` against the current canonical value `old` and writes the
  // new canonical text; returns "" or the error message. nullptr: any string is accepted.
  std::string (*normalize)(std::string_view value, const std::string& old,
                           std::string* canonical) = nullptr;
  // How CONFIG GET shows the canonical value, when that differs (nullptr: as stored).
  std::string (*display)(const std::string& canonical) = nullptr;
};

// The default number of worker threads: half the cores, at least one. The other half is left
// to the work every write also causes off the worker loops (RocksDB's flushes and compactions,
// the WAL sync, script executors) and, on small machines, to the clients. On two cores one
// worker serves -P 1 writes 20-50% faster than two, which contend for a hot key's stripe and
// for the cores (tools/bench/compare.sh; README "Performance").
int DefaultWorkers();

class Config {
 public:
  Config();

  // Loads a redis.conf-style file: one "name value ..." per line, '#' comments, quoted values.
  // Returns an error message, or "" on success.
  std::string LoadFile(const std::string& path);
  // Applies "--name value [value...]" style arguments (arguments up to the next --name belong
  // to it), and a leading config file path. Returns an error message or "".
  std::string LoadArgs(const std::vector<std::string>& args);

  // Sets a parameter. `at_runtime` enforces runtime_mutable. On failure returns Redis's
  // message suffix, e.g. "argument couldn't be parsed into an integer"; "" on success.
  // An unknown name returns "unknown".
  std::string Set(std::string_view name, std::string_view value, bool at_runtime);
  bool Known(std::string_view name) const;
  // Absolute path of the config file LoadArgs read, or "".
  const std::string& config_file() const { return config_file_; }

  // Canonical name/value pairs of every parameter whose name (or alias) matches the glob;
  // `shown`: values as CONFIG GET shows them (ParamSpec::display).
  std::vector<std::pair<std::string, std::string>> Match(std::string_view pattern,
                                                         bool shown = false) const;

  std::string GetString(std::string_view name) const;
  int64_t GetInt(std::string_view name) const;  // kInt, kMemory, kBool (1/0)

  // Calls `hook(name)` after every successful Set of `name`.
  void OnChange(std::string_view name, std::function<void(const std::string&)> hook);

  // Parses "512mb", "1gb", "100k", "42" into bytes. False if malformed.
  static bool ParseMemory(std::string_view text, int64_t* out);

 private:
  struct Entry {
    const ParamSpec* spec;
    std::string value;  // canonical text
    std::vector<std::function<void(const std::string&)>> hooks;
  };
  const Entry* Find(std::string_view name) const;
  Entry* Find(std::string_view name);
  std::string Validate(const ParamSpec& spec, std::string_view value, std::string* canonical);

  std::string config_file_;
  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;        // by canonical name
  std::map<std::string, std::string, std::less<>> aliases_;  // alias -> canonical name
};

}  // namespace basalt::server

#endif  // BASALT_SERVER_CONFIG_H_
