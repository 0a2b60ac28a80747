#include "engine/set.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <random>
#include <set>
#include <unordered_set>

#include "codec/glob.h"
#include "engine/collection.h"

namespace basalt::engine {

namespace {

using codec::KeyType;

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

Status LookupSet(const Db& db, std::string_view key, KeyRecord* rec) {
  return LookupCollection(db, key, KeyType::kSet, rec);
}

// Whether `member` is in the set version `version` of `key`.
StatusOr<bool> HasMember(const Db& db, std::string_view key, uint64_t version,
                         std::string_view member) {
  std::string ignored;
  Status s = GetSubkey(db, key, version, member, &ignored);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return s;
  return true;
}

// Appends every member of a live set to `out`.
Status ReadMembers(const Db& db, std::string_view key, const KeyRecord& rec,
                   std::vector<std::string>* out) {
  SubkeyIterator it(db, key, rec.meta.version);
  for (it.SeekToFirst(); it.Valid(); it.Next()) out->emplace_back(it.subkey());
  return it.status();
}

std::vector<std::string_view> Distinct(const std::vector<std::string_view>& members) {
  std::unordered_set<std::string_view> seen;
  std::vector<std::string_view> out;
  for (std::string_view m : members) {
    if (seen.insert(m).second) out.push_back(m);
  }
  return out;
}

// `n` distinct indexes in [0, size), sorted (Floyd's algorithm). REQUIRES: n <= size.
std::vector<uint64_t> DistinctIndexes(uint64_t size, uint64_t n) {
  std::set<uint64_t> chosen;
  for (uint64_t j = size - n; j < size; ++j) {
    uint64_t t = std::uniform_int_distribution<uint64_t>(0, j)(Rng());
    if (!chosen.insert(t).second) chosen.insert(j);
  }
  return std::vector<uint64_t>(chosen.begin(), chosen.end());
}

// `n` indexes in [0, size) drawn with repetition, sorted. REQUIRES: size > 0.
std::vector<uint64_t> RepeatedIndexes(uint64_t size, uint64_t n) {
  std::vector<uint64_t> out(n);
  std::uniform_int_distribution<uint64_t> dist(0, size - 1);
  for (uint64_t& i : out) i = dist(Rng());
  std::sort(out.begin(), out.end());
  return out;
}

// The members at the sorted positions `indexes` (repeats allowed), in one forward walk.
Status MembersAt(const Db& db, std::string_view key, uint64_t version,
                 const std::vector<uint64_t>& indexes, std::vector<std::string>* out) {
  SubkeyIterator it(db, key, version);
  it.SeekToFirst();
  uint64_t pos = 0;
  for (uint64_t want : indexes) {
    for (; it.Valid() && pos < want; ++pos) it.Next();
    if (!it.Valid()) break;
    out->emplace_back(it.subkey());
  }
  BASALT_RETURN_IF_ERROR(it.status());
  if (out->size() != indexes.size()) return Status::Corruption("set size disagrees with members");
  return Status::OK();
}

// Sampling large sets. An exact uniform draw walks to its index, O(size) per draw: SPOP on a
// set of a million members would walk half a million of them (and the tombstones of earlier
// pops) every time; even a set drained down to a few hundred members lies among the
// tombstones of all the popped ones, so a walk there steps over thousands. A set larger than
// kWalkLimit (128: Redis 7.2's default set-max-listpack-entries, the size up to which Redis
// draws exactly) draws `count` members with count * 16 <= size by seeking instead: to a random
// byte string that shares the members' common prefix and then has, at each of the next
// kSampleBytes positions, a byte drawn from the range of bytes seen at that position (in the
// first and last member, widened by every member drawn), taking the member at or after it and
// wrapping to the first. For keys such as `item:000123` this is close to
// uniform. Drawing from the whole byte range instead would land mostly just after the gaps
// between digit blocks, pop the same few regions over and over and walk their ever-growing
// tombstones. Members after wide gaps still come up more often than others: Redis's own
// sampling (a random bucket, then a random entry of its chain) is not uniform either.
constexpr uint64_t kWalkLimit = 128;
constexpr uint64_t kSampleRatio = 16;
constexpr size_t kSampleBytes = 16;

bool Sampled(uint64_t size, uint64_t count) {
  return size > kWalkLimit && count <= size / kSampleRatio;
}

class MemberSampler {
 public:
  MemberSampler(const Db& db, std::string_view key, uint64_t version)
      : db_(db), key_(key), version_(version), it_(db, key, version) {}

