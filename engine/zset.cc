#include "engine/zset.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "codec/glob.h"
#include "codec/sortable_double.h"
#include "engine/collection.h"
#include "engine/end_hints.h"
#include "engine/set.h"

namespace basalt::engine {

namespace {

using codec::KeyType;

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

Status LookupZSet(const Db& db, std::string_view key, KeyRecord* rec) {
  return LookupCollection(db, key, KeyType::kZSet, rec);
}

rocksdb::ColumnFamilyHandle* ScoreCf(const Db& db) { return db.engine->storage().zscore(); }

// score key subkey := score:8B sortable | member
std::string ScoreSubkey(double score, std::string_view member) {
  std::string k = codec::EncodeSortableDouble(score);
  k.append(member);
  return k;
}

Status DecodeScoreSubkey(std::string_view subkey, ScoredMember* out) {
  if (!codec::DecodeSortableDouble(subkey, &out->score)) {
    return Status::Corruption("short zset score key");
  }
  out->member.assign(subkey.substr(codec::kSortableDoubleSize));
  return Status::OK();
}

// The score of `member` in version `version`, nullopt when absent.
StatusOr<std::optional<double>> MemberScore(const Db& db, std::string_view key, uint64_t version,
                                            std::string_view member) {
  std::string value;
  Status s = GetSubkey(db, key, version, member, &value);
  if (s.IsNotFound()) return std::optional<double>();
  if (!s.ok()) return s;
  double score = 0;
  if (!codec::DecodeSortableDouble(value, &score)) return Status::Corruption("bad zset score");
  return std::optional<double>(score);
}

// Writes to both column families of one sorted-set version. Finish writes the metadata once.
// Every score entry added to an existing version goes through Put, which widens the pop hints
// (end_hints.h) before writing, so a hint never excludes a live entry.
class ZWriter {
 public:
  ZWriter(Batch* batch, const Db& db, std::string_view key, const codec::Metadata& meta)
      : db_(db),
        key_(key),
        version_(meta.version),
        data_(batch, db, key, meta),
        scores_(batch, db, key, meta, ScoreCf(db)) {}
  void Put(std::string_view member, double score) {
    std::string subkey = ScoreSubkey(score, member);
    db_.engine->zset_hints().Widen(db_.physical, key_, version_, subkey);
    data_.Put(member, codec::EncodeSortableDouble(score));
    scores_.Put(subkey, "");
  }
  void Delete(std::string_view member, double score) {
    data_.Delete(member);
    scores_.Delete(ScoreSubkey(score, member));
  }
  void Finish(const KeyRecord& old, const codec::Metadata& meta) { data_.Finish(old, meta); }

