#include "engine/list.h"

#include <algorithm>
#include <functional>

#include "codec/key_format.h"
#include "engine/collection.h"

namespace basalt::engine {

namespace {

using codec::KeyType;

Status LookupList(const Db& db, std::string_view key, KeyRecord* rec) {
  return LookupCollection(db, key, KeyType::kList, rec);
}

// The subkey of the element stored at absolute index `index`.
std::string IndexKey(uint64_t index) {
  std::string out;
  codec::PutFixed64BE(&out, index);
  return out;
}

// Reads `n` elements starting at logical position `pos` of a live list, in order.
// Calls visit(element) for the `n` elements starting at logical position `pos` of a live list,
// in order. The view is valid only during the call.
Status VisitRange(const Db& db, std::string_view key, const codec::Metadata& meta, uint64_t pos,
                  uint64_t n, const std::function<void(std::string_view)>& visit) {
  if (n == 0) return Status::OK();
  SubkeyIterator it(db, key, meta.version);
  uint64_t got = 0;
  it.Seek(IndexKey(meta.head + pos));
  while (it.Valid()) {
    visit(it.value());
    // Never step past the last element wanted: beyond the tail of a queue that RPOP drains lie
    // the tombstones of every element popped so far, and stepping onto them costs O(pops).
    if (++got == n) break;
    it.Next();
  }
  BASALT_RETURN_IF_ERROR(it.status());
  if (got != n) return Status::Corruption("list size disagrees with elements");
  return Status::OK();
}

// VisitRange, appending the elements to *out.
Status ReadRange(const Db& db, std::string_view key, const codec::Metadata& meta, uint64_t pos,
                 uint64_t n, std::vector<std::string>* out) {
  out->reserve(out->size() + n);  // n <= the list's size: every one of them exists
  return VisitRange(db, key, meta, pos, n, [out](std::string_view e) { out->emplace_back(e); });
}

// Pops of at most this many elements read them with point reads instead of an iterator.
constexpr uint64_t kMaxPointReads = 8;

// Reads `n` elements starting at logical position `pos` of a live list, in order, like
// ReadRange. Indexes are contiguous, so a few elements are cheaper to fetch with point reads
// (bloom-filtered Gets) than with an iterator, which must be built over every memtable and SST
// file and positioned with a Seek: that is most of the cost of a single LPOP/RPOP.
Status ReadFew(const Db& db, std::string_view key, const codec::Metadata& meta, uint64_t pos,
               uint64_t n, std::vector<std::string>* out) {
  if (n > kMaxPointReads) return ReadRange(db, key, meta, pos, n, out);
  for (uint64_t i = 0; i < n; ++i) {
    std::string value;
    Status s = GetSubkey(db, key, meta.version, IndexKey(meta.head + pos + i), &value);
    if (s.IsNotFound()) return Status::Corruption("list size disagrees with elements");
    BASALT_RETURN_IF_ERROR(s);
    out->push_back(std::move(value));
  }
  return Status::OK();
}

// Redis's clamping of a [start, stop] range over a list of `size` elements. Returns false when
// the range is empty; otherwise sets *first and *n.
bool ClampRange(int64_t start, int64_t stop, uint64_t size, uint64_t* first, uint64_t* n) {
  const int64_t len = static_cast<int64_t>(size);
  if (start < 0) start += len;
  if (stop < 0) stop += len;
  if (start < 0) start = 0;
  if (start > stop || start >= len) return false;
  if (stop >= len) stop = len - 1;
  *first = static_cast<uint64_t>(start);
  *n = static_cast<uint64_t>(stop - start + 1);
  return true;
}

// Resolves a possibly negative index; false when out of range.
bool ResolveIndex(int64_t index, uint64_t size, uint64_t* pos) {
  const int64_t len = static_cast<int64_t>(size);
  if (index < 0) index += len;
  if (index < 0 || index >= len) return false;
  *pos = static_cast<uint64_t>(index);
  return true;
}

// Adds the element writes of one push at `end` to `writer` and `meta`.
void PushOne(CollectionWriter* writer, codec::Metadata* meta, ListEnd end,
             std::string_view element) {
  if (end == ListEnd::kLeft) {
    meta->head -= 1;
    writer->Put(IndexKey(meta->head), element);
  } else {
    writer->Put(IndexKey(meta->tail), element);
    meta->tail += 1;
  }
  meta->size += 1;
}

// Removes `n` elements at `end` of a live list into `out` (in pop order).
Status PopN(const Db& db, std::string_view key, CollectionWriter* writer, codec::Metadata* meta,
            ListEnd end, uint64_t n, std::vector<std::string>* out) {
  const uint64_t first = end == ListEnd::kLeft ? 0 : meta->size - n;
  BASALT_RETURN_IF_ERROR(ReadFew(db, key, *meta, first, n, out));
  for (uint64_t i = 0; i < n; ++i) writer->Delete(IndexKey(meta->head + first + i));
  if (end == ListEnd::kLeft) {
    meta->head += n;
  } else {
    std::reverse(out->begin(), out->end());
    meta->tail -= n;
  }
  meta->size -= n;
  return Status::OK();
}

// Logical positions of the elements equal to `element`, scanning from the head (forward) or
// the tail, up to `limit` matches (0 = all).
Status FindMatches(const Db& db, std::string_view key, const codec::Metadata& meta,
                   std::string_view element, bool forward, uint64_t limit,
                   std::vector<uint64_t>* out) {
  SubkeyIterator it(db, key, meta.version);
  if (forward) {
    it.SeekToFirst();
  } else {
    it.SeekToLast();
  }
  for (uint64_t i = 0; it.Valid() && (limit == 0 || out->size() < limit); ++i) {
    if (it.value() == element) out->push_back(forward ? i : meta.size - 1 - i);
    if (forward) {
      it.Next();
    } else {
      it.Prev();
    }
  }
  return it.status();
}

}  // namespace

StatusOr<int64_t> ListPush(const Db& db, std::string_view key, ListEnd end,
                           const std::vector<std::string_view>& elements, bool only_if_exists) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupList(db, key, &rec));
  if (only_if_exists && !rec.live()) return int64_t{0};
  codec::Metadata meta = CollectionMetaForWrite(db.engine, rec, KeyType::kList);
  Batch batch(db.engine);
  CollectionWriter writer(&batch, db, key, meta);
  for (std::string_view e : elements) PushOne(&writer, &meta, end, e);
  writer.Finish(rec, meta);
  BASALT_RETURN_IF_ERROR(batch.Commit());
  return static_cast<int64_t>(meta.size);
}

