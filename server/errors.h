// Redis's error texts, in one place. Engine codes map to text here and nowhere else.
#ifndef BASALT_SERVER_ERRORS_H_
#define BASALT_SERVER_ERRORS_H_

#include <string_view>

#include "codec/resp_writer.h"
#include "engine/status.h"

namespace basalt::server {

inline constexpr std::string_view kErrSyntax = "ERR syntax error";
inline constexpr std::string_view kErrNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kErrNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kErrWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kErrNoAuth = "NOAUTH Authentication required.";
inline constexpr std::string_view kErrDiskPrefix = "MISCONF Errors writing to the data directory: ";
inline constexpr std::string_view kErrDbRange = "ERR DB index is out of range";
inline constexpr std::string_view kErrNoSuchKey = "ERR no such key";

// The text (without '-') for a non-OK status.
std::string_view ErrorText(const engine::Status& status);
// Appends the error reply for `status`.
void ReplyError(codec::ReplyWriter& reply, const engine::Status& status);

}  // namespace basalt::server

#endif  // BASALT_SERVER_ERRORS_H_