 private:
  Db db_;
  std::string_view key_;
  uint64_t version_;
  CollectionWriter data_;
  CollectionWriter scores_;
};

std::vector<std::string_view> Distinct(const std::vector<std::string_view>& members) {
  std::set<std::string_view> seen;
  std::vector<std::string_view> out;
  for (std::string_view m : members) {
    if (seen.insert(m).second) out.push_back(m);
  }
  return out;
}

// Applies one ZADD pair to a member whose current score is `current` (nullopt: absent).
// Returns the score to write, or nullopt when nothing changes. Sets *nop when refused.
StatusOr<std::optional<double>> Resolve(const ZAddOptions& o, std::optional<double> current,
                                        double score, bool* nop) {
  *nop = false;
  if (!current.has_value()) {
    if (o.xx) *nop = true;
    return *nop ? std::optional<double>() : std::optional<double>(score);
  }
  if (o.nx) {
    *nop = true;
    return std::optional<double>();
  }
  double next = o.incr ? *current + score : score;
  if (std::isnan(next)) return Status(Code::kScoreNaN, "");
  if ((o.lt && next >= *current) || (o.gt && next <= *current)) {
    *nop = true;
    return std::optional<double>();
  }
  if (next == *current) return std::optional<double>();
  return std::optional<double>(next);
}

// --- range selection -------------------------------------------------------------------------

bool GteMin(const LexBound& b, std::string_view m) {
  if (b.kind == LexBound::Kind::kNegInf) return true;
  if (b.kind == LexBound::Kind::kPosInf) return false;
  return b.exclusive ? m > b.value : m >= b.value;
}

bool LteMax(const LexBound& b, std::string_view m) {
  if (b.kind == LexBound::Kind::kPosInf) return true;
  if (b.kind == LexBound::Kind::kNegInf) return false;
  return b.exclusive ? m < b.value : m <= b.value;
}

bool AboveMin(const ScoreBound& b, double s) { return b.exclusive ? s > b.value : s >= b.value; }
bool BelowMax(const ScoreBound& b, double s) { return b.exclusive ? s < b.value : s <= b.value; }

void Step(SubkeyIterator& it, bool reverse) {
  if (reverse) {
    it.Prev();
  } else {
    it.Next();
  }
}

// Walks from the iterator's position: skips elements while `skip` holds, then collects
// elements while `take` holds, honouring LIMIT's offset and count.
template <typename Skip, typename Take>
Status Walk(SubkeyIterator& it, bool reverse, Skip skip, Take take, int64_t offset, int64_t limit,
            std::vector<ScoredMember>* out) {
  if (offset < 0) return Status::OK();
  ScoredMember e;
  for (; it.Valid(); Step(it, reverse)) {
    BASALT_RETURN_IF_ERROR(DecodeScoreSubkey(it.subkey(), &e));
    if (!skip(e)) break;
  }
  for (; it.Valid() && limit != 0; Step(it, reverse)) {
    BASALT_RETURN_IF_ERROR(DecodeScoreSubkey(it.subkey(), &e));
    if (!take(e)) break;
    if (offset > 0) {
      --offset;
      continue;
    }
    out->push_back(e);
    // Stop without stepping further: past the wanted elements may lie many tombstones.
    if (limit > 0 && --limit == 0) break;
  }
  return it.status();
}

// Positions `it` on the last element whose score is <= max.value.
void SeekLastAtMost(SubkeyIterator& it, double max) {
  if (max == std::numeric_limits<double>::infinity()) {
    it.SeekToLast();
    return;
  }
  it.Seek(
      codec::EncodeSortableDouble(std::nextafter(max, std::numeric_limits<double>::infinity())));
  if (it.Valid()) {
    it.Prev();
  } else {
    it.SeekToLast();
  }
}

Status SelectByScore(SubkeyIterator& it, const ZRangeSpec& s, std::vector<ScoredMember>* out) {
  if (!s.reverse) {
    it.Seek(codec::EncodeSortableDouble(s.min.value));
    return Walk(
        it, false, [&](const ScoredMember& e) { return !AboveMin(s.min, e.score); },
        [&](const ScoredMember& e) { return BelowMax(s.max, e.score); }, s.offset, s.limit, out);
  }
  SeekLastAtMost(it, s.max.value);
  return Walk(
      it, true, [&](const ScoredMember& e) { return !BelowMax(s.max, e.score); },
      [&](const ScoredMember& e) { return AboveMin(s.min, e.score); }, s.offset, s.limit, out);
}

Status SelectByLex(SubkeyIterator& it, const ZRangeSpec& s, std::vector<ScoredMember>* out) {
  if (!s.reverse) {
    it.SeekToFirst();
    return Walk(
        it, false, [&](const ScoredMember& e) { return !GteMin(s.lex_min, e.member); },
        [&](const ScoredMember& e) { return LteMax(s.lex_max, e.member); }, s.offset, s.limit, out);
  }
  it.SeekToLast();
  return Walk(
      it, true, [&](const ScoredMember& e) { return !LteMax(s.lex_max, e.member); },
      [&](const ScoredMember& e) { return GteMin(s.lex_min, e.member); }, s.offset, s.limit, out);
}

// Ranks [first, last] (ascending, already clamped to [0, size)) walked from the nearer end.
Status SelectRanks(SubkeyIterator& it, int64_t size, int64_t first, int64_t last,
                   std::vector<ScoredMember>* out) {
  const bool from_end = first > size - 1 - last;
  if (from_end) {
    it.SeekToLast();
  } else {
    it.SeekToFirst();
  }
  int64_t skip = from_end ? size - 1 - last : first;
  int64_t n = 0;
  auto skip_fn = [&](const ScoredMember&) { return n++ < skip; };
  BASALT_RETURN_IF_ERROR(Walk(
      it, from_end, skip_fn, [](const ScoredMember&) { return true; }, 0, last - first + 1, out));
  if (from_end) std::reverse(out->begin(), out->end());
  if (static_cast<int64_t>(out->size()) != last - first + 1) {
    return Status::Corruption("zset size disagrees with its score index");
  }
  return Status::OK();
}

Status SelectByRank(SubkeyIterator& it, const ZRangeSpec& s, int64_t size,
                    std::vector<ScoredMember>* out) {
  int64_t start = s.start < 0 ? size + s.start : s.start;
  int64_t stop = s.stop < 0 ? size + s.stop : s.stop;
  if (start < 0) start = 0;
  if (start > stop || start >= size) return Status::OK();
  if (stop >= size) stop = size - 1;
  if (!s.reverse) return SelectRanks(it, size, start, stop, out);
  BASALT_RETURN_IF_ERROR(SelectRanks(it, size, size - 1 - stop, size - 1 - start, out));
  std::reverse(out->begin(), out->end());
  return Status::OK();
}

Status Select(const Db& db, std::string_view key, const KeyRecord& rec, const ZRangeSpec& spec,
              std::vector<ScoredMember>* out) {
  if (!rec.live()) return Status::OK();
  SubkeyIterator it(db, key, rec.meta.version, ScoreCf(db));
  switch (spec.kind) {
    case ZRangeSpec::Kind::kRank:
      return SelectByRank(it, spec, static_cast<int64_t>(rec.meta.size), out);
    case ZRangeSpec::Kind::kScore:
      return SelectByScore(it, spec, out);
    case ZRangeSpec::Kind::kLex:
      return SelectByLex(it, spec, out);
  }
  return Status::OK();
}

// Collects up to `n` lowest (max: highest) elements of a version into `out`, in pop order,
// starting at the pop hint `hint` when there is one (end_hints.h), and sets *last to the raw
// score subkey of the last one. Never steps past the last element wanted: beyond it may lie
// the tombstones of many earlier pops from the other end.
Status CollectEnd(const Db& db, std::string_view key, uint64_t version, bool max, uint64_t n,
                  const std::optional<std::string>& hint, std::vector<ScoredMember>* out,
                  std::string* last) {
  SubkeyIterator it(db, key, version, ScoreCf(db));
  if (hint.has_value() && max) {
    it.SeekForPrev(*hint);
  } else if (hint.has_value()) {
    it.Seek(*hint);
  } else if (max) {
    it.SeekToLast();
  } else {
    it.SeekToFirst();
  }
  for (; it.Valid(); Step(it, max)) {
    ScoredMember e;
    BASALT_RETURN_IF_ERROR(DecodeScoreSubkey(it.subkey(), &e));
    out->push_back(std::move(e));
    if (out->size() == n) {
      last->assign(it.subkey());
      break;
    }
  }
  return it.status();
}

// Removes `elements` (all present) from a live sorted set in one batch.
Status RemoveElements(const Db& db, std::string_view key, const KeyRecord& rec,
                      const std::vector<ScoredMember>& elements) {
  if (elements.empty()) return Status::OK();
  codec::Metadata meta = rec.meta;
  Batch batch(db.engine);
  ZWriter writer(&batch, db, key, meta);
  for (const ScoredMember& e : elements) writer.Delete(e.member, e.score);
  meta.size -= elements.size();
  writer.Finish(rec, meta);
  return batch.Commit();
}

// The elements at the sorted member-order positions `indexes` (repeats allowed).
Status ElementsAt(const Db& db, std::string_view key, uint64_t version,
                  const std::vector<uint64_t>& indexes, std::vector<ScoredMember>* out) {
  SubkeyIterator it(db, key, version);
  it.SeekToFirst();
  uint64_t pos = 0;
  for (uint64_t want : indexes) {
    for (; it.Valid() && pos < want; ++pos) it.Next();
    if (!it.Valid()) break;
    ScoredMember e;
    e.member.assign(it.subkey());
    if (!codec::DecodeSortableDouble(it.value(), &e.score)) {
      return Status::Corruption("bad zset score");
    }
    out->push_back(std::move(e));
  }
  BASALT_RETURN_IF_ERROR(it.status());
  if (out->size() != indexes.size()) return Status::Corruption("zset size disagrees");
  return Status::OK();
}

// --- algebra ---------------------------------------------------------------------------------

// One input of a set-algebra command: a sorted set, a plain set (members score 1) or nothing.
struct Source {
  std::string_view key;
  KeyRecord rec;
  double weight = 1;
  bool live() const { return rec.live(); }
  uint64_t size() const { return rec.live() ? rec.meta.size : 0; }
};

double Weighted(double score, double weight) {
  double v = score * weight;
  return std::isnan(v) ? 0 : v;
}

double Aggregate(ZAggregate a, double acc, double v) {
  switch (a) {
    case ZAggregate::kSum: {
      double sum = acc + v;
      return std::isnan(sum) ? 0 : sum;
    }
    case ZAggregate::kMin:
      return std::min(acc, v);
    case ZAggregate::kMax:
      return std::max(acc, v);
  }
  return acc;
}

Status LookupSources(const Db& db, const std::vector<std::string_view>& keys,
                     const std::vector<double>& weights, std::vector<Source>* out) {
  out->resize(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    Source& src = (*out)[i];
    src.key = keys[i];
    if (i < weights.size()) src.weight = weights[i];
    BASALT_RETURN_IF_ERROR(db.engine->Lookup(db, keys[i], &src.rec));
    if (src.live() && src.rec.meta.type != KeyType::kZSet && src.rec.meta.type != KeyType::kSet) {
      return Status::WrongType();
    }
  }
  return Status::OK();
}

// The raw (unweighted) score of `member` in a live source, nullopt when absent.
StatusOr<std::optional<double>> SourceScore(const Db& db, const Source& src,
                                            std::string_view member) {
  if (src.rec.meta.type == KeyType::kZSet) {
    return MemberScore(db, src.key, src.rec.meta.version, member);
  }
  std::string ignored;
  Status s = GetSubkey(db, src.key, src.rec.meta.version, member, &ignored);
  if (s.IsNotFound()) return std::optional<double>();
  if (!s.ok()) return s;
  return std::optional<double>(1.0);
}

// Calls fn(member, raw score) for every element of a live source, in member order.
template <typename Fn>
Status ForEachElement(const Db& db, const Source& src, Fn fn) {
  SubkeyIterator it(db, src.key, src.rec.meta.version);
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    double score = 1;
    if (src.rec.meta.type == KeyType::kZSet && !codec::DecodeSortableDouble(it.value(), &score)) {
      return Status::Corruption("bad zset score");
    }
    BASALT_RETURN_IF_ERROR(fn(it.subkey(), score));
  }
  return it.status();
}

Status Unite(const Db& db, const std::vector<Source>& srcs, ZAggregate agg,
             std::vector<ScoredMember>* out) {
  std::map<std::string, double, std::less<>> acc;
  for (const Source& src : srcs) {
    if (!src.live()) continue;
    BASALT_RETURN_IF_ERROR(ForEachElement(db, src, [&](std::string_view m, double raw) {
      const double v = Weighted(raw, src.weight);
      auto [it, inserted] = acc.try_emplace(std::string(m), v);
      if (!inserted) it->second = Aggregate(agg, it->second, v);
      return Status::OK();
    }));
  }
  for (auto& [m, score] : acc) out->push_back({m, score});
  return Status::OK();
}

// Walks the smallest source, keeps members present in all others; stops at `limit` (0 = none).
Status Intersect(const Db& db, const std::vector<Source>& srcs, ZAggregate agg, uint64_t limit,
                 std::vector<ScoredMember>* out) {
  for (const Source& src : srcs) {
    if (!src.live()) return Status::OK();
  }
  return ForEachElement(db, srcs[0], [&](std::string_view m, double raw) {
    if (limit != 0 && out->size() >= limit) return Status::OK();
    double score = Weighted(raw, srcs[0].weight);
    for (size_t i = 1; i < srcs.size(); ++i) {
      auto other = SourceScore(db, srcs[i], m);
      if (!other.ok()) return other.status();
      if (!other->has_value()) return Status::OK();
      score = Aggregate(agg, score, Weighted(**other, srcs[i].weight));
    }
    out->push_back({std::string(m), score});
    return Status::OK();
  });
}

Status Subtract(const Db& db, const std::vector<Source>& srcs, std::vector<ScoredMember>* out) {
  if (!srcs[0].live()) return Status::OK();
  return ForEachElement(db, srcs[0], [&](std::string_view m, double raw) {
    for (size_t i = 1; i < srcs.size(); ++i) {
      if (!srcs[i].live()) continue;
      auto other = SourceScore(db, srcs[i], m);
      if (!other.ok()) return other.status();
      if (other->has_value()) return Status::OK();
    }
    out->push_back({std::string(m), raw});
    return Status::OK();
  });
}

void SortByScore(std::vector<ScoredMember>* v) {
  std::sort(v->begin(), v->end(), [](const ScoredMember& a, const ScoredMember& b) {
    return a.score != b.score ? a.score < b.score : a.member < b.member;
  });
}

void SortBySize(std::vector<Source>* srcs) {
  std::stable_sort(srcs->begin(), srcs->end(),
                   [](const Source& a, const Source& b) { return a.size() < b.size(); });
}

// Replaces `dst` with `elements` (a fresh version; empty deletes it).
StatusOr<int64_t> StoreElements(const Db& db, std::string_view dst,
                                const std::vector<ScoredMember>& elements) {
  KeyRecord old;
  BASALT_RETURN_IF_ERROR(db.engine->Lookup(db, dst, &old));
  codec::Metadata meta = NewCollectionMeta(db.engine, KeyType::kZSet);
  meta.size = elements.size();
  if (meta.size == 0 && !old.present) return int64_t{0};
  Batch batch(db.engine);
  ZWriter writer(&batch, db, dst, meta);
  for (const ScoredMember& e : elements) writer.Put(e.member, e.score);
  writer.Finish(old, meta);
  BASALT_RETURN_IF_ERROR(batch.Commit());
  return static_cast<int64_t>(meta.size);
}

}  // namespace

