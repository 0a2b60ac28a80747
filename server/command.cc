#include "server/command.h"

#include <algorithm>
#include <cctype>

namespace basalt::server {

namespace {
std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}
}  // namespace

size_t CommandSpec::KeyCount(size_t argc) const {
  if (first_key <= 0 || step <= 0) return 0;
  const int64_t last = std::min(last_key >= 0 ? last_key : static_cast<int64_t>(argc) + last_key,
                                static_cast<int64_t>(argc) - 1);
  return last < first_key ? 0 : static_cast<size_t>((last - first_key) / step + 1);
}

std::vector<size_t> CommandSpec::KeyPositions(size_t argc) const {
  std::vector<size_t> out(KeyCount(argc));
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<size_t>(first_key + i * step);
  return out;
}

bool CommandSpec::TouchesUnlistedKeys(size_t argc) const {
  if (flags & kCmdWholeDb) return true;
  if (KeyCount(argc) > 0 || lock_keys != nullptr) return false;
  if (flags & kCmdWrite) return true;
  for (std::string_view keyless_read : {"keys", "scan", "randomkey", "dbsize"}) {
    if (name == keyless_read) return true;
  }
  return false;
}

CommandSpec* CommandTable::Add(CommandSpec spec) {
  auto owned = std::make_unique<CommandSpec>(std::move(spec));
  CommandSpec* raw = owned.get();
  order_.push_back(raw);
  commands_[raw->name] = std::move(owned);
  return raw;
}

CommandSpec* CommandTable::AddSubcommand(std::string_view parent, CommandSpec spec) {
  auto it = commands_.find(std::string(parent));
  if (it == commands_.end()) return nullptr;
  spec.name = std::string(parent) + "|" + spec.name;
  it->second->subcommands.push_back(std::make_unique<CommandSpec>(std::move(spec)));
  return it->second->subcommands.back().get();
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  auto it = commands_.find(Lower(name));
  return it == commands_.end() ? nullptr : it->second.get();
}

const CommandSpec* CommandTable::FindSub(const CommandSpec& parent, std::string_view sub) const {
  std::string full = parent.name + "|" + Lower(sub);
  for (const auto& s : parent.subcommands) {
    if (s->name == full) return s.get();
  }
  return nullptr;
}

void RegisterAllCommands(CommandTable* table) {
  RegisterStringCommands(table);
  RegisterKeyCommands(table);
  RegisterHashCommands(table);
  RegisterSetCommands(table);
  RegisterZSetCommands(table);
  RegisterListCommands(table);
  RegisterConnectionCommands(table);
  RegisterServerCommands(table);
  RegisterIntrospectionCommands(table);
  RegisterTransactionCommands(table);
  RegisterScriptingCommands(table);
  RegisterPubSubCommands(table);
  RegisterDiagnosticsCommands(table);
}

}  // namespace basalt::server