StatusOr<std::optional<std::vector<std::string>>> ListPop(const Db& db, std::string_view key,
                                                          ListEnd end, uint64_t count) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupList(db, key, &rec));
  if (!rec.live()) return std::optional<std::vector<std::string>>();
  std::vector<std::string> out;
  const uint64_t n = std::min(count, rec.meta.size);
  if (n == 0) return std::optional<std::vector<std::string>>(std::move(out));
  codec::Metadata meta = rec.meta;
  Batch batch(db.engine);
  CollectionWriter writer(&batch, db, key, meta);
  BASALT_RETURN_IF_ERROR(PopN(db, key, &writer, &meta, end, n, &out));
  writer.Finish(rec, meta);
  BASALT_RETURN_IF_ERROR(batch.Commit());
  return std::optional<std::vector<std::string>>(std::move(out));
}

StatusOr<int64_t> ListLen(const Db& db, std::string_view key) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupList(db, key, &rec));
  db.engine->CountRead(db, key, rec.live());
  return rec.live() ? static_cast<int64_t>(rec.meta.size) : 0;
}

StatusOr<std::optional<std::string>> ListIndex(const Db& db, std::string_view key, int64_t index) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupList(db, key, &rec));
  db.engine->CountRead(db, key, rec.live());
  uint64_t pos = 0;
  if (!rec.live() || !ResolveIndex(index, rec.meta.size, &pos)) {
    return std::optional<std::string>();
  }
  std::string value;
  Status s = GetSubkey(db, key, rec.meta.version, IndexKey(rec.meta.head + pos), &value);
  if (s.IsNotFound()) return Status::Corruption("list element missing");
  BASALT_RETURN_IF_ERROR(s);
  return std::optional<std::string>(std::move(value));
}

