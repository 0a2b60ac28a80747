// Test-only helper for tests/e2e/test_dump.py: damages one collection's metadata record so that
// `basalt-dump verify` has something to find. It writes the meta column family directly,
// bypassing the engine's write paths on purpose.
//
// usage: basalt-test-damage DIR KEY                      (the server must be stopped)
//          adds one to the recorded size of collection KEY in logical db 0
//        basalt-test-damage DIR --format-version N
//          rewrites the FormatDescriptor with format_version N
// Exit status 0 on success.
#include <cstdio>
#include <string>

#include "codec/key_format.h"
#include "codec/metadata.h"
#include "codec/proto/format.pb.h"
#include "engine/keyspace.h"

namespace {

using namespace basalt;

// Same reserved key as engine/storage.cc.
constexpr char kFormatKey[] =
    "\x01"
    "format";

int SetFormatVersion(engine::Engine& engine, char** argv) {
  codec::proto::FormatDescriptor fd;
  fd.set_format_version(static_cast<uint32_t>(std::stoul(argv[3])));
  fd.set_databases(16);
  fd.set_created_by("basalt-test-damage");
  rocksdb::WriteBatch b;
  b.Put(engine.storage().reserved(), kFormatKey, fd.SerializeAsString());
  engine::Status s = engine.storage().Write(&b);
  if (s.ok()) s = engine.storage().Sync();
  return s.ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && !(argc == 4 && std::string(argv[2]) == "--format-version")) {
    std::fprintf(stderr, "usage: %s DIR KEY\n", argv[0]);
    return 2;
  }
  engine::EngineOptions o;
  o.storage.dir = argv[1];
  auto e = engine::Engine::Open(o);
  if (!e.ok()) {
    std::fprintf(stderr, "open: %s\n", e.status().ToString().c_str());
    return 1;
  }
  engine::Engine& engine = *e.value();
  if (std::string(argv[2]) == "--format-version") return SetFormatVersion(engine, argv);
  engine::Db db = engine.db(0);
  engine::KeyRecord rec;
  if (!engine.Lookup(db, argv[2], &rec).ok() || !rec.present ||
      rec.meta.type == codec::KeyType::kString) {
    std::fprintf(stderr, "no collection named %s in db 0\n", argv[2]);
    return 1;
  }
  codec::Metadata m = rec.meta;
  m.size += 1;
  rocksdb::WriteBatch b;
  b.Put(engine.storage().meta(), codec::EncodeMetaKey(db.physical, argv[2]),
        codec::EncodeCollectionMeta(m));
  engine::Status s = engine.storage().Write(&b);
  if (s.ok()) s = engine.storage().Sync();
  if (!s.ok()) {
    std::fprintf(stderr, "write: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