StatusOr<ZAddResult> ZSetAdd(const Db& db, std::string_view key, const ZAddOptions& options,
                             const std::vector<ZAddPair>& pairs) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupZSet(db, key, &rec));
  codec::Metadata meta = CollectionMetaForWrite(db.engine, rec, KeyType::kZSet);
  // Later pairs for the same member see earlier ones, as in Redis. `stored` keeps each
  // member's score before this command, read once.
  std::map<std::string_view, std::optional<double>> pending;
  std::map<std::string_view, std::optional<double>> stored;
  ZAddResult result;
  int64_t added = 0, updated = 0;
  for (const ZAddPair& p : pairs) {
    auto found = pending.find(p.member);
    std::optional<double> current;
    if (found != pending.end()) {
      current = found->second;
    } else {
      if (rec.live()) {
        auto s = MemberScore(db, key, meta.version, p.member);
        if (!s.ok()) return s.status();
        current = *s;
      }
      stored[p.member] = current;
    }
    bool nop = false;
    auto next = Resolve(options, current, p.score, &nop);
    if (!next.ok()) return next.status();
    if (options.incr)
      result.score = nop ? std::nullopt : std::optional<double>(next->value_or(*current));
    if (!next->has_value()) {
      pending[p.member] = current;
      continue;
    }
    (current.has_value() ? updated : added) += 1;
    pending[p.member] = *next;
  }
  Batch batch(db.engine);
  ZWriter writer(&batch, db, key, meta);
  for (const auto& [member, score] : pending) {
    if (!score.has_value()) continue;
    const std::optional<double> old = stored.at(member);
    if (old == score) continue;
    if (old.has_value()) {
      writer.Delete(member, *old);
    } else {
      meta.size += 1;
    }
    writer.Put(member, *score);
  }
  result.changed = options.ch ? added + updated : added;
  if (batch.empty()) return result;
  writer.Finish(rec, meta);
  BASALT_RETURN_IF_ERROR(batch.Commit());
  return result;
}

