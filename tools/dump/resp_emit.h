// RESP command encoding for `basalt-dump export --format resp`: every command is a RESP2
// multi-bulk array of bulk strings, the form `redis-cli --pipe` sends unchanged to a server,
// so any byte string (binary, empty, with CR LF) is carried exactly. Pure; thread-safe.
#ifndef BASALT_TOOLS_DUMP_RESP_EMIT_H_
#define BASALT_TOOLS_DUMP_RESP_EMIT_H_

#include <string>
#include <string_view>
#include <vector>

namespace basalt::dump {

// command := "*" argc CRLF { "$" len CRLF bytes CRLF }
void AppendRespCommand(std::string* out, const std::vector<std::string_view>& args);

}  // namespace basalt::dump

#endif  // BASALT_TOOLS_DUMP_RESP_EMIT_H_
