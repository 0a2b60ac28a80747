// Pub/Sub commands: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE SSUBSCRIBE SUNSUBSCRIBE
// PUBLISH SPUBLISH PUBSUB (CHANNELS NUMSUB NUMPAT SHARDCHANNELS SHARDNUMSUB), and MONITOR.
// The registry and delivery live in server/pubsub.h, MONITOR's feed in server/monitor.h.
#include "server/pubsub.h"

#include <iterator>

#include "server/commands/args.h"
#include "server/monitor.h"

namespace basalt::server {

namespace {

using Kind = PubSub::Kind;

// The count Redis reports after (un)subscribing: channels + patterns, or shard channels.
int64_t SubscriptionCount(const Client& c, Kind kind) {
  if (kind == Kind::kShard) return c.pubsub_counts[2].load();
  return c.pubsub_counts[0].load() + c.pubsub_counts[1].load();
}

// [<event>, <name or null>, <count>]: an array in RESP2, a push in RESP3.
void ReplySubscription(CommandContext& ctx, std::string_view event, const std::string* name,
                       Kind kind) {
  ctx.reply.PushHeader(3);
  ctx.reply.Bulk(event);
  if (name != nullptr) {
    ctx.reply.Bulk(*name);
  } else {
    ctx.reply.Null();
  }
  ctx.reply.Integer(SubscriptionCount(ctx.client, kind));
}

void DoSubscribe(CommandContext& ctx, Kind kind, std::string_view event) {
  for (size_t i = 1; i < ctx.argc(); ++i) {
    (void)ctx.server.pubsub->Subscribe(kind, ctx.client, ctx.arg(i));
    ReplySubscription(ctx, event, &ctx.arg(i), kind);
  }
}

void DoUnsubscribe(CommandContext& ctx, Kind kind, std::string_view event) {
  PubSub& ps = *ctx.server.pubsub;
  if (ctx.argc() > 1) {
    for (size_t i = 1; i < ctx.argc(); ++i) {
      (void)ps.Unsubscribe(kind, ctx.client, ctx.arg(i));
      ReplySubscription(ctx, event, &ctx.arg(i), kind);
    }
    return;
  }
  std::vector<std::string> all = ps.SubscriptionsOf(kind, ctx.client.id());
  for (const std::string& name : all) {
    (void)ps.Unsubscribe(kind, ctx.client, name);
    ReplySubscription(ctx, event, &name, kind);
  }
  if (all.empty()) ReplySubscription(ctx, event, nullptr, kind);
}

// SUBSCRIBE channel [channel ...]
void SubscribeCommand(CommandContext& ctx) { DoSubscribe(ctx, Kind::kChannel, "subscribe"); }
// PSUBSCRIBE pattern [pattern ...]
void PsubscribeCommand(CommandContext& ctx) { DoSubscribe(ctx, Kind::kPattern, "psubscribe"); }
// SSUBSCRIBE shardchannel [shardchannel ...]
void SsubscribeCommand(CommandContext& ctx) { DoSubscribe(ctx, Kind::kShard, "ssubscribe"); }
// UNSUBSCRIBE [channel ...]
void UnsubscribeCommand(CommandContext& ctx) { DoUnsubscribe(ctx, Kind::kChannel, "unsubscribe"); }
// PUNSUBSCRIBE [pattern ...]
void PunsubscribeCommand(CommandContext& ctx) {
  DoUnsubscribe(ctx, Kind::kPattern, "punsubscribe");
}
// SUNSUBSCRIBE [shardchannel ...]
void SunsubscribeCommand(CommandContext& ctx) { DoUnsubscribe(ctx, Kind::kShard, "sunsubscribe"); }

// PUBLISH channel message
void PublishCommand(CommandContext& ctx) {
  ctx.reply.Integer(
      ctx.server.pubsub->Publish(Kind::kChannel, ctx.arg(1), ctx.arg(2), &ctx.client, &ctx.reply));
}
// SPUBLISH shardchannel message
void SpublishCommand(CommandContext& ctx) {
  ctx.reply.Integer(
      ctx.server.pubsub->Publish(Kind::kShard, ctx.arg(1), ctx.arg(2), &ctx.client, &ctx.reply));
}

void ReplyChannels(CommandContext& ctx, Kind kind) {
  std::string_view pattern = ctx.argc() > 2 ? std::string_view(ctx.arg(2)) : "";
  std::vector<std::string> names = ctx.server.pubsub->Channels(kind, pattern);
  ctx.reply.ArrayHeader(static_cast<int64_t>(names.size()));
  for (const std::string& n : names) ctx.reply.Bulk(n);
}

void ReplyNumSub(CommandContext& ctx, Kind kind) {
  ctx.reply.ArrayHeader(static_cast<int64_t>(ctx.argc() - 2) * 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.reply.Bulk(ctx.arg(i));
    ctx.reply.Integer(ctx.server.pubsub->NumSub(kind, ctx.arg(i)));
  }
}

// PUBSUB CHANNELS [pattern]
void PubsubChannelsCommand(CommandContext& ctx) { ReplyChannels(ctx, Kind::kChannel); }
// PUBSUB SHARDCHANNELS [pattern]
void PubsubShardChannelsCommand(CommandContext& ctx) { ReplyChannels(ctx, Kind::kShard); }
// PUBSUB NUMSUB [channel ...]
void PubsubNumSubCommand(CommandContext& ctx) { ReplyNumSub(ctx, Kind::kChannel); }
// PUBSUB SHARDNUMSUB [shardchannel ...]
void PubsubShardNumSubCommand(CommandContext& ctx) { ReplyNumSub(ctx, Kind::kShard); }
// PUBSUB NUMPAT
void PubsubNumPatCommand(CommandContext& ctx) { ctx.reply.Integer(ctx.server.pubsub->NumPat()); }
// PUBSUB HELP
void PubsubHelpCommand(CommandContext& ctx) {
  static const char* const kLines[] = {
      "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
      "SHARDCHANNELS [<pattern>]",
      ("    Return the currently active shard level channels matching a <pattern> (default: "
       "'*')."),
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Return the number of subscribers for the specified shard level channel(s)",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.ArrayHeader(static_cast<int64_t>(std::size(kLines)));
  for (const char* l : kLines) ctx.reply.SimpleString(l);
}

// PUBSUB (container; Redis replies to a bare PUBSUB with the arity error)
void PubsubCommand(CommandContext& ctx) {
  ctx.reply.Error("ERR wrong number of arguments for 'pubsub' command");
}

// MONITOR
void MonitorCommand(CommandContext& ctx) {
  if (ctx.client.in_exec()) {
    ctx.reply.Error("ERR MONITOR isn't allowed for DENY BLOCKING client");
    return;
  }
  if (ctx.client.monitor.load()) return;  // already monitoring: Redis ignores it, no reply
  ctx.server.monitors->Add(ctx.client);
  ctx.reply.SimpleString("OK");
}

}  // namespace

void RegisterPubSubCommands(CommandTable* t) {
  const std::string g = "pubsub";
  const uint32_t kSub = kCmdPubSub | kCmdNoScript | kCmdLoading | kCmdStale;
  const uint32_t kPub = kCmdPubSub | kCmdLoading | kCmdStale | kCmdFast | kCmdMayReplicate;
  const uint32_t kIntro = kCmdPubSub | kCmdLoading | kCmdStale;
  const std::vector<std::string> slow = {"@pubsub", "@slow"};
  const std::vector<std::string> fast = {"@pubsub", "@fast"};
  const char* kPerChannel = "O(N) where N is the number of channels to subscribe to.";
  auto add = [&](CommandSpec spec, const char* complexity) {
    spec.complexity = complexity;
    return t->Add(std::move(spec));
  };
  auto sub = [&](CommandSpec spec, const char* complexity) {
    spec.complexity = complexity;
    return t->AddSubcommand("pubsub", std::move(spec));
  };
  add(MakeCommand("subscribe", -2, kSub, 0, 0, 0, SubscribeCommand, g, "2.0.0",
                  "Listen for messages published to the given channels", slow),
      kPerChannel);
  add(MakeCommand("psubscribe", -2, kSub, 0, 0, 0, PsubscribeCommand, g, "2.0.0",
                  "Listen for messages published to channels matching the given patterns", slow),
      "O(N) where N is the number of patterns the client is already subscribed to.");
  add(MakeCommand("ssubscribe", -2, kSub, 1, -1, 1, SsubscribeCommand, g, "7.0.0",
                  "Listen for messages published to the given shard channels", slow),
      "O(N) where N is the number of shard channels to subscribe to.");
  add(MakeCommand("unsubscribe", -1, kSub, 0, 0, 0, UnsubscribeCommand, g, "2.0.0",
                  "Stop listening for messages posted to the given channels", slow),
      "O(N) where N is the number of clients already subscribed to a channel.");
  add(MakeCommand("punsubscribe", -1, kSub, 0, 0, 0, PunsubscribeCommand, g, "2.0.0",
                  "Stop listening for messages posted to channels matching the given patterns",
                  slow),
      "O(N+M) where N is the number of patterns the client is already subscribed and M is the "
      "number of total patterns subscribed in the system (by any client).");
  add(MakeCommand("sunsubscribe", -1, kSub, 1, -1, 1, SunsubscribeCommand, g, "7.0.0",
                  "Stop listening for messages posted to the given shard channels", slow),
      "O(N) where N is the number of clients already subscribed to a shard channel.");
  add(MakeCommand("publish", 3, kPub, 0, 0, 0, PublishCommand, g, "2.0.0",
                  "Post a message to a channel", fast),
      "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the "
      "total number of subscribed patterns (by any client).");
  add(MakeCommand("spublish", 3, kPub & ~kCmdMayReplicate, 1, 1, 1, SpublishCommand, g, "7.0.0",
                  "Post a message to a shard channel", fast),
      "O(N) where N is the number of clients subscribed to the receiving shard channel.");
  add(MakeCommand("pubsub", -2, 0, 0, 0, 0, PubsubCommand, g, "2.8.0",
                  "A container for Pub/Sub commands", {"@slow"}),
      "Depends on subcommand.");
  sub(MakeCommand("channels", -2, kIntro, 0, 0, 0, PubsubChannelsCommand, g, "2.8.0",
                  "List active channels", slow),
      "O(N) where N is the number of active channels, and assuming constant time pattern "
      "matching (relatively short channels and patterns)");
  sub(MakeCommand("numpat", 2, kIntro, 0, 0, 0, PubsubNumPatCommand, g, "2.8.0",
                  "Get the count of unique patterns pattern subscriptions", slow),
      "O(1)");
  sub(MakeCommand("numsub", -2, kIntro, 0, 0, 0, PubsubNumSubCommand, g, "2.8.0",
                  "Get the count of subscribers for channels", slow),
      "O(N) for the NUMSUB subcommand, where N is the number of requested channels");
  sub(MakeCommand("shardchannels", -2, kIntro, 0, 0, 0, PubsubShardChannelsCommand, g, "7.0.0",
                  "List active shard channels", slow),
      "O(N) where N is the number of active shard channels, and assuming constant time pattern "
      "matching (relatively short shard channels).");
  sub(MakeCommand("shardnumsub", -2, kIntro, 0, 0, 0, PubsubShardNumSubCommand, g, "7.0.0",
                  "Get the count of subscribers for shard channels", slow),
      "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels");
  sub(MakeCommand("help", 2, kCmdLoading | kCmdStale, 0, 0, 0, PubsubHelpCommand, g, "6.2.0",
                  "Show helpful text about the different subcommands", {"@slow"}),
      "O(1)");
  t->Add(MakeCommand("monitor", 1, kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale, 0, 0, 0,
                     MonitorCommand, "server", "1.0.0",
                     "Listen for all requests received by the server in real time",
                     {"@admin", "@slow", "@dangerous"}));
}

}  // namespace basalt::server
