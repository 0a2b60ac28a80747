#include "server/errors.h"

#include <string>

namespace basalt::server {

std::string_view ErrorText(const engine::Status& status) {
  using engine::Code;
  switch (status.code()) {
    case Code::kWrongType:
      return kErrWrongType;
    case Code::kNotInteger:
      return kErrNotInteger;
    case Code::kNotFloat:
      return kErrNotFloat;
    case Code::kOverflow:
      return "ERR increment or decrement would overflow";
    case Code::kNanOrInfinity:
      return "ERR increment would produce NaN or Infinity";
    case Code::kHashNotInteger:
      return "ERR hash value is not an integer";
    case Code::kHashNotFloat:
      return "ERR hash value is not a float";
    case Code::kScoreNaN:
      return "ERR resulting score is not a number (NaN)";
    case Code::kOutOfRange:
      return "ERR index out of range";
    case Code::kTooLarge:
      return "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    case Code::kSyntax:
      return kErrSyntax;
    case Code::kSameObject:
      return "ERR source and destination objects are the same";
    case Code::kDbOutOfRange:
      return kErrDbRange;
    case Code::kNotFound:
      return kErrNoSuchKey;
    default:
      return {};
  }
}

void ReplyError(codec::ReplyWriter& reply, const engine::Status& status) {
  std::string_view text = ErrorText(status);
  if (status.code() == engine::Code::kDiskError) {
    // Redis answers writes it cannot persist with MISCONF (stop-writes-on-bgsave-error, a
    // failing AOF); so does Basalt while its data directory cannot be written.
    reply.Error(std::string(kErrDiskPrefix) + status.message());
  } else if (!text.empty()) {
    reply.Error(text);
  } else {
    reply.Error("ERR " + status.ToString());
  }
}

}  // namespace basalt::server