  // Finds the first and last member, or bounds on them that SPOP remembered (end_hints.h).
  // With `remember` (REQUIRES: the key's lock) ends found by seeking are kept for the next
  // call. False when the set has none.
  bool Init(bool remember) {
    EndHints& hints = db_.engine->set_hints();
    std::optional<std::string> first = hints.Get(db_.physical, key_, version_, EndHints::End::kMin);
    std::optional<std::string> last = hints.Get(db_.physical, key_, version_, EndHints::End::kMax);
    if (!first || !last) {
      it_.SeekToLast();
      if (!it_.Valid()) return false;
      last.emplace(it_.subkey());
      it_.SeekToFirst();
      if (!it_.Valid()) return false;
      first.emplace(it_.subkey());
      if (remember) {
        hints.Narrow(db_.physical, key_, version_, EndHints::End::kMin, *first);
        hints.Narrow(db_.physical, key_, version_, EndHints::End::kMax, *last);
      }
    }
    size_t common = 0;
    while (common < first->size() && common < last->size() && (*first)[common] == (*last)[common]) {
      ++common;
    }
    prefix_ = first->substr(0, common);
    Widen(*first);
    Widen(*last);
    return true;
  }

  // One member, or nullopt on a read error (status()).
  std::optional<std::string> Draw() {
    std::string target = prefix_;
    for (const auto& [lo, hi] : ranges_) {
      target.push_back(static_cast<char>(std::uniform_int_distribution<int>(lo, hi)(Rng())));
    }
    it_.Seek(target);
    if (!it_.Valid()) it_.SeekToFirst();
    if (!it_.Valid()) return std::nullopt;
    std::string member(it_.subkey());
    Widen(member);
    return member;
  }

  Status status() const { return it_.status(); }

 private:
  // Widens the per-position byte ranges with the bytes of `member` after the common prefix.
  void Widen(const std::string& member) {
    const size_t n =
        std::min(kSampleBytes, member.size() - std::min(member.size(), prefix_.size()));
    for (size_t i = 0; i < n; ++i) {
      const int b = static_cast<uint8_t>(member[prefix_.size() + i]);
      if (i == ranges_.size()) {
        ranges_.emplace_back(b, b);
      } else {
        ranges_[i].first = std::min(ranges_[i].first, b);
        ranges_[i].second = std::max(ranges_[i].second, b);
      }
    }
  }

