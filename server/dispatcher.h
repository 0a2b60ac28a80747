// Runs one parsed command for a client: lookup, arity, authentication, locking, handler — in
// that order, as Redis checks them, so error precedence matches Redis.
//
// Thread-safety: Execute may run concurrently on every worker; the key-locking protocol of
// engine/key_locks.h is applied here from each command's key positions and flags.
#ifndef BASALT_SERVER_DISPATCHER_H_
#define BASALT_SERVER_DISPATCHER_H_

#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "codec/resp_parser.h"
#include "codec/resp_writer.h"
#include "server/command.h"

namespace basalt::server {

// The stripes of the key locks `cmd` with `argv` (run in logical database `db`) holds, when it
// is a write or a read of several keys: those of its key positions and of its lock_keys extras.
// Appends to *stripes.
void AppendLockStripes(const CommandSpec& cmd, const codec::Argv& argv, int db,
                       ServerContext& server, std::vector<uint16_t>* stripes);

// Runs a resolved, checked command: statistics, then its handler. The caller holds the locks
// (Dispatcher::RunLocked for one command; EXEC for all its queued commands at once), so every
// command, alone or inside EXEC, runs through this one function.
void InvokeCommand(const CommandSpec& cmd, CommandContext& ctx);

// The locks of a write or of a read of several keys. A script holds its locks while it runs on its
// executor thread (server/scripting.h), possibly forever (`while true do end`); a worker that
// waited for them without end could no longer serve SCRIPT KILL. So these wait only until a script
// turns busy: then they reply its -BUSY error (Redis answers every command queued behind a busy
// script so) and return false, holding nothing.
struct CommandLocks {
  std::unique_lock<engine::KeyLocks::WorldMutex> world;  // exclusive
  std::shared_lock<engine::KeyLocks::WorldMutex> shared;
  engine::KeyLocks::Guard guard;
};
// Replies `busy` (a -BUSY text) to a command refused because a script is busy, as Redis's
// rejectCommand: an open MULTI is flagged, and a refused EXEC (even one without MULTI) discards
// the transaction with "EXECABORT Transaction discarded because of: BUSY ...".
void RejectBusy(bool exec, Client& client, codec::ReplyWriter& reply, const std::string& busy);
bool LockWorldUnlessBusy(CommandContext& ctx, bool exclusive, CommandLocks* held);
// REQUIRES: the world lock held (shared) in *held.
bool LockStripesUnlessBusy(CommandContext& ctx, const std::vector<uint16_t>& stripes,
                           CommandLocks* held);

class Dispatcher {
 public:
  Dispatcher(const CommandTable* table, ServerContext* server) : table_(table), server_(server) {}

  void Execute(Client& client, const codec::Argv& argv, codec::ReplyWriter& reply);

  // Redis's "unknown command" error text for argv.
  static std::string UnknownCommandText(const codec::Argv& argv);

 private:
  // The command argv names, or nullptr after replying the error; *known is set to the command
  // once it is found, even when its arity is wrong.
  const CommandSpec* Resolve(const codec::Argv& argv, codec::ReplyWriter& reply,
                             const CommandSpec** known) const;
  // Resolve, then the checks before running (authentication, subscribed mode, busy script,
  // MULTI queueing). nullptr when the command was answered already (refused or queued).
  const CommandSpec* Admit(Client& client, const codec::Argv& argv, codec::ReplyWriter& reply,
                           const CommandSpec** known);
  void RunLocked(const CommandSpec& cmd, CommandContext& ctx);

  const CommandTable* table_;
  ServerContext* server_;
};

// Whether `client` must authenticate before running commands other than AUTH/HELLO/QUIT.
bool AuthRequired(const ServerContext& server, const Client& client);

}  // namespace basalt::server

#endif  // BASALT_SERVER_DISPATCHER_H_
