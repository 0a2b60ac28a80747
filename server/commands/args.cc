#include "server/commands/args.h"

#include <strings.h>

#include "codec/numbers.h"
#include "server/errors.h"

namespace basalt::server {

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ArgInt64(CommandContext& ctx, size_t i, int64_t* out) {
  if (codec::ParseInt64(ctx.arg(i), out)) return true;
  ctx.reply.Error(kErrNotInteger);
  return false;
}

bool ArgDouble(CommandContext& ctx, size_t i, double* out) {
  if (codec::ParseDouble(ctx.arg(i), out)) return true;
  ctx.reply.Error(kErrNotFloat);
  return false;
}

std::vector<std::string_view> ArgViews(const CommandContext& ctx, size_t first, size_t step) {
  std::vector<std::string_view> out;
  for (size_t i = first; i < ctx.argc(); i += step) out.emplace_back(ctx.arg(i));
  return out;
}

bool ParseScanArgs(CommandContext& ctx, size_t first, ScanArgs* out, std::string_view* type) {
  for (size_t j = first; j < ctx.argc(); ++j) {
    const bool has_next = j + 1 < ctx.argc();
    if (IEquals(ctx.arg(j), "count") && has_next) {
      int64_t n = 0;
      if (!ArgInt64(ctx, ++j, &n)) return false;
      if (n < 1) {
        ctx.reply.Error(kErrSyntax);
        return false;
      }
      out->count = static_cast<size_t>(n);
    } else if (IEquals(ctx.arg(j), "match") && has_next) {
      out->match = ctx.arg(++j);
      if (out->match == "*") out->match = {};
    } else if (type != nullptr && IEquals(ctx.arg(j), "type") && has_next) {
      *type = ctx.arg(++j);
    } else {
      ctx.reply.Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

bool CheckStatus(CommandContext& ctx, const engine::Status& status) {
  if (status.ok()) return true;
  ReplyError(ctx.reply, status);
  return false;
}

CommandSpec MakeCommand(std::string name, int arity, uint32_t flags, int first_key, int last_key,
                        int step, CommandHandler handler, std::string group, std::string since,
                        std::string summary, std::vector<std::string> acl) {
  CommandSpec s;
  s.name = std::move(name);
  s.arity = arity;
  s.flags = flags;
  s.first_key = first_key;
  s.last_key = last_key;
  s.step = step;
  s.handler = handler;
  s.group = std::move(group);
  s.since = std::move(since);
  s.summary = std::move(summary);
  s.acl_categories = std::move(acl);
  return s;
}

}  // namespace basalt::server
