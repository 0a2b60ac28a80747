// Placeholder: set commands are being written.
#include "server/command.h"

namespace basalt::server {
void RegisterSetCommands(CommandTable*) {}
}  // namespace basalt::server
