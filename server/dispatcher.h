// Runs one parsed command for a client: lookup, arity, authentication, locking, handler — in
// that order, as Redis checks them, so error precedence matches Redis.
//
// Thread-safety: Execute may run concurrently on every worker; the key-locking protocol of
// engine/key_locks.h is applied here from each command's key positions and flags.
#ifndef BASALT_SERVER_DISPATCHER_H_
#define BASALT_SERVER_DISPATCHER_H_

#include <string>

#include "codec/resp_parser.h"
#include "codec/resp_writer.h"
#include "server/command.h"

namespace basalt::server {

class Dispatcher {
 public:
  Dispatcher(const CommandTable* table, ServerContext* server) : table_(table), server_(server) {}

  void Execute(Client& client, const codec::Argv& argv, codec::ReplyWriter& reply);

  // Redis's "unknown command" error text for argv.
  static std::string UnknownCommandText(const codec::Argv& argv);

 private:
  const CommandSpec* Resolve(const codec::Argv& argv, codec::ReplyWriter& reply) const;
  void RunLocked(const CommandSpec& cmd, CommandContext& ctx);

  const CommandTable* table_;
  ServerContext* server_;
};

// Whether `client` must authenticate before running commands other than AUTH/HELLO/QUIT.
bool AuthRequired(const ServerContext& server, const Client& client);

}  // namespace basalt::server

#endif  // BASALT_SERVER_DISPATCHER_H_