  Db db_;
  std::string_view key_;
  uint64_t version_;
  SubkeyIterator it_;
  std::string prefix_;
  std::vector<std::pair<int, int>> ranges_;  // [lowest, highest] byte seen at each position
};

// Draws `count` members of a large set by sampling (Sampled()), distinct or with repeats.
// Returns false when sampling did not find enough distinct members in its budget of draws (the
// caller then walks).
// `remember`: as MemberSampler::Init.
StatusOr<bool> SampleMembers(const Db& db, std::string_view key, const KeyRecord& rec,
                             uint64_t count, bool distinct, bool remember,
                             std::vector<std::string>* out) {
  MemberSampler sampler(db, key, rec.meta.version);
  if (!sampler.Init(remember)) {
    BASALT_RETURN_IF_ERROR(sampler.status());
    return Status::Corruption("set size disagrees with members");
  }
  std::unordered_set<std::string> seen;
  const uint64_t budget = count * 8 + 64;
  for (uint64_t tries = 0; out->size() < count && tries < budget; ++tries) {
    std::optional<std::string> m = sampler.Draw();
    if (!m) {
      BASALT_RETURN_IF_ERROR(sampler.status());
      return Status::Corruption("set size disagrees with members");
    }
    if (distinct && !seen.insert(*m).second) continue;
    out->push_back(std::move(*m));
  }
  if (out->size() == count) return true;
  out->clear();
  return false;
}

// Draws min(count, size) distinct members of a live set, in random order.
Status DrawDistinct(const Db& db, std::string_view key, const KeyRecord& rec, uint64_t count,
                    bool remember, std::vector<std::string>* out) {
  if (count >= rec.meta.size) {
    BASALT_RETURN_IF_ERROR(ReadMembers(db, key, rec, out));
  } else if (Sampled(rec.meta.size, count)) {
    auto done = SampleMembers(db, key, rec, count, /*distinct=*/true, remember, out);
    if (!done.ok()) return done.status();
    if (!*done) {
      BASALT_RETURN_IF_ERROR(
          MembersAt(db, key, rec.meta.version, DistinctIndexes(rec.meta.size, count), out));
    }
  } else {
    BASALT_RETURN_IF_ERROR(
        MembersAt(db, key, rec.meta.version, DistinctIndexes(rec.meta.size, count), out));
  }
  std::shuffle(out->begin(), out->end(), Rng());
  return Status::OK();
}

// Looks up every key of a set operation in order; kWrongType stops at the first non-set.
Status LookupSources(const Db& db, const std::vector<std::string_view>& keys,
                     std::vector<KeyRecord>* recs) {
  recs->resize(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    BASALT_RETURN_IF_ERROR(LookupSet(db, keys[i], &(*recs)[i]));
  }
  return Status::OK();
}

// Whether `member` belongs to every live set of `others` (missing sets are skipped by the
// caller for DIFF; for INTER they never reach here).
StatusOr<bool> InAll(const Db& db, const std::vector<std::string_view>& keys,
                     const std::vector<KeyRecord>& recs, const std::vector<size_t>& others,
                     std::string_view member) {
  for (size_t i : others) {
    auto in = HasMember(db, keys[i], recs[i].meta.version, member);
    if (!in.ok() || !*in) return in;
  }
  return true;
}

// Walks the smallest set and keeps members present in all others; stops at `limit` (0 = no
// limit). `out` may be null when only the count is wanted.
StatusOr<uint64_t> Intersect(const Db& db, const std::vector<std::string_view>& keys,
                             const std::vector<KeyRecord>& recs, uint64_t limit,
                             std::vector<std::string>* out) {
  for (const KeyRecord& rec : recs) {
    if (!rec.live()) return uint64_t{0};
  }
  std::vector<size_t> order(keys.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return recs[a].meta.size < recs[b].meta.size; });
  const size_t first = order[0];
  std::vector<size_t> others(order.begin() + 1, order.end());
  uint64_t found = 0;
  SubkeyIterator it(db, keys[first], recs[first].meta.version);
  for (it.SeekToFirst(); it.Valid() && (limit == 0 || found < limit); it.Next()) {
    auto in = InAll(db, keys, recs, others, it.subkey());
    if (!in.ok()) return in.status();
    if (!*in) continue;
    ++found;
    if (out != nullptr) out->emplace_back(it.subkey());
  }
  BASALT_RETURN_IF_ERROR(it.status());
  return found;
}

Status Unite(const Db& db, const std::vector<std::string_view>& keys,
             const std::vector<KeyRecord>& recs, std::vector<std::string>* out) {
  std::set<std::string> all;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!recs[i].live()) continue;
    SubkeyIterator it(db, keys[i], recs[i].meta.version);
    for (it.SeekToFirst(); it.Valid(); it.Next()) all.emplace(it.subkey());
    BASALT_RETURN_IF_ERROR(it.status());
  }
  out->assign(std::make_move_iterator(all.begin()), std::make_move_iterator(all.end()));
  return Status::OK();
}

// Members of the first set that are in none of the others.
Status Subtract(const Db& db, const std::vector<std::string_view>& keys,
                const std::vector<KeyRecord>& recs, std::vector<std::string>* out) {
  if (!recs[0].live()) return Status::OK();
  std::vector<size_t> others;
  for (size_t i = 1; i < keys.size(); ++i) {
    if (recs[i].live()) others.push_back(i);
  }
  SubkeyIterator it(db, keys[0], recs[0].meta.version);
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    bool in_any = false;
    for (size_t i : others) {
      auto in = HasMember(db, keys[i], recs[i].meta.version, it.subkey());
      if (!in.ok()) return in.status();
      if (*in) {
        in_any = true;
        break;
      }
    }
    if (!in_any) out->emplace_back(it.subkey());
  }
  return it.status();
}

// Redis's string2ll acceptance: the canonical decimal form of an int64.
bool IsCanonicalInt64(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return false;
  return std::to_string(v) == s;
}

}  // namespace

StatusOr<int64_t> SetAdd(const Db& db, std::string_view key,
                         const std::vector<std::string_view>& members) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupSet(db, key, &rec));
  codec::Metadata meta = CollectionMetaForWrite(db.engine, rec, KeyType::kSet);
  Batch batch(db.engine);
  CollectionWriter writer(&batch, db, key, meta);
  int64_t added = 0;
  for (std::string_view m : Distinct(members)) {
    if (rec.live()) {
      auto in = HasMember(db, key, meta.version, m);
      if (!in.ok()) return in.status();
      if (*in) continue;
    }
    db.engine->set_hints().Widen(db.physical, key, meta.version, m);  // before the write
    writer.Put(m, "");
    ++added;
  }
  if (added == 0) return int64_t{0};
  meta.size += static_cast<uint64_t>(added);
  writer.Finish(rec, meta);
  BASALT_RETURN_IF_ERROR(batch.Commit());
  return added;
}