StatusOr<int64_t> ZSetRemove(const Db& db, std::string_view key,
                             const std::vector<std::string_view>& members) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupZSet(db, key, &rec));
  if (!rec.live()) return int64_t{0};
  std::vector<ScoredMember> found;
  for (std::string_view m : Distinct(members)) {
    auto s = MemberScore(db, key, rec.meta.version, m);
    if (!s.ok()) return s.status();
    if (s->has_value()) found.push_back({std::string(m), **s});
  }
  BASALT_RETURN_IF_ERROR(RemoveElements(db, key, rec, found));
  return static_cast<int64_t>(found.size());
}

StatusOr<int64_t> ZSetCard(const Db& db, std::string_view key) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupZSet(db, key, &rec));
  db.engine->CountRead(db, key, rec.live());
  return rec.live() ? static_cast<int64_t>(rec.meta.size) : 0;
}

StatusOr<std::vector<std::optional<double>>> ZSetScores(
    const Db& db, std::string_view key, const std::vector<std::string_view>& members) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupZSet(db, key, &rec));
  db.engine->CountRead(db, key, rec.live());
  std::vector<std::optional<double>> out(members.size());
  if (!rec.live()) return out;
  for (size_t i = 0; i < members.size(); ++i) {
    auto s = MemberScore(db, key, rec.meta.version, members[i]);
    if (!s.ok()) return s.status();
    out[i] = *s;
  }
  return out;
}

