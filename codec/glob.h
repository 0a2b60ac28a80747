// Glob-style pattern matching as Redis's stringmatchlen (KEYS, SCAN MATCH, CONFIG GET,
// PSUBSCRIBE): `*`, `?`, `[abc]`, `[^a]`, `[a-z]`, `\x` escapes. Binary safe. Thread-safe.
#ifndef BASALT_CODEC_GLOB_H_
#define BASALT_CODEC_GLOB_H_

#include <string_view>

namespace basalt::codec {

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase = false);

}  // namespace basalt::codec

#endif  // BASALT_CODEC_GLOB_H_