Status ListRange(const Db& db, std::string_view key, int64_t start, int64_t stop,
                 const std::function<void(uint64_t)>& begin,
                 const std::function<void(std::string_view)>& visit) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupList(db, key, &rec));
  db.engine->CountRead(db, key, rec.live());
  uint64_t first = 0, n = 0;
  if (!rec.live() || !ClampRange(start, stop, rec.meta.size, &first, &n)) {
    begin(0);
    return Status::OK();
  }
  begin(n);
  return VisitRange(db, key, rec.meta, first, n, visit);
}

StatusOr<std::vector<std::string>> ListRange(const Db& db, std::string_view key, int64_t start,
                                             int64_t stop) {
  std::vector<std::string> out;
  BASALT_RETURN_IF_ERROR(ListRange(
      db, key, start, stop, [&](uint64_t n) { out.reserve(n); },
      [&](std::string_view e) { out.emplace_back(e); }));
  return out;
}

Status ListSet(const Db& db, std::string_view key, int64_t index, std::string_view element) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupList(db, key, &rec));
  if (!rec.live()) return Status::NotFound();
  uint64_t pos = 0;
  if (!ResolveIndex(index, rec.meta.size, &pos)) return Status(Code::kOutOfRange, "");
  Batch batch(db.engine);
  CollectionWriter writer(&batch, db, key, rec.meta);
  writer.Put(IndexKey(rec.meta.head + pos), element);
  writer.Finish(rec, rec.meta);
  return batch.Commit();
}

Status ListTrim(const Db& db, std::string_view key, int64_t start, int64_t stop) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupList(db, key, &rec));
  if (!rec.live()) return Status::OK();
  codec::Metadata meta = rec.meta;
  uint64_t first = 0, n = 0;
  if (!ClampRange(start, stop, meta.size, &first, &n)) {
    first = meta.size;  // remove everything
    n = 0;
  }
  if (first == 0 && n == meta.size) return Status::OK();
  Batch batch(db.engine);
  CollectionWriter writer(&batch, db, key, meta);
  const uint64_t keep_begin = meta.head + first, keep_end = keep_begin + n;
  for (uint64_t i = meta.head; i < keep_begin; ++i) writer.Delete(IndexKey(i));
  for (uint64_t i = std::max(keep_end, keep_begin); i < meta.tail; ++i) writer.Delete(IndexKey(i));
  if (n == 0) {
    meta.size = 0;
  } else {
    meta.head = keep_begin;
    meta.tail = keep_end;
    meta.size = n;
  }
  writer.Finish(rec, meta);
  return batch.Commit();
}

StatusOr<int64_t> ListRemove(const Db& db, std::string_view key, int64_t count,
                             std::string_view element) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupList(db, key, &rec));
  if (!rec.live()) return int64_t{0};
  const bool forward = count >= 0;
  const uint64_t limit =
      count >= 0 ? static_cast<uint64_t>(count) : uint64_t{0} - static_cast<uint64_t>(count);
  std::vector<uint64_t> removed;
  BASALT_RETURN_IF_ERROR(FindMatches(db, key, rec.meta, element, forward, limit, &removed));
  if (removed.empty()) return int64_t{0};
  std::sort(removed.begin(), removed.end());
  // Compact: every kept element after the first removed one moves down to close the gaps.
  codec::Metadata meta = rec.meta;
  const uint64_t first = removed.front();
  std::vector<std::string> rest;
  BASALT_RETURN_IF_ERROR(ReadRange(db, key, meta, first, meta.size - first, &rest));
  Batch batch(db.engine);
  CollectionWriter writer(&batch, db, key, meta);
  uint64_t dst = meta.head + first;
  size_t r = 0;
  for (uint64_t i = 0; i < rest.size(); ++i) {
    if (r < removed.size() && removed[r] == first + i) {
      ++r;
      continue;
    }
    writer.Put(IndexKey(dst++), rest[i]);
  }
  for (uint64_t i = dst; i < meta.tail; ++i) writer.Delete(IndexKey(i));
  meta.tail = dst;
  meta.size -= removed.size();
  writer.Finish(rec, meta);
  BASALT_RETURN_IF_ERROR(batch.Commit());
  return static_cast<int64_t>(removed.size());
}

