// Glob matching with the exact semantics of Redis 7.0's stringmatchlen, including its quirks
// (each one observed on redis-server 7.0.15 and pinned in tests/unit/codec/glob_test.cc):
//
//  - An empty subject matches only the empty pattern; even "*" and "**" fail on it. (KEYS and
//    SCAN special-case a lone "*", so callers that want "everything" must do the same.)
//  - A '*' run is one star. A trailing star matches any non-empty rest, and once the subject is
//    used up any stars left in the pattern are skipped.
//  - '\x' matches x literally; a '\' that ends the pattern is a literal backslash.
//  - Inside '[...]': a leading '^' negates; "\x" is x, compared case-sensitively even in nocase
//    mode; "a-b" is a range whose ends may come in either order and whose upper end may even be
//    ']' ("[a-]" is the range ']'..'a'); other bytes are members. "[]" matches nothing, "[^]"
//    any byte. A class with no ']' runs to the end of the pattern ("[ab" acts as "[ab]").
//  - Range ends and bytes compare as signed char, as Redis does on x86-64 where it was
//    verified: "[a-\xff]" is the range -1..97, which holds 0x00..'a' and 0xff but not 0x80.
//  - nocase folds only ASCII letters ("C" locale tolower). In a range the ends are folded after
//    ordering, so nocase "[N-z]" is 'n'..'z' and does not contain 'm' or '_'.
//  - A pattern with more than kMaxStars separate stars that must be crossed to finish fails
//    (Redis's recursion-depth guard from CVE-2022-36021).
//
// Redis backtracks by recursion, with a flag that stops retrying earlier stars once a later
// one has failed everywhere. That flag makes only the most recent star worth retrying: a longer
// match for an earlier star could only start the later suffix further right, where it is
// already known to fail. So this matcher remembers just the latest star and resumes one byte
// later on a mismatch, which runs in O(pattern * subject) time with no recursion and no
// exponential blow-up on patterns like "a*a*a*a*b".
#include "codec/glob.h"

#include <cstddef>
#include <utility>

namespace basalt::codec {
namespace {

// Redis gives up past this many nested star recursions; crossing more stars is a non-match.
constexpr int kMaxStars = 1000;
constexpr size_t kNoStar = static_cast<size_t>(-1);

// tolower() in the "C" locale, on the signed-char value Redis compares.
int Fold(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

int SignedByte(char c) { return static_cast<signed char>(c); }

class GlobMatcher {
 public:
  GlobMatcher(std::string_view pattern, std::string_view str, bool nocase)
      : pattern_(pattern), str_(str), nocase_(nocase) {}

  bool Run();

 private:
  enum class Outcome { kMatch, kMismatch, kGiveUp };

  Outcome Scan();
  bool RetryLastStar();
  bool EnterStar();
  void SkipStars();
  bool MatchToken(size_t* p, char c) const;
  bool MatchClass(size_t* p, char c) const;
  bool InRange(char first, char last, char c) const;
  bool SameByte(char pattern_byte, char c) const;

  const std::string_view pattern_;
  const std::string_view str_;
  const bool nocase_;
  size_t p_ = 0;  // next pattern byte
  size_t s_ = 0;  // next subject byte
  // Where to resume after a mismatch: just past the latest star, and the subject position
  // that star's expansion currently ends at.
  size_t star_p_ = kNoStar;
  size_t star_s_ = 0;
  int stars_ = 0;
};

bool GlobMatcher::Run() {
  for (;;) {
    switch (Scan()) {
      case Outcome::kMatch:
        return true;
      case Outcome::kGiveUp:
        return false;
      case Outcome::kMismatch:
        if (!RetryLastStar()) return false;
        break;
    }
  }
}

// Matches forward from (p_, s_) until the pattern or subject runs out or a token fails.
GlobMatcher::Outcome GlobMatcher::Scan() {
  while (p_ < pattern_.size() && s_ < str_.size()) {
    if (pattern_[p_] == '*') {
      while (p_ + 1 < pattern_.size() && pattern_[p_ + 1] == '*') ++p_;
      if (p_ + 1 == pattern_.size()) return Outcome::kMatch;
      if (!EnterStar()) return Outcome::kGiveUp;
      continue;
    }
    if (!MatchToken(&p_, str_[s_])) return Outcome::kMismatch;
    ++p_;
    ++s_;
    if (s_ == str_.size()) SkipStars();
  }
  const bool done = p_ == pattern_.size() && s_ == str_.size();
  return done ? Outcome::kMatch : Outcome::kMismatch;
}

// Lets the latest star swallow one more byte. The star never takes the final byte: Redis
// retries the rest of the pattern only against non-empty remainders.
bool GlobMatcher::RetryLastStar() {
  if (star_p_ == kNoStar || ++star_s_ >= str_.size()) return false;
  p_ = star_p_;
  s_ = star_s_;
  return true;
}

// p_ is on the last star of a run that does not end the pattern. Makes the byte after it the
// new resume point; earlier stars are never retried (see the file comment). False once the
// star limit is passed.
bool GlobMatcher::EnterStar() {
  if (++stars_ > kMaxStars) return false;
  star_p_ = ++p_;
  star_s_ = s_;
  return true;
}

void GlobMatcher::SkipStars() {
  while (p_ < pattern_.size() && pattern_[p_] == '*') ++p_;
}

// Matches the non-star token at *p against one subject byte, leaving *p on the token's last
// pattern byte.
bool GlobMatcher::MatchToken(size_t* p, char c) const {
  switch (pattern_[*p]) {
    case '?':
      return true;
    case '[':
      return MatchClass(p, c);
    case '\\':
      if (*p + 1 < pattern_.size()) ++*p;
      return SameByte(pattern_[*p], c);
    default:
      return SameByte(pattern_[*p], c);
  }
}

// *p is on '['. Leaves *p on the closing ']' or, for an unterminated class, on the pattern's
// last byte. The test order matters and mirrors Redis: escape, close, end, range, member.
bool GlobMatcher::MatchClass(size_t* p, char c) const {
  const size_t n = pattern_.size();
  size_t i = *p + 1;
  const bool negate = i < n && pattern_[i] == '^';
  if (negate) ++i;
  bool hit = false;
  for (;; ++i) {
    if (i + 1 < n && pattern_[i] == '\\') {
      ++i;
      hit |= pattern_[i] == c;
    } else if (i < n && pattern_[i] == ']') {
      break;
    } else if (i >= n) {
      i = n - 1;
      break;
    } else if (i + 2 < n && pattern_[i + 1] == '-') {
      hit |= InRange(pattern_[i], pattern_[i + 2], c);
      i += 2;
    } else {
      hit |= SameByte(pattern_[i], c);
    }
  }
  *p = i;
  return hit != negate;
}

bool GlobMatcher::InRange(char first, char last, char c) const {
  int lo = SignedByte(first);
  int hi = SignedByte(last);
  int v = SignedByte(c);
  if (lo > hi) std::swap(lo, hi);
  if (nocase_) {
    lo = Fold(lo);
    hi = Fold(hi);
    v = Fold(v);
  }
  return lo <= v && v <= hi;
}

bool GlobMatcher::SameByte(char pattern_byte, char c) const {
  if (!nocase_) return pattern_byte == c;
  return Fold(SignedByte(pattern_byte)) == Fold(SignedByte(c));
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase) {
  return GlobMatcher(pattern, str, nocase).Run();
}

}  // namespace basalt::codec
