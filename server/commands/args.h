// Small argument helpers shared by command families: case-insensitive option matching and
// number parsing that replies with Redis's error when the argument is malformed.
#ifndef BASALT_SERVER_COMMANDS_ARGS_H_
#define BASALT_SERVER_COMMANDS_ARGS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/command.h"

namespace basalt::server {

bool IEquals(std::string_view a, std::string_view b);
std::string ToLower(std::string_view s);

// Parses argv[i] as an int64; on failure replies kErrNotInteger and returns false.
bool ArgInt64(CommandContext& ctx, size_t i, int64_t* out);
// Parses argv[i] as a double; on failure replies kErrNotFloat and returns false.
bool ArgDouble(CommandContext& ctx, size_t i, double* out);

// MATCH and COUNT options of the SCAN family (SCAN, HSCAN, SSCAN, ZSCAN), from argv[first]
// on. With `type` non-null, TYPE is accepted too. A MATCH of "*" is left empty (match all, as
// Redis does without calling the matcher). Replies Redis's error and returns false on bad input.
struct ScanArgs {
  std::string_view match;
  size_t count = 10;
};
bool ParseScanArgs(CommandContext& ctx, size_t first, ScanArgs* out,
                   std::string_view* type = nullptr);

// argv[first..] as string_views.
std::vector<std::string_view> ArgViews(const CommandContext& ctx, size_t first, size_t step = 1);

// Replies with the engine error if `status` is not OK; returns status.ok().
bool CheckStatus(CommandContext& ctx, const engine::Status& status);

// Builds a table entry.
CommandSpec MakeCommand(std::string name, int arity, uint32_t flags, int first_key, int last_key,
                        int step, CommandHandler handler, std::string group, std::string since,
                        std::string summary, std::vector<std::string> acl = {});

}  // namespace basalt::server

#endif  // BASALT_SERVER_COMMANDS_ARGS_H_