StatusOr<int64_t> SetRemove(const Db& db, std::string_view key,
                            const std::vector<std::string_view>& members) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupSet(db, key, &rec));
  if (!rec.live()) return int64_t{0};
  codec::Metadata meta = rec.meta;
  Batch batch(db.engine);
  CollectionWriter writer(&batch, db, key, meta);
  int64_t removed = 0;
  for (std::string_view m : Distinct(members)) {
    auto in = HasMember(db, key, meta.version, m);
    if (!in.ok()) return in.status();
    if (!*in) continue;
    writer.Delete(m);
    ++removed;
  }
  if (removed == 0) return int64_t{0};
  meta.size -= static_cast<uint64_t>(removed);
  writer.Finish(rec, meta);
  BASALT_RETURN_IF_ERROR(batch.Commit());
  return removed;
}

StatusOr<int64_t> SetCard(const Db& db, std::string_view key) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupSet(db, key, &rec));
  db.engine->CountRead(db, key, rec.live());
  return rec.live() ? static_cast<int64_t>(rec.meta.size) : 0;
}

StatusOr<std::vector<bool>> SetIsMember(const Db& db, std::string_view key,
                                        const std::vector<std::string_view>& members) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupSet(db, key, &rec));
  db.engine->CountRead(db, key, rec.live());
  std::vector<bool> out(members.size(), false);
  if (!rec.live()) return out;
  for (size_t i = 0; i < members.size(); ++i) {
    auto in = HasMember(db, key, rec.meta.version, members[i]);
    if (!in.ok()) return in.status();
    out[i] = *in;
  }
  return out;
}

StatusOr<std::vector<std::string>> SetMembers(const Db& db, std::string_view key) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupSet(db, key, &rec));
  db.engine->CountRead(db, key, rec.live());
  std::vector<std::string> out;
  if (rec.live()) BASALT_RETURN_IF_ERROR(ReadMembers(db, key, rec, &out));
  return out;
}

StatusOr<std::vector<std::string>> SetRandomMembers(const Db& db, std::string_view key,
                                                    int64_t count) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupSet(db, key, &rec));
  db.engine->CountRead(db, key, rec.live());
  std::vector<std::string> out;
  if (!rec.live() || count == 0) return out;
  if (count > 0) {
    // A read holds no key lock, so it only uses the ends SPOP remembered.
    BASALT_RETURN_IF_ERROR(
        DrawDistinct(db, key, rec, static_cast<uint64_t>(count), /*remember=*/false, &out));
    return out;
  }
  // -INT64_MAX <= count < 0 (the command layer rejects INT64_MIN, as Redis does).
  const uint64_t n = static_cast<uint64_t>(-count);
  if (n > kMaxRandomDraw) return Status(Code::kOutOfRange, "");
  if (Sampled(rec.meta.size, n)) {
    auto done = SampleMembers(db, key, rec, n, /*distinct=*/false, /*remember=*/false, &out);
    if (!done.ok()) return done.status();
    if (*done) return out;
  }
  BASALT_RETURN_IF_ERROR(
      MembersAt(db, key, rec.meta.version, RepeatedIndexes(rec.meta.size, n), &out));
  std::shuffle(out.begin(), out.end(), Rng());
  return out;
}

StatusOr<std::vector<std::string>> SetPop(const Db& db, std::string_view key, uint64_t count) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupSet(db, key, &rec));
  std::vector<std::string> out;
  if (!rec.live() || count == 0) return out;
  BASALT_RETURN_IF_ERROR(DrawDistinct(db, key, rec, count, /*remember=*/true, &out));
  codec::Metadata meta = rec.meta;
  Batch batch(db.engine);
  CollectionWriter writer(&batch, db, key, meta);
  for (const std::string& m : out) writer.Delete(m);
  meta.size -= out.size();
  writer.Finish(rec, meta);
  BASALT_RETURN_IF_ERROR(batch.Commit());
  return out;
}