StatusOr<std::optional<int64_t>> ZSetRank(const Db& db, std::string_view key,
                                          std::string_view member, bool reverse) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupZSet(db, key, &rec));
  db.engine->CountRead(db, key, rec.live());
  if (!rec.live()) return std::optional<int64_t>();
  auto score = MemberScore(db, key, rec.meta.version, member);
  if (!score.ok()) return score.status();
  if (!score->has_value()) return std::optional<int64_t>();
  // Walk from both ends at once; whichever meets the member first knows its rank.
  const std::string target = ScoreSubkey(**score, member);
  const int64_t size = static_cast<int64_t>(rec.meta.size);
  SubkeyIterator fwd(db, key, rec.meta.version, ScoreCf(db));
  SubkeyIterator bwd(db, key, rec.meta.version, ScoreCf(db));
  fwd.SeekToFirst();
  bwd.SeekToLast();
  for (int64_t i = 0; i < size && fwd.Valid() && bwd.Valid(); ++i, fwd.Next(), bwd.Prev()) {
    int64_t rank = -1;
    if (fwd.subkey() == target) rank = i;
    if (bwd.subkey() == target) rank = size - 1 - i;
    if (rank >= 0) return std::optional<int64_t>(reverse ? size - 1 - rank : rank);
  }
  BASALT_RETURN_IF_ERROR(fwd.status());
  BASALT_RETURN_IF_ERROR(bwd.status());
  return Status::Corruption("zset member missing from its score index");
}

