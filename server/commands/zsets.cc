// Placeholder: sorted-set commands are being written.
#include "server/command.h"

namespace basalt::server {
void RegisterZSetCommands(CommandTable*) {}
}  // namespace basalt::server
