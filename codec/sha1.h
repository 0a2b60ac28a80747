// SHA-1 (FIPS 180-4), for script identifiers: EVALSHA, SCRIPT LOAD and redis.sha1hex name a
// script by the lower-case hex SHA-1 of its body, as Redis does. Not for security.
//
// Thread-safety: pure functions.
#ifndef BASALT_CODEC_SHA1_H_
#define BASALT_CODEC_SHA1_H_

#include <string>
#include <string_view>

namespace basalt::codec {

// The 40-character lower-case hex SHA-1 of `data`.
std::string Sha1Hex(std::string_view data);

}  // namespace basalt::codec

#endif  // BASALT_CODEC_SHA1_H_
