// Placeholder: hash commands are being written.
#include "server/command.h"

namespace basalt::server {
void RegisterHashCommands(CommandTable*) {}
}  // namespace basalt::server
