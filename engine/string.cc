#include "engine/string.h"

#include <atomic>
#include <cmath>
#include <unordered_set>

#include "codec/numbers.h"

namespace basalt::engine {

namespace {

std::atomic<uint64_t> max_string_bytes{512ull << 20};

using codec::KeyType;

// Looks up `key` and fails with kWrongType if it holds a live non-string.
Status LookupString(const Db& db, std::string_view key, KeyRecord* rec) {
  BASALT_RETURN_IF_ERROR(db.engine->Lookup(db, key, rec));
  if (rec->live() && rec->meta.type != KeyType::kString) return Status::WrongType();
  return Status::OK();
}

// The TTL a rewrite of a string keeps (INCR, APPEND, SETRANGE keep it; SET clears it).
uint64_t KeptExpire(const KeyRecord& rec) { return rec.live() ? rec.meta.expire_at_ms : 0; }

// `raw`: the value was modified in place (see codec::kFlagRawString).
Status WriteString(const Db& db, std::string_view key, const KeyRecord& old, std::string_view value,
                   uint64_t expire_at_ms, bool raw = false) {
  Batch batch(db.engine);
  batch.PutKey(db, key, old, codec::EncodeStringMeta(expire_at_ms, value, raw), expire_at_ms);
  return batch.Commit();
}

Status DeleteString(const Db& db, std::string_view key, const KeyRecord& old) {
  Batch batch(db.engine);
  batch.DeleteKey(db, key, old);
  return batch.Commit();
}

std::optional<std::string> LiveValue(const KeyRecord& rec) {
  if (!rec.live()) return std::nullopt;
  return std::string(rec.meta.value);
}

uint64_t ExpireAfter(const ExpireChange& change, const KeyRecord& old) {
  switch (change.mode) {
    case ExpireChange::Mode::kClear:
      return 0;
    case ExpireChange::Mode::kKeep:
      return KeptExpire(old);
    case ExpireChange::Mode::kSetAt:
      return change.at_ms;
  }
  return 0;
}

}  // namespace

void SetMaxStringBytes(uint64_t bytes) { max_string_bytes.store(bytes); }
uint64_t MaxStringBytes() { return max_string_bytes.load(); }

StatusOr<std::optional<std::string>> StringGet(const Db& db, std::string_view key) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupString(db, key, &rec));
  db.engine->CountRead(db, key, rec.live());
  return LiveValue(rec);
}

StatusOr<SetResult> StringSet(const Db& db, std::string_view key, std::string_view value,
                              const SetOptions& options) {
  KeyRecord old;
  BASALT_RETURN_IF_ERROR(db.engine->Lookup(db, key, &old));
  SetResult result;
  if (options.get_old) {
    if (old.live() && old.meta.type != KeyType::kString) return Status::WrongType();
    result.old = LiveValue(old);
  }
  using Cond = SetOptions::Condition;
  if ((options.condition == Cond::kIfAbsent && old.live()) ||
      (options.condition == Cond::kIfPresent && !old.live())) {
    return result;
  }
  BASALT_RETURN_IF_ERROR(WriteString(db, key, old, value, ExpireAfter(options.expire, old)));
  result.written = true;
  return result;
}

StatusOr<std::optional<std::string>> StringGetDel(const Db& db, std::string_view key) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupString(db, key, &rec));
  if (!rec.live()) return std::optional<std::string>();
  std::optional<std::string> value = LiveValue(rec);
  BASALT_RETURN_IF_ERROR(DeleteString(db, key, rec));
  return value;
}

StatusOr<std::optional<std::string>> StringGetEx(const Db& db, std::string_view key,
                                                 const ExpireChange& change) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupString(db, key, &rec));
  if (!rec.live()) return std::optional<std::string>();
  std::optional<std::string> value = LiveValue(rec);
  uint64_t expire = ExpireAfter(change, rec);
  if (change.mode == ExpireChange::Mode::kSetAt && expire <= NowMs()) {
    BASALT_RETURN_IF_ERROR(DeleteString(db, key, rec));
  } else if (expire != rec.meta.expire_at_ms) {
    BASALT_RETURN_IF_ERROR(
        WriteString(db, key, rec, rec.meta.value, expire, rec.meta.flags & codec::kFlagRawString));
  }
  return value;
}

StatusOr<std::vector<std::optional<std::string>>> StringMGet(
    const Db& db, const std::vector<std::string_view>& keys) {
  std::vector<std::optional<std::string>> out;
  out.reserve(keys.size());
  db.engine->Prefetch(db, keys.data(), keys.size());
  for (std::string_view key : keys) {
    KeyRecord rec;
    BASALT_RETURN_IF_ERROR(db.engine->Lookup(db, key, &rec));
    db.engine->CountRead(db, key, rec.live());
    if (rec.live() && rec.meta.type == KeyType::kString) {
      out.emplace_back(std::string(rec.meta.value));
    } else {
      out.emplace_back(std::nullopt);
    }
  }
  return out;
}

StatusOr<bool> StringMSet(const Db& db,
                          const std::vector<std::pair<std::string_view, std::string_view>>& kvs,
                          bool if_none_exist) {
  // The last value given for a key wins, so walk backwards and skip keys already written.
  std::vector<std::pair<std::string_view, std::string_view>> unique;
  std::vector<std::string_view> keys;
  std::unordered_set<std::string_view> seen;
  for (auto it = kvs.rbegin(); it != kvs.rend(); ++it) {
    if (!seen.insert(it->first).second) continue;
    unique.push_back(*it);
    keys.push_back(it->first);
  }
  db.engine->Prefetch(db, keys.data(), keys.size());
  std::vector<KeyRecord> olds(unique.size());
  for (size_t i = 0; i < unique.size(); ++i) {
    BASALT_RETURN_IF_ERROR(db.engine->Lookup(db, unique[i].first, &olds[i]));
    if (if_none_exist && olds[i].live()) return false;
  }
  Batch batch(db.engine);
  for (size_t i = 0; i < unique.size(); ++i) {
    batch.PutKey(db, unique[i].first, olds[i], codec::EncodeStringMeta(0, unique[i].second), 0);
  }
  BASALT_RETURN_IF_ERROR(batch.Commit());
  return true;
}

