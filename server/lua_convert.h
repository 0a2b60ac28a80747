// Conversions between RESP replies and Lua values, with Redis 7.0's exact rules
// (redisProtocolToLuaType, luaReplyToRedisReply, luaPushErrorBuff in Redis's script_lua.c).
//
// RESP -> Lua (a redis.call reply): integer -> number, bulk -> string, null bulk / null array ->
// false, status -> {ok=s}, error -> {err=s}, array -> table. RESP3 adds null -> nil, boolean ->
// boolean, double -> {double=n}, map -> {map={k=v}}, set -> {set={m=true}}, big number ->
// {big_number=s}, verbatim -> {verbatim_string={format=f, string=s}}.
// Lua -> RESP (a script's result): string -> bulk, number -> integer (truncated), true -> 1
// (RESP3 script: #t), false -> null (RESP3 script: #f), {err=} -> error, {ok=} -> status,
// {double=}, {big_number=}, {verbatim_string=}, {map=}, {set=}, other tables -> array up to the
// first nil, anything else -> null.
//
// Thread-safety: operates on the caller's lua_State only.
#ifndef BASALT_SERVER_LUA_CONVERT_H_
#define BASALT_SERVER_LUA_CONVERT_H_

#include <string>
#include <string_view>

#include "codec/resp_writer.h"

struct lua_State;

namespace basalt::server {

// Pushes Redis's error table {err="CODE msg"}: "-CODE msg" keeps CODE, other text gets "ERR".
void PushErrorTable(lua_State* L, std::string_view text);
// Pushes the Lua value of the RESP reply at the front of *in, consuming it.
void PushReply(lua_State* L, std::string_view* in);
// Writes the Lua value at `idx` as a reply; `script_resp` is the script's redis.setresp.
void LuaToReply(lua_State* L, int idx, codec::ReplyWriter& w, int script_resp, int depth);
// Reads t[field] (raw) of the table at `idx` as a string; false if absent or not a string.
bool StringField(lua_State* L, int idx, const char* field, std::string* out);

}  // namespace basalt::server

#endif  // BASALT_SERVER_LUA_CONVERT_H_
