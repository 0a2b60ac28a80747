#include "tools/dump/resp_emit.h"

namespace basalt::dump {

void AppendRespCommand(std::string* out, const std::vector<std::string_view>& args) {
  out->push_back('*');
  out->append(std::to_string(args.size()));
  out->append("\r\n");
  for (std::string_view a : args) {
    out->push_back('$');
    out->append(std::to_string(a.size()));
    out->append("\r\n");
    out->append(a);
    out->append("\r\n");
  }
}

}  // namespace basalt::dump