StatusOr<int64_t> StringIncrBy(const Db& db, std::string_view key, int64_t delta) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupString(db, key, &rec));
  int64_t current = 0;
  if (rec.live() && !codec::ParseInt64(rec.meta.value, &current)) {
    return Status(Code::kNotInteger, "");
  }
  if ((delta < 0 && current < 0 && delta < INT64_MIN - current) ||
      (delta > 0 && current > 0 && delta > INT64_MAX - current)) {
    return Status(Code::kOverflow, "");
  }
  int64_t next = current + delta;
  BASALT_RETURN_IF_ERROR(WriteString(db, key, rec, codec::FormatInt64(next), KeptExpire(rec)));
  return next;
}

StatusOr<std::string> StringIncrByFloat(const Db& db, std::string_view key, long double delta) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupString(db, key, &rec));
  long double current = 0;
  if (rec.live() && !codec::ParseLongDouble(rec.meta.value, &current)) {
    return Status(Code::kNotFloat, "");
  }
  long double next = current + delta;
  if (std::isnan(next) || std::isinf(next)) return Status(Code::kNanOrInfinity, "");
  std::string text = codec::FormatLongDoubleHuman(next);
  BASALT_RETURN_IF_ERROR(WriteString(db, key, rec, text, KeptExpire(rec)));
  return text;
}

StatusOr<int64_t> StringAppend(const Db& db, std::string_view key, std::string_view suffix) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupString(db, key, &rec));
  std::string value = rec.live() ? std::string(rec.meta.value) : std::string();
  if (value.size() + suffix.size() > MaxStringBytes()) return Status(Code::kTooLarge, "");
  value.append(suffix);
  BASALT_RETURN_IF_ERROR(WriteString(db, key, rec, value, KeptExpire(rec), rec.live()));
  return static_cast<int64_t>(value.size());
}

StatusOr<int64_t> StringLength(const Db& db, std::string_view key) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupString(db, key, &rec));
  db.engine->CountRead(db, key, rec.live());
  return rec.live() ? static_cast<int64_t>(rec.meta.value.size()) : 0;
}

StatusOr<std::string> StringGetRange(const Db& db, std::string_view key, int64_t start,
                                     int64_t end) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupString(db, key, &rec));
  db.engine->CountRead(db, key, rec.live());
  if (!rec.live()) return std::string();
  std::string_view v = rec.meta.value;
  const int64_t len = static_cast<int64_t>(v.size());
  if (start < 0 && end < 0 && start > end) return std::string();
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (len == 0 || start > end) return std::string();
  return std::string(v.substr(start, end - start + 1));
}

StatusOr<int64_t> StringSetRange(const Db& db, std::string_view key, int64_t offset,
                                 std::string_view value) {
  KeyRecord rec;
  BASALT_RETURN_IF_ERROR(LookupString(db, key, &rec));
  std::string current = rec.live() ? std::string(rec.meta.value) : std::string();
  if (value.empty()) return static_cast<int64_t>(current.size());
  if (static_cast<uint64_t>(offset) + value.size() > MaxStringBytes()) {
    return Status(Code::kTooLarge, "");
  }
  if (current.size() < offset + value.size()) current.resize(offset + value.size(), '\0');
  current.replace(offset, value.size(), value);
  BASALT_RETURN_IF_ERROR(WriteString(db, key, rec, current, KeptExpire(rec), true));
  return static_cast<int64_t>(current.size());
}

LcsResult ComputeLcs(std::string_view a, std::string_view b, bool want_matches,
                     int64_t min_match_len) {
  const size_t alen = a.size(), blen = b.size();
  // table[i][j] = LCS length of a[0..i) and b[0..j).
  std::vector<uint32_t> table((alen + 1) * (blen + 1), 0);
  auto at = [&](size_t i, size_t j) -> uint32_t& { return table[i * (blen + 1) + j]; };
  for (size_t i = 1; i <= alen; ++i) {
    for (size_t j = 1; j <= blen; ++j) {
      at(i, j) = a[i - 1] == b[j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));
    }
  }
  LcsResult result;
  size_t idx = at(alen, blen);
  result.sequence.assign(idx, '\0');
  // Walk back from the end, growing a contiguous run of matches and reporting it when it breaks.
  bool in_run = false;
  LcsMatch run{};
  auto emit = [&] {
    int64_t len = run.a_end - run.a_start + 1;
    if (want_matches && (min_match_len == 0 || len >= min_match_len)) result.matches.push_back(run);
    in_run = false;
  };
  size_t i = alen, j = blen;
  while (i > 0 && j > 0) {
    if (a[i - 1] == b[j - 1]) {
      result.sequence[--idx] = a[i - 1];
      int64_t ai = static_cast<int64_t>(i) - 1, bj = static_cast<int64_t>(j) - 1;
      if (in_run && run.a_start == ai + 1 && run.b_start == bj + 1) {
        run.a_start = ai;
        run.b_start = bj;
      } else {
        if (in_run) emit();
        run = LcsMatch{ai, ai, bj, bj};
        in_run = true;
      }
      --i;
      --j;
      if (run.a_start == 0 || run.b_start == 0) emit();
    } else {
      if (at(i - 1, j) > at(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      if (in_run) emit();
    }
  }
  return result;
}

}  // namespace basalt::engine