StatusOr<std::vector<ScoredMember>> ZSetRange(const Db& db, std::string_view key,
                                              const ZRangeSpec& spec) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupZSet(db, key, &rec));
  db.engine->CountRead(db, key, rec.live());
  std::vector<ScoredMember> out;
  BASALT_RETURN_IF_ERROR(Select(db, key, rec, spec, &out));
  return out;
}

StatusOr<int64_t> ZSetCount(const Db& db, std::string_view key, const ZRangeSpec& spec) {
  auto r = ZSetRange(db, key, spec);
  if (!r.ok()) return r.status();
  return static_cast<int64_t>(r->size());
}

StatusOr<int64_t> ZSetRemoveRange(const Db& db, std::string_view key, const ZRangeSpec& spec) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupZSet(db, key, &rec));
  std::vector<ScoredMember> found;
  BASALT_RETURN_IF_ERROR(Select(db, key, rec, spec, &found));
  BASALT_RETURN_IF_ERROR(RemoveElements(db, key, rec, found));
  return static_cast<int64_t>(found.size());
}

StatusOr<int64_t> ZSetRangeStore(const Db& db, std::string_view dst, std::string_view src,
                                 const ZRangeSpec& spec) {
  auto r = ZSetRange(db, src, spec);
  if (!r.ok()) return r.status();
  return StoreElements(db, dst, *r);
}