StatusOr<bool> SetMove(const Db& db, std::string_view src, std::string_view dst,
                       std::string_view member) {
  KeyRecord from, to;
  BASALT_RETURN_IF_ERROR(db.engine->Lookup(db, src, &from));
  BASALT_RETURN_IF_ERROR(db.engine->Lookup(db, dst, &to));
  if (!from.live()) return false;
  if (from.meta.type != KeyType::kSet || (to.live() && to.meta.type != KeyType::kSet)) {
    return Status::WrongType();
  }
  auto in_src = HasMember(db, src, from.meta.version, member);
  if (!in_src.ok() || !*in_src || src == dst) return in_src;
  Batch batch(db.engine);
  codec::Metadata src_meta = from.meta;
  CollectionWriter src_writer(&batch, db, src, src_meta);
  src_writer.Delete(member);
  src_meta.size -= 1;
  src_writer.Finish(from, src_meta);
  codec::Metadata dst_meta = CollectionMetaForWrite(db.engine, to, KeyType::kSet);
  bool in_dst = false;
  if (to.live()) {
    auto in = HasMember(db, dst, dst_meta.version, member);
    if (!in.ok()) return in.status();
    in_dst = *in;
  }
  if (!in_dst) {
    CollectionWriter dst_writer(&batch, db, dst, dst_meta);
    db.engine->set_hints().Widen(db.physical, dst, dst_meta.version, member);  // before the write
    dst_writer.Put(member, "");
    dst_meta.size += 1;
    dst_writer.Finish(to, dst_meta);
  }
  BASALT_RETURN_IF_ERROR(batch.Commit());
  return true;
}

StatusOr<std::vector<std::string>> SetCombine(const Db& db, SetOp op,
                                              const std::vector<std::string_view>& keys) {
  std::vector<KeyRecord> recs;
  BASALT_RETURN_IF_ERROR(LookupSources(db, keys, &recs));
  std::vector<std::string> out;
  switch (op) {
    case SetOp::kInter: {
      auto n = Intersect(db, keys, recs, 0, &out);
      if (!n.ok()) return n.status();
      break;
    }
    case SetOp::kUnion:
      BASALT_RETURN_IF_ERROR(Unite(db, keys, recs, &out));
      break;
    case SetOp::kDiff:
      BASALT_RETURN_IF_ERROR(Subtract(db, keys, recs, &out));
      break;
  }
  return out;
}

StatusOr<int64_t> SetInterCard(const Db& db, const std::vector<std::string_view>& keys,
                               uint64_t limit) {
  std::vector<KeyRecord> recs;
  BASALT_RETURN_IF_ERROR(LookupSources(db, keys, &recs));
  auto n = Intersect(db, keys, recs, limit, nullptr);
  if (!n.ok()) return n.status();
  return static_cast<int64_t>(*n);
}

StatusOr<int64_t> SetStore(const Db& db, SetOp op, std::string_view dst,
                           const std::vector<std::string_view>& keys) {
  auto result = SetCombine(db, op, keys);
  if (!result.ok()) return result.status();
  KeyRecord old;
  BASALT_RETURN_IF_ERROR(db.engine->Lookup(db, dst, &old));
  codec::Metadata meta = NewCollectionMeta(db.engine, KeyType::kSet);
  meta.size = result->size();
  if (meta.size == 0 && !old.present) return int64_t{0};
  Batch batch(db.engine);
  CollectionWriter writer(&batch, db, dst, meta);
  for (const std::string& m : *result) writer.Put(m, "");
  writer.Finish(old, meta);
  BASALT_RETURN_IF_ERROR(batch.Commit());
  return static_cast<int64_t>(meta.size);
}

StatusOr<SetScanPage> SetScan(const Db& db, std::string_view key,
                              const std::optional<std::string>& after, std::string_view match,
                              size_t count) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupSet(db, key, &rec));
  SetScanPage page;
  if (!rec.live()) return page;
  BASALT_RETURN_IF_ERROR(ScanSubkeys(
      db, key, rec.meta.version, after, match, count,
      [&](std::string_view member, std::string_view) {
        page.members.emplace_back(member);
        return Status::OK();
      },
      &page.resume_after));
  return page;
}

StatusOr<std::string> SetObjectEncoding(const Db& db, std::string_view key,
                                        int64_t max_intset_entries) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupSet(db, key, &rec));
  if (!rec.live()) return Status::NotFound();
  const std::string kHashtable = "hashtable";
  if (max_intset_entries < 0 || rec.meta.size > static_cast<uint64_t>(max_intset_entries)) {
    return kHashtable;
  }
  SubkeyIterator it(db, key, rec.meta.version);
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    if (!IsCanonicalInt64(it.subkey())) return kHashtable;
  }
  BASALT_RETURN_IF_ERROR(it.status());
  return std::string("intset");
}

}  // namespace basalt::engine