StatusOr<int64_t> ListInsert(const Db& db, std::string_view key, bool before,
                             std::string_view pivot, std::string_view element) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupList(db, key, &rec));
  if (!rec.live()) return int64_t{0};
  std::vector<uint64_t> found;
  BASALT_RETURN_IF_ERROR(FindMatches(db, key, rec.meta, pivot, true, 1, &found));
  if (found.empty()) return int64_t{-1};
  codec::Metadata meta = rec.meta;
  const uint64_t at = found.front() + (before ? 0 : 1);  // the new element's logical position
  Batch batch(db.engine);
  CollectionWriter writer(&batch, db, key, meta);
  std::vector<std::string> moved;
  if (at <= meta.size - at) {  // shift [0, at) one index down
    BASALT_RETURN_IF_ERROR(ReadRange(db, key, meta, 0, at, &moved));
    for (uint64_t i = 0; i < at; ++i) writer.Put(IndexKey(meta.head + i - 1), moved[i]);
    writer.Put(IndexKey(meta.head + at - 1), element);
    meta.head -= 1;
  } else {  // shift [at, size) one index up
    BASALT_RETURN_IF_ERROR(ReadRange(db, key, meta, at, meta.size - at, &moved));
    for (uint64_t i = 0; i < moved.size(); ++i) {
      writer.Put(IndexKey(meta.head + at + i + 1), moved[i]);
    }
    writer.Put(IndexKey(meta.head + at), element);
    meta.tail += 1;
  }
  meta.size += 1;
  writer.Finish(rec, meta);
  BASALT_RETURN_IF_ERROR(batch.Commit());
  return static_cast<int64_t>(meta.size);
}

StatusOr<std::vector<int64_t>> ListPos(const Db& db, std::string_view key, std::string_view element,
                                       int64_t rank, uint64_t count, uint64_t maxlen) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupList(db, key, &rec));
  db.engine->CountRead(db, key, rec.live());
  std::vector<int64_t> out;
  if (!rec.live()) return out;
  const bool forward = rank > 0;
  // |rank|; INT64_MIN behaves as -1, as in Redis 7.0 (its negation overflows there).
  const uint64_t skip = rank == INT64_MIN ? 0
                        : forward         ? static_cast<uint64_t>(rank) - 1
                                          : static_cast<uint64_t>(-rank) - 1;
  SubkeyIterator it(db, key, rec.meta.version);
  if (forward) {
    it.SeekToFirst();
  } else {
    it.SeekToLast();
  }
  uint64_t matches = 0;
  for (uint64_t i = 0; it.Valid() && (maxlen == 0 || i < maxlen); ++i) {
    if (it.value() == element && matches++ >= skip) {
      out.push_back(static_cast<int64_t>(forward ? i : rec.meta.size - 1 - i));
      if (count != 0 && out.size() >= count) break;
    }
    if (forward) {
      it.Next();
    } else {
      it.Prev();
    }
  }
  BASALT_RETURN_IF_ERROR(it.status());
  return out;
}

StatusOr<std::optional<std::string>> ListMove(const Db& db, std::string_view src,
                                              std::string_view dst, ListEnd from, ListEnd to) {
  KeyRecord src_rec;
  BASALT_RETURN_IF_ERROR(LookupList(db, src, &src_rec));
  if (!src_rec.live()) return std::optional<std::string>();
  const bool same = src == dst;
  KeyRecord dst_rec;
  if (!same) BASALT_RETURN_IF_ERROR(LookupList(db, dst, &dst_rec));
  Batch batch(db.engine);
  codec::Metadata src_meta = src_rec.meta;
  CollectionWriter src_writer(&batch, db, src, src_meta);
  std::vector<std::string> popped;
  BASALT_RETURN_IF_ERROR(PopN(db, src, &src_writer, &src_meta, from, 1, &popped));
  if (same) {
    PushOne(&src_writer, &src_meta, to, popped.front());
    src_writer.Finish(src_rec, src_meta);
  } else {
    src_writer.Finish(src_rec, src_meta);
    codec::Metadata dst_meta = CollectionMetaForWrite(db.engine, dst_rec, KeyType::kList);
    CollectionWriter dst_writer(&batch, db, dst, dst_meta);
    PushOne(&dst_writer, &dst_meta, to, popped.front());
    dst_writer.Finish(dst_rec, dst_meta);
  }
  BASALT_RETURN_IF_ERROR(batch.Commit());
  return std::optional<std::string>(std::move(popped.front()));
}

}  // namespace basalt::engine
