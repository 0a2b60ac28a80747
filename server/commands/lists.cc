// Placeholder: list commands are being written.
#include "server/command.h"

namespace basalt::server {
void RegisterListCommands(CommandTable*) {}
}  // namespace basalt::server