Status ZSetCheckSources(const Db& db, const std::vector<std::string_view>& keys) {
  std::vector<Source> srcs;
  return LookupSources(db, keys, {}, &srcs);
}

StatusOr<std::vector<ScoredMember>> ZSetCombine(const Db& db, ZSetOp op,
                                                const std::vector<std::string_view>& keys,
                                                const std::vector<double>& weights,
                                                ZAggregate aggregate) {
  std::vector<Source> srcs;
  BASALT_RETURN_IF_ERROR(LookupSources(db, keys, weights, &srcs));
  std::vector<ScoredMember> out;
  if (op != ZSetOp::kDiff) SortBySize(&srcs);
  switch (op) {
    case ZSetOp::kUnion:
      BASALT_RETURN_IF_ERROR(Unite(db, srcs, aggregate, &out));
      break;
    case ZSetOp::kInter:
      BASALT_RETURN_IF_ERROR(Intersect(db, srcs, aggregate, 0, &out));
      break;
    case ZSetOp::kDiff:
      BASALT_RETURN_IF_ERROR(Subtract(db, srcs, &out));
      break;
  }
  SortByScore(&out);
  return out;
}

StatusOr<int64_t> ZSetCombineStore(const Db& db, ZSetOp op, std::string_view dst,
                                   const std::vector<std::string_view>& keys,
                                   const std::vector<double>& weights, ZAggregate aggregate) {
  auto r = ZSetCombine(db, op, keys, weights, aggregate);
  if (!r.ok()) return r.status();
  return StoreElements(db, dst, *r);
}

StatusOr<int64_t> ZSetInterCard(const Db& db, const std::vector<std::string_view>& keys,
                                uint64_t limit) {
  std::vector<Source> srcs;
  BASALT_RETURN_IF_ERROR(LookupSources(db, keys, {}, &srcs));
  SortBySize(&srcs);
  std::vector<ScoredMember> out;
  BASALT_RETURN_IF_ERROR(Intersect(db, srcs, ZAggregate::kSum, limit, &out));
  return static_cast<int64_t>(out.size());
}

