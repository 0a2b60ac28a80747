// Pub/Sub registry, keyspace-event flags, output-limit parsing and MONITOR line format.
#include "server/pubsub.h"

#include <gtest/gtest.h>

#include <map>

#include "server/client.h"
#include "server/monitor.h"
#include "server/notify.h"

namespace basalt::server {
namespace {

TEST(NotifyFlags, ParseAndCanonicalOrder) {
  EXPECT_EQ(ParseNotifyFlags(""), 0);
  EXPECT_EQ(ParseNotifyFlags("Q"), -1);
  EXPECT_EQ(NotifyFlagsToString(ParseNotifyFlags("KEA")), "AKE");
  EXPECT_EQ(NotifyFlagsToString(ParseNotifyFlags("An")), "A");  // Redis hides n after A
  EXPECT_NE(ParseNotifyFlags("An") & kNotifyNew, 0);
  EXPECT_EQ(NotifyFlagsToString(ParseNotifyFlags("nmEg$x")), "g$xnEm");
  EXPECT_EQ(NotifyFlagsToString(ParseNotifyFlags("g$lshzxetd")), "A");
  EXPECT_EQ(ParseNotifyFlags("A") & kNotifyKeyMiss, 0);
}

TEST(OutputLimits, ParsedTheRedisWay) {
  const std::string def = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";
  std::string out;
  EXPECT_EQ(ParseOutputLimits("pubsub 1mb 512kb 10 replica 1gb 1k 5", def, &out), "");
  EXPECT_EQ(out, "normal 0 0 0 slave 1073741824 1000 5 pubsub 1048576 524288 10");
  EXPECT_EQ(ParseOutputLimits("pubsub 1 2", def, &out),
            "Wrong number of arguments in buffer limit configuration.");
  EXPECT_EQ(ParseOutputLimits("master 1 2 3", def, &out),
            "Invalid client class specified in buffer limit configuration.");
  EXPECT_EQ(ParseOutputLimits("normal x 2 3", def, &out),
            "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
  OutputLimits limits;
  limits.Apply(def);
  EXPECT_EQ(limits.pubsub.hard.load(), 33554432);
  EXPECT_EQ(limits.pubsub.soft.load(), 8388608);
  EXPECT_EQ(limits.pubsub.soft_seconds.load(), 60);
  EXPECT_EQ(limits.normal.hard.load(), 0);
}

TEST(MonitorLine, ReprAndRedaction) {
  codec::Argv argv = {"set", "k", std::string("a b\"c\n\x01\\\xff", 9)};
  EXPECT_EQ(Monitors::FormatLine(1700000000123456, 0, "127.0.0.1:5", "set", argv),
            "1700000000.123456 [0 127.0.0.1:5] \"set\" \"k\" \"a b\\\"c\\n\\x01\\\\\\xff\"");
  EXPECT_EQ(Monitors::FormatLine(1000000000000007, 2, "a:1", "auth", {"AUTH", "u", "p"}),
            "1000000000.000007 [2 a:1] \"AUTH\" \"(redacted)\" \"(redacted)\"");
  EXPECT_EQ(
      Monitors::FormatLine(0, 0, "a:1", "hello", {"hello", "3", "setname", "n", "auth", "u", "p"}),
      "0.000000 [0 a:1] \"hello\" \"3\" \"setname\" \"n\" \"auth\" \"(redacted)\" "
      "\"(redacted)\"");
}

class PubSubTest : public ::testing::Test {
 protected:
  PubSubTest()
      : ps_([this](int worker, std::vector<Push>* pushes) {
          for (Push& p : *pushes) got_[worker].push_back({p.client_id, p.bytes});
          pushes->clear();
        }) {}
  std::shared_ptr<Client> NewClient(uint64_t id, int worker, int resp = 2) {
    auto c = std::make_shared<Client>(id, "a", "b", worker, 0);
    c->set_resp(resp);
    return c;
  }
  std::map<int, std::vector<std::pair<uint64_t, std::string>>> got_;
  PubSub ps_;
};

TEST_F(PubSubTest, ChannelsPatternsAndWorkers) {
  auto a = NewClient(1, 0), b = NewClient(2, 1, 3);
  EXPECT_TRUE(ps_.Subscribe(PubSub::Kind::kChannel, *a, "news"));
  EXPECT_FALSE(ps_.Subscribe(PubSub::Kind::kChannel, *a, "news"));
  EXPECT_TRUE(ps_.Subscribe(PubSub::Kind::kPattern, *b, "n*"));
  EXPECT_TRUE(a->subscribed());
  EXPECT_EQ(ps_.Publish(PubSub::Kind::kChannel, "news", "hi", nullptr, nullptr), 2);
  ASSERT_EQ(got_[0].size(), 1u);
  EXPECT_EQ(got_[0][0].second, "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n");
  ASSERT_EQ(got_[1].size(), 1u);
  EXPECT_EQ(got_[1][0].second, ">4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nhi\r\n");
  EXPECT_EQ(ps_.Publish(PubSub::Kind::kShard, "news", "hi", nullptr, nullptr), 0);
  EXPECT_EQ(ps_.NumSub(PubSub::Kind::kChannel, "news"), 1);
  EXPECT_EQ(ps_.NumPat(), 1);
  ps_.UnsubscribeAll(*a);
  ps_.UnsubscribeAll(*b);
  EXPECT_FALSE(a->subscribed());
  EXPECT_EQ(ps_.Count(PubSub::Kind::kChannel), 0);
  EXPECT_EQ(ps_.NumPat(), 0);
}

TEST_F(PubSubTest, MessageToThePublisherGoesIntoItsReply) {
  auto a = NewClient(1, 0, 3);
  ASSERT_TRUE(ps_.Subscribe(PubSub::Kind::kChannel, *a, "c"));
  std::string out;
  codec::ReplyWriter reply(&out, 3);
  EXPECT_EQ(ps_.Publish(PubSub::Kind::kChannel, "c", "m", a.get(), &reply), 1);
  EXPECT_EQ(out, ">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n");
  EXPECT_TRUE(got_.empty());
  ps_.UnsubscribeAll(*a);
}

TEST(PubSubLimits, QueuedMessagesCountTowardsTheHardLimit) {
  OutputLimits limits;
  limits.Apply("normal 0 0 0 slave 0 0 0 pubsub 100 0 0");
  std::vector<Push> got;
  PubSub ps(
      [&](int, std::vector<Push>* pushes) {
        for (Push& p : *pushes) got.push_back(p);
        pushes->clear();
      },
      &limits);
  Client c(1, "a", "b", 0, 0);
  ASSERT_TRUE(ps.Subscribe(PubSub::Kind::kChannel, c, "ch"));
  const std::string payload(30, 'x');  // each message is 30 + ~30 bytes of framing
  EXPECT_EQ(ps.Publish(PubSub::Kind::kChannel, "ch", payload, nullptr, nullptr), 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].counted);
  EXPECT_EQ(c.queued_push_bytes.load(), static_cast<int64_t>(got[0].bytes.size()));
  // The worker has not appended it yet: the next message would pass 100 bytes.
  EXPECT_EQ(ps.Publish(PubSub::Kind::kChannel, "ch", payload, nullptr, nullptr), 1);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].bytes, "");  // only a wake-up: the worker closes the flagged client
  EXPECT_TRUE(c.output_overflow.load());
  EXPECT_EQ(ps.Publish(PubSub::Kind::kChannel, "ch", payload, nullptr, nullptr), 1);
  EXPECT_EQ(got.size(), 2u);  // nothing more is queued for it
  ps.UnsubscribeAll(c);
}

}  // namespace
}  // namespace basalt::server
