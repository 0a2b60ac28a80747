// The command table's key extraction (command.h): which keys a command's locks cover. Reads of
// several keys hold those keys' stripes (server/dispatcher.cc), so a command whose keys follow a
// numkeys argument must name them through lock_keys.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "server/command.h"

namespace basalt::server {
namespace {

// The keys `argv` locks: its key positions and its lock_keys extras, in database 0.
std::vector<std::string> LockedKeys(const CommandTable& table, const codec::Argv& argv) {
  const CommandSpec* spec = table.Find(argv[0]);
  EXPECT_NE(spec, nullptr) << argv[0];
  if (spec == nullptr) return {};
  std::vector<std::string> out;
  for (size_t pos : spec->KeyPositions(argv.size())) out.push_back(argv[pos]);
  if (spec->lock_keys != nullptr) {
    std::vector<std::pair<int, std::string>> extra;
    spec->lock_keys(argv, 0, &extra);
    for (auto& [db, key] : extra) {
      EXPECT_EQ(db, 0);
      out.push_back(key);
    }
  }
  return out;
}

TEST(CommandTableTest, NumkeysCommandsLockTheKeysThatFollowNumkeys) {
  CommandTable table;
  RegisterSetCommands(&table);
  RegisterZSetCommands(&table);
  RegisterListCommands(&table);
  using Keys = std::vector<std::string>;
  EXPECT_EQ(LockedKeys(table, {"sintercard", "2", "a", "b", "LIMIT", "1"}), (Keys{"a", "b"}));
  EXPECT_EQ(LockedKeys(table, {"zunion", "2", "a", "b", "WITHSCORES"}), (Keys{"a", "b"}));
  EXPECT_EQ(LockedKeys(table, {"zinter", "3", "a", "b", "c"}), (Keys{"a", "b", "c"}));
  EXPECT_EQ(LockedKeys(table, {"zdiff", "1", "a", "b"}), (Keys{"a"}));
  EXPECT_EQ(LockedKeys(table, {"zintercard", "2", "a", "b"}), (Keys{"a", "b"}));
  EXPECT_EQ(LockedKeys(table, {"zunionstore", "d", "2", "a", "b"}), (Keys{"d", "a", "b"}));
  EXPECT_EQ(LockedKeys(table, {"zmpop", "2", "a", "b", "MIN"}), (Keys{"a", "b"}));
  EXPECT_EQ(LockedKeys(table, {"bzmpop", "0", "2", "a", "b", "MIN"}), (Keys{"a", "b"}));
  EXPECT_EQ(LockedKeys(table, {"lmpop", "2", "a", "b", "LEFT"}), (Keys{"a", "b"}));
  EXPECT_EQ(LockedKeys(table, {"blmpop", "0", "1", "a", "LEFT"}), (Keys{"a"}));
  // Malformed numkeys: nothing extra (the handler replies the error).
  EXPECT_EQ(LockedKeys(table, {"zunion", "x", "a"}), Keys{});
  EXPECT_EQ(LockedKeys(table, {"sintercard", "0", "a"}), Keys{});
  // More numkeys than arguments: only the keys present.
  EXPECT_EQ(LockedKeys(table, {"zinter", "5", "a", "b"}), (Keys{"a", "b"}));
}

TEST(CommandTableTest, KeyPositionsFollowFirstLastAndStep) {
  CommandTable table;
  RegisterStringCommands(&table);
  RegisterListCommands(&table);
  using Positions = std::vector<size_t>;
  auto positions = [&](std::string_view name, size_t argc) {
    const CommandSpec* spec = table.Find(name);
    EXPECT_NE(spec, nullptr) << name;
    if (spec == nullptr) return Positions{};
    EXPECT_EQ(spec->KeyCount(argc), spec->KeyPositions(argc).size()) << name << " " << argc;
    return spec->KeyPositions(argc);
  };
  EXPECT_EQ(positions("get", 2), (Positions{1}));
  EXPECT_EQ(positions("mget", 4), (Positions{1, 2, 3}));
  EXPECT_EQ(positions("mset", 5), (Positions{1, 3}));
  EXPECT_EQ(positions("mset", 4), (Positions{1, 3}));   // a malformed call: what argv holds
  EXPECT_EQ(positions("blpop", 4), (Positions{1, 2}));  // the timeout is not a key
  EXPECT_EQ(positions("blpop", 2), Positions{});
  EXPECT_EQ(positions("lmove", 5), (Positions{1, 2}));
  EXPECT_EQ(positions("lmpop", 5), Positions{});  // numkeys: lock_keys names them
}

}  // namespace
}  // namespace basalt::server
