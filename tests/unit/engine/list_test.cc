// List type: push/pop order at both ends, the layout invariant (size == tail - head == live
// subkeys, indexes contiguous from head) after every mutation, middle edits (LSET, LINSERT,
// LREM, LTRIM), moves, deletion of emptied lists, a random sequence against a model and
// persistence across a reopen.
#include "engine/list.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "codec/key_format.h"
#include "engine/collection.h"
#include "engine/string.h"
#include "engine_fixture.h"

namespace basalt::engine {
namespace {

using Elems = std::vector<std::string>;
using Views = std::vector<std::string_view>;

class ListTest : public EngineTest {
 protected:
  // Checks the layout invariant and returns the element count (0 for a missing key).
  uint64_t CheckedSize(std::string_view key) {
    KeyRecord rec;
    EXPECT_TRUE(engine_->Lookup(db(), key, &rec).ok());
    if (!rec.live()) return 0;
    EXPECT_EQ(rec.meta.type, codec::KeyType::kList);
    EXPECT_EQ(rec.meta.size, rec.meta.tail - rec.meta.head) << key;
    uint64_t n = 0;
    SubkeyIterator it(db(), key, rec.meta.version);
    for (it.SeekToFirst(); it.Valid(); it.Next(), ++n) {
      EXPECT_EQ(it.subkey().size(), 8u);
      EXPECT_EQ(codec::DecodeFixed64BE(it.subkey().data()), rec.meta.head + n) << key;
    }
    EXPECT_TRUE(it.status().ok());
    EXPECT_EQ(rec.meta.size, n) << "metadata size disagrees with subkeys of " << key;
    EXPECT_GT(n, 0u) << "an empty list must be deleted";
    return n;
  }
  Elems All(std::string_view key) {
    CheckedSize(key);
    auto r = ListRange(db(), key, 0, -1);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Elems{};
  }
  int64_t Push(std::string_view key, ListEnd end, Views elements) {
    auto r = ListPush(db(), key, end, elements, false);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    CheckedSize(key);
    return r.ok() ? *r : -1;
  }
  Elems Pop(std::string_view key, ListEnd end, uint64_t count) {
    auto r = ListPop(db(), key, end, count);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    CheckedSize(key);
    return r.ok() && r->has_value() ? **r : Elems{};
  }
  bool Exists(std::string_view key) {
    KeyRecord rec;
    EXPECT_TRUE(engine_->Lookup(db(), key, &rec).ok());
    return rec.live();
  }
};

TEST_F(ListTest, PushOrderAtBothEnds) {
  EXPECT_EQ(Push("l", ListEnd::kRight, {"a", "b"}), 2);
  EXPECT_EQ(Push("l", ListEnd::kLeft, {"x", "y"}), 4);
  EXPECT_EQ(All("l"), (Elems{"y", "x", "a", "b"}));
  EXPECT_EQ(*ListLen(db(), "l"), 4);
  EXPECT_EQ(*ListLen(db(), "missing"), 0);
}

TEST_F(ListTest, PushXNeedsAnExistingList) {
  auto r = ListPush(db(), "l", ListEnd::kLeft, {"a"}, true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 0);
  EXPECT_FALSE(Exists("l"));
  Push("l", ListEnd::kRight, {"m"});
  r = ListPush(db(), "l", ListEnd::kRight, {"n"}, true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 2);
}

TEST_F(ListTest, PopCountsAndDeletesEmptied) {
  Push("l", ListEnd::kRight, {"a", "b", "c", "d"});
  EXPECT_EQ(Pop("l", ListEnd::kLeft, 1), (Elems{"a"}));
  EXPECT_EQ(Pop("l", ListEnd::kRight, 2), (Elems{"d", "c"}));
  auto zero = ListPop(db(), "l", ListEnd::kLeft, 0);
  ASSERT_TRUE(zero.ok());
  ASSERT_TRUE(zero->has_value());
  EXPECT_TRUE((*zero)->empty());
  EXPECT_EQ(Pop("l", ListEnd::kRight, 10), (Elems{"b"}));
  EXPECT_FALSE(Exists("l"));
  EXPECT_EQ(engine_->KeyCount(db()), 0);
  auto missing = ListPop(db(), "l", ListEnd::kLeft, 1);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  // A new list under the same name starts empty.
  Push("l", ListEnd::kLeft, {"z"});
  EXPECT_EQ(All("l"), (Elems{"z"}));
}

TEST_F(ListTest, IndexAndRange) {
  Push("l", ListEnd::kRight, {"a", "b", "c"});
  EXPECT_EQ(**ListIndex(db(), "l", 0), "a");
  EXPECT_EQ(**ListIndex(db(), "l", -1), "c");
  EXPECT_FALSE(ListIndex(db(), "l", 3)->has_value());
  EXPECT_FALSE(ListIndex(db(), "l", -4)->has_value());
  EXPECT_FALSE(ListIndex(db(), "missing", 0)->has_value());
  EXPECT_EQ(*ListRange(db(), "l", -2, 100), (Elems{"b", "c"}));
  EXPECT_EQ(*ListRange(db(), "l", 2, 1), Elems{});
  EXPECT_EQ(*ListRange(db(), "l", 5, 9), Elems{});
}

TEST_F(ListTest, SetErrors) {
  EXPECT_EQ(ListSet(db(), "l", 0, "x").code(), Code::kNotFound);
  Push("l", ListEnd::kRight, {"a", "b"});
  EXPECT_EQ(ListSet(db(), "l", 2, "x").code(), Code::kOutOfRange);
  ASSERT_TRUE(ListSet(db(), "l", -1, "B").ok());
  EXPECT_EQ(All("l"), (Elems{"a", "B"}));
}

TEST_F(ListTest, TrimKeepsRangeOrDeletes) {
  Push("l", ListEnd::kRight, {"a", "b", "c", "d", "e"});
  ASSERT_TRUE(ListTrim(db(), "l", 1, -2).ok());
  EXPECT_EQ(All("l"), (Elems{"b", "c", "d"}));
  Push("l", ListEnd::kLeft, {"x"});
  Push("l", ListEnd::kRight, {"y"});
  EXPECT_EQ(All("l"), (Elems{"x", "b", "c", "d", "y"}));
  ASSERT_TRUE(ListTrim(db(), "l", 3, 2).ok());
  EXPECT_FALSE(Exists("l"));
}

TEST_F(ListTest, InsertShiftsTheShorterSide) {
  Push("l", ListEnd::kRight, {"a", "b", "c", "d", "e"});
  EXPECT_EQ(*ListInsert(db(), "l", true, "b", "1"), 6);   // near the head
  EXPECT_EQ(*ListInsert(db(), "l", false, "d", "2"), 7);  // near the tail
  EXPECT_EQ(*ListInsert(db(), "l", true, "a", "0"), 8);
  EXPECT_EQ(*ListInsert(db(), "l", false, "e", "9"), 9);
  EXPECT_EQ(All("l"), (Elems{"0", "a", "1", "b", "c", "d", "2", "e", "9"}));
  EXPECT_EQ(*ListInsert(db(), "l", true, "zz", "q"), -1);
  EXPECT_EQ(*ListInsert(db(), "missing", true, "a", "q"), 0);
  EXPECT_FALSE(Exists("missing"));
}

TEST_F(ListTest, RemoveFromEitherEnd) {
  Push("l", ListEnd::kRight, {"x", "a", "x", "b", "x", "c", "x"});
  EXPECT_EQ(*ListRemove(db(), "l", 1, "x"), 1);
  EXPECT_EQ(All("l"), (Elems{"a", "x", "b", "x", "c", "x"}));
  EXPECT_EQ(*ListRemove(db(), "l", -2, "x"), 2);
  EXPECT_EQ(All("l"), (Elems{"a", "x", "b", "c"}));
  EXPECT_EQ(*ListRemove(db(), "l", 0, "zz"), 0);
  EXPECT_EQ(*ListRemove(db(), "l", 0, "x"), 1);
  EXPECT_EQ(All("l"), (Elems{"a", "b", "c"}));
  Push("l", ListEnd::kLeft, {"h"});
  EXPECT_EQ(All("l"), (Elems{"h", "a", "b", "c"}));
  for (const char* e : {"h", "a", "b", "c"}) ASSERT_TRUE(ListRemove(db(), "l", 0, e).ok());
  EXPECT_FALSE(Exists("l"));
}

TEST_F(ListTest, PosRankCountMaxlen) {
  Push("l", ListEnd::kRight, {"a", "b", "a", "c", "a"});
  EXPECT_EQ(*ListPos(db(), "l", "a", 1, 0, 0), (std::vector<int64_t>{0, 2, 4}));
  EXPECT_EQ(*ListPos(db(), "l", "a", -1, 2, 0), (std::vector<int64_t>{4, 2}));
  EXPECT_EQ(*ListPos(db(), "l", "a", 2, 1, 0), (std::vector<int64_t>{2}));
  EXPECT_EQ(*ListPos(db(), "l", "a", 1, 0, 3), (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(*ListPos(db(), "l", "a", INT64_MIN, 1, 0), (std::vector<int64_t>{4}));
  EXPECT_TRUE(ListPos(db(), "missing", "a", 1, 0, 0)->empty());
}

TEST_F(ListTest, MoveBetweenAndWithinLists) {
  Push("src", ListEnd::kRight, {"a", "b"});
  EXPECT_EQ(**ListMove(db(), "src", "dst", ListEnd::kLeft, ListEnd::kRight), "a");
  EXPECT_EQ(**ListMove(db(), "src", "dst", ListEnd::kRight, ListEnd::kLeft), "b");
  EXPECT_FALSE(Exists("src"));
  EXPECT_EQ(All("dst"), (Elems{"b", "a"}));
  EXPECT_FALSE(ListMove(db(), "src", "dst", ListEnd::kLeft, ListEnd::kLeft)->has_value());
  EXPECT_EQ(**ListMove(db(), "dst", "dst", ListEnd::kLeft, ListEnd::kRight), "b");
  EXPECT_EQ(All("dst"), (Elems{"a", "b"}));
  EXPECT_EQ(**ListMove(db(), "dst", "dst", ListEnd::kLeft, ListEnd::kLeft), "a");
  EXPECT_EQ(All("dst"), (Elems{"a", "b"}));
}

TEST_F(ListTest, WrongType) {
  ASSERT_TRUE(StringSet(db(), "str", "v", {}).ok());
  EXPECT_EQ(ListPush(db(), "str", ListEnd::kLeft, {"a"}, false).status().code(), Code::kWrongType);
  EXPECT_EQ(ListLen(db(), "str").status().code(), Code::kWrongType);
  EXPECT_EQ(ListSet(db(), "str", 0, "x").code(), Code::kWrongType);
  // A missing source answers nil before the destination's type matters.
  EXPECT_FALSE(ListMove(db(), "missing", "str", ListEnd::kLeft, ListEnd::kLeft)->has_value());
  Push("l", ListEnd::kRight, {"a"});
  EXPECT_EQ(ListMove(db(), "l", "str", ListEnd::kLeft, ListEnd::kLeft).status().code(),
            Code::kWrongType);
  EXPECT_EQ(All("l"), (Elems{"a"}));
}

// Pops of a few elements use point reads, larger ones an iterator: both sides of the limit,
// from both ends, after the list's indexes moved both ways.
TEST_F(ListTest, PopCountsAroundThePointReadLimit) {
  Elems model;
  for (int i = 0; i < 200; ++i) {
    const std::string v = "v" + std::to_string(i);
    if (i % 2 == 0) {
      Push("l", ListEnd::kLeft, {v});
      model.insert(model.begin(), v);
    } else {
      Push("l", ListEnd::kRight, {v});
      model.push_back(v);
    }
  }
  for (uint64_t c = 1; !model.empty(); c = c % 12 + 1) {
    const size_t k = std::min<size_t>(c, model.size());
    EXPECT_EQ(Pop("l", ListEnd::kLeft, c), Elems(model.begin(), model.begin() + k));
    model.erase(model.begin(), model.begin() + k);
    const size_t r = std::min<size_t>(c, model.size());
    EXPECT_EQ(Pop("l", ListEnd::kRight, c), Elems(model.rbegin(), model.rbegin() + r));
    model.erase(model.end() - r, model.end());
    if (!model.empty()) {
      EXPECT_EQ(All("l"), model);
    }
  }
  EXPECT_EQ(CheckedSize("l"), 0u);
}

TEST_F(ListTest, RandomOperationsMatchModel) {
  std::mt19937 rng(42);
  Elems model;
  const char* vals[] = {"a", "b", "c"};
  for (int step = 0; step < 600; ++step) {
    std::string v = vals[rng() % 3];
    const int64_t n = static_cast<int64_t>(model.size());
    const unsigned op = rng() % 7;
    SCOPED_TRACE(op);
    switch (op) {
      case 0:
        Push("l", ListEnd::kLeft, {v});
        model.insert(model.begin(), v);
        break;
      case 1:
        Push("l", ListEnd::kRight, {v});
        model.push_back(v);
        break;
      case 2: {
        const uint64_t c = rng() % 3;
        Elems got = Pop("l", ListEnd::kLeft, c);
        const size_t k = std::min<size_t>(c, model.size());
        EXPECT_EQ(got, Elems(model.begin(), model.begin() + k));
        model.erase(model.begin(), model.begin() + k);
        break;
      }
      case 3: {
        const bool before = rng() % 2 == 0;
        const std::string pivot = vals[rng() % 3];
        auto r = ListInsert(db(), "l", before, pivot, v);
        ASSERT_TRUE(r.ok());
        auto at = std::find(model.begin(), model.end(), pivot);
        if (model.empty()) {
          EXPECT_EQ(*r, 0);
        } else if (at == model.end()) {
          EXPECT_EQ(*r, -1);
        } else {
          model.insert(before ? at : at + 1, v);
          EXPECT_EQ(*r, static_cast<int64_t>(model.size()));
        }
        break;
      }
      case 4: {
        const int64_t c = static_cast<int64_t>(rng() % 5) - 2;
        ASSERT_TRUE(ListRemove(db(), "l", c, v).ok());
        Elems next;
        std::vector<size_t> idx;
        for (size_t i = 0; i < model.size(); ++i) {
          if (model[i] == v) idx.push_back(i);
        }
        if (c < 0) std::reverse(idx.begin(), idx.end());
        if (c != 0 && idx.size() > static_cast<size_t>(std::abs(c))) idx.resize(std::abs(c));
        std::vector<bool> gone(model.size());
        for (size_t i : idx) gone[i] = true;
        for (size_t i = 0; i < model.size(); ++i) {
          if (!gone[i]) next.push_back(model[i]);
        }
        model = next;
        break;
      }
      case 5:
        if (n > 0) {
          const int64_t i = static_cast<int64_t>(rng() % n);
          ASSERT_TRUE(ListSet(db(), "l", i, v).ok());
          model[i] = v;
        }
        break;
      case 6:
        if (rng() % 4 == 0 && n > 0) {
          const int64_t s = static_cast<int64_t>(rng() % n);
          ASSERT_TRUE(ListTrim(db(), "l", s, -1).ok());
          model.erase(model.begin(), model.begin() + s);
        }
        break;
    }
    ASSERT_EQ(CheckedSize("l"), model.size()) << step;
    if (!model.empty()) {
      ASSERT_EQ(All("l"), model) << step;
    }
  }
}

TEST_F(ListTest, SurvivesReopen) {
  Push("l", ListEnd::kRight, {"a", "b", "c"});
  Push("l", ListEnd::kLeft, {"z"});
  ASSERT_TRUE(ListInsert(db(), "l", false, "a", "x").ok());
  ASSERT_TRUE(ListRemove(db(), "l", 1, "c").ok());
  Reopen();
  EXPECT_EQ(All("l"), (Elems{"z", "a", "x", "b"}));
  EXPECT_EQ(Push("l", ListEnd::kRight, {"e"}), 5);
  EXPECT_EQ(Push("l", ListEnd::kLeft, {"s"}), 6);
  EXPECT_EQ(All("l"), (Elems{"s", "z", "a", "x", "b", "e"}));
}

}  // namespace
}  // namespace basalt::engine
