// basalt-dump's command line: a small option parser shared by the subcommands, the
// subcommands' entry points, and the progress bar. Each Run* returns the process exit status:
// 0 success, 1 a finding (verify) or a failed operation, 2 a usage error.
#ifndef BASALT_TOOLS_DUMP_CLI_H_
#define BASALT_TOOLS_DUMP_CLI_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "tools/dump/store.h"

namespace basalt::dump {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// `positional` arguments and `--name value` options (`-o` is `--output`). `--help` / `-h`
// sets `help`.
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
  bool help = false;

  bool Has(const std::string& name) const { return options.count(name) != 0; }
  std::string Get(const std::string& name, const std::string& def = "") const;
};

// Parses argv[first..]; every option named must be in `allowed` and takes a value. On error
// prints it to stderr and returns false.
bool ParseArgs(int argc, char** argv, int first, const std::set<std::string>& allowed, Args* out);
// Parses an option as an integer in [lo, hi]; prints an error and returns false otherwise.
bool IntOption(const Args& args, const std::string& name, int64_t lo, int64_t hi, int64_t* out);
// Prints "basalt-dump: <what>: <status>" to stderr and returns kExitFailure.
int Fail(std::string_view what, const engine::Status& s);

// Opens `path` for reading; on failure prints why and returns nullptr.
std::unique_ptr<DataDir> OpenForReadOrReport(const std::string& path);
// Reads --db (default `def`, -1 = all databases) into *db; prints an error and returns false.
bool DbOption(const Args& args, int def, int* db);

int RunKeys(int argc, char** argv);
int RunGet(int argc, char** argv);
int RunStats(int argc, char** argv);
int RunVerify(int argc, char** argv);
int RunExport(int argc, char** argv);
int RunImport(int argc, char** argv);

// A one-line progress bar on stderr, drawn only when stderr is a terminal, at most ten times a
// second; erased when destroyed. `total` may be 0 (unknown).
class Progress {
 public:
  Progress(std::string label, int64_t total);
  ~Progress();
  void Add(int64_t n = 1);

 private:
  void Draw();
  std::string label_;
  int64_t total_, done_ = 0;
  bool enabled_;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace basalt::dump

#endif  // BASALT_TOOLS_DUMP_CLI_H_
