// Placeholder: this command family lands in the next commit.
#include "server/command.h"

namespace basalt::server {
void RegisterIntrospectionCommands(CommandTable*) {}
}  // namespace basalt::server
