// Test-only helper for tests/e2e/test_dump.py: damages one collection's metadata record so that
// `basalt-dump verify` has something to find. It writes the meta column family directly,
// bypassing the engine's write paths on purpose.
//
// usage: basalt-test-damage DIR KEY   (logical db 0; the server must be stopped)
// Adds one to the collection's recorded size. Exit status 0 on success.
#include <cstdio>

#include "codec/key_format.h"
#include "codec/metadata.h"
#include "engine/keyspace.h"

int main(int argc, char** argv) {
  using namespace basalt;
  if (argc != 3) {
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
