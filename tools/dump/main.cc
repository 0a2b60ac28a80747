// basalt-dump: offline inspection, verification, export and import of a Basalt data directory.
// Safe beside a running server: read-side subcommands open RocksDB as a secondary instance.
#include <cstdio>
#include <cstring>

#include "tools/dump/cli.h"

namespace {

constexpr char kUsage[] =
    "usage: basalt-dump <command> [arguments] (basalt-dump <command> --help for details)\n"
    "\n"
    "DIR is a server's data directory (its `dir`) or a BGSAVE checkpoint\n"
    "(dir/checkpoints/checkpoint-<ms>). Read-side commands are safe while a server runs.\n"
    "\n"
    "  keys DIR [--db N] [--match GLOB] [--type T] [--limit N]   list keys with type, TTL, size\n"
    "  get DIR KEY [--db N]                                      print one key's value\n"
    "  stats DIR                                                 keys per type and db, sizes\n"
    "  verify DIR                                                check metadata against data\n"
    "  export DIR --format jsonl|resp|pb [-o FILE] [--db N]      write every live key\n"
    "  import DIR FILE --format pb|jsonl                         load an export (server stopped)\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace basalt::dump;
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? kExitUsage : kExitOk;
  }
  struct Command {
    const char* name;
    int (*run)(int, char**);
  };
  static const Command kCommands[] = {{"keys", RunKeys},     {"get", RunGet},
                                      {"stats", RunStats},   {"verify", RunVerify},
                                      {"export", RunExport}, {"import", RunImport}};
  for (const Command& c : kCommands) {
    if (std::strcmp(argv[1], c.name) == 0) return c.run(argc, argv);
  }
  std::fprintf(stderr, "basalt-dump: unknown command '%s'\n\n%s", argv[1], kUsage);
  return kExitUsage;
}