StatusOr<std::vector<ScoredMember>> ZSetPop(const Db& db, std::string_view key, uint64_t count,
                                            bool max) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupZSet(db, key, &rec));
  std::vector<ScoredMember> out;
  if (!rec.live() || count == 0) return out;
  const uint64_t n = std::min<uint64_t>(count, rec.meta.size);
  const uint64_t version = rec.meta.version;
  const EndHints::End end = max ? EndHints::End::kMax : EndHints::End::kMin;
  EndHints& hints = db.engine->zset_hints();
  std::optional<std::string> hint = hints.Get(db.physical, key, version, end);
  std::string last;
  BASALT_RETURN_IF_ERROR(CollectEnd(db, key, version, max, n, hint, &out, &last));
  if (out.size() != n && hint.has_value()) {
    // The walk from the hint found too few elements, so the hint is wrong: never trust it.
    hints.Erase(db.physical, key, version);
    out.clear();
    BASALT_RETURN_IF_ERROR(CollectEnd(db, key, version, max, n, std::nullopt, &out, &last));
  }
  if (out.size() != n) return Status::Corruption("zset size disagrees with its score index");
  BASALT_RETURN_IF_ERROR(RemoveElements(db, key, rec, out));
  if (n == rec.meta.size) {
    hints.Erase(db.physical, key, version);  // the set is gone
  } else {
    // Every remaining entry lies beyond `last`; for kMin, last + '\0' is the least subkey above
    // it, so the next Seek lands on the first live entry without touching `last`'s tombstone.
    if (!max) last.push_back('\0');
    hints.Narrow(db.physical, key, version, end, std::move(last));
  }
  return out;
}

StatusOr<std::vector<ScoredMember>> ZSetRandomMembers(const Db& db, std::string_view key,
                                                      int64_t count) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupZSet(db, key, &rec));
  db.engine->CountRead(db, key, rec.live());
  std::vector<ScoredMember> out;
  if (!rec.live() || count == 0) return out;
  const uint64_t size = rec.meta.size;
  std::vector<uint64_t> indexes;
  if (count > 0) {
    const uint64_t n = std::min<uint64_t>(static_cast<uint64_t>(count), size);
    std::set<uint64_t> chosen;  // Floyd's algorithm: n distinct indexes
    for (uint64_t j = size - n; j < size; ++j) {
      uint64_t t = std::uniform_int_distribution<uint64_t>(0, j)(Rng());
      if (!chosen.insert(t).second) chosen.insert(j);
    }
    indexes.assign(chosen.begin(), chosen.end());
  } else {
    const uint64_t n = static_cast<uint64_t>(-(count + 1)) + 1;
    if (n > kMaxRandomDraw) return Status(Code::kOutOfRange, "");
    std::uniform_int_distribution<uint64_t> dist(0, size - 1);
    indexes.resize(n);
    for (uint64_t& i : indexes) i = dist(Rng());
    std::sort(indexes.begin(), indexes.end());
  }
  BASALT_RETURN_IF_ERROR(ElementsAt(db, key, rec.meta.version, indexes, &out));
  std::shuffle(out.begin(), out.end(), Rng());
  return out;
}

StatusOr<ZSetScanPage> ZSetScan(const Db& db, std::string_view key,
                                const std::optional<std::string>& after, std::string_view match,
                                size_t count) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupZSet(db, key, &rec));
  ZSetScanPage page;
  if (!rec.live()) return page;
  BASALT_RETURN_IF_ERROR(ScanSubkeys(
      db, key, rec.meta.version, after, match, count,
      [&](std::string_view member, std::string_view score) {
        ScoredMember e{std::string(member), 0};
        if (!codec::DecodeSortableDouble(score, &e.score)) {
          return Status::Corruption("bad zset score");
        }
        page.elements.push_back(std::move(e));
        return Status::OK();
      },
      &page.resume_after));
  return page;
}

}  // namespace basalt::engine
