#include "engine/status.h"

namespace basalt::engine {

std::string Status::ToString() const {
  static const char* const kNames[] = {
      "OK",         "NotFound",       "WrongType",       "NotInteger", "NotFloat",
      "Overflow",   "NanOrInf",       "OutOfRange",      "TooLarge",   "Syntax",
      "SameObject", "DbOutOfRange",   "InvalidArgument", "Corruption", "IOError",
      "Busy",       "HashNotInteger", "HashNotFloat",    "ScoreNaN",   "DiskError"};
  static_assert(sizeof(kNames) / sizeof(kNames[0]) == static_cast<int>(Code::kDiskError) + 1,
                "a name for every Code");
  std::string out = kNames[static_cast<int>(code_)];
  if (!message_.empty()) out += ": " + message_;
  return out;
}

}  // namespace basalt::engine
