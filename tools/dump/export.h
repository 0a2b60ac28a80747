// The three export encodings of basalt-dump (README "basalt-dump" documents them), as writers
// that receive a key's value chunk by chunk. Used by `export`; the encoders are pure and
// unit-tested.
#ifndef BASALT_TOOLS_DUMP_EXPORT_H_
#define BASALT_TOOLS_DUMP_EXPORT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "codec/proto/dump.pb.h"
#include "tools/dump/store.h"

namespace basalt::dump {

// What one exported chunk describes.
struct ChunkHeader {
  int db = 0;
  std::string_view key;
  uint64_t expire_at_ms = 0;  // 0 = none
  bool first = true;          // false: more elements of the previous chunk's key
  bool last = true;           // no more chunks of this key follow
};

// JSON lines: one object per chunk (README "jsonl").
void AppendJsonlChunk(std::string* out, const ChunkHeader& h, const Value& v);
// RESP commands that rebuild the key in any Redis-protocol server: SELECT when the database
// changes (*current_db tracks it; -1 = unknown), DEL before the first chunk, SET / RPUSH /
// SADD / HSET / ZADD with at most `per_command` elements each, PEXPIREAT after the last.
void AppendRespChunk(std::string* out, const ChunkHeader& h, const Value& v, int* current_db,
                     size_t per_command = 1000);
// The protobuf Record of a chunk.
void ToRecord(const ChunkHeader& h, const Value& v, codec::proto::Record* r);
// Length-delimited framing: varint length | message bytes.
void AppendDelimited(std::string* out, const std::string& message);

}  // namespace basalt::dump

#endif  // BASALT_TOOLS_DUMP_EXPORT_H_
