#include "server/lua_convert.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <lua.hpp>

namespace basalt::server {

// Redis's luaPushErrorBuff: "-CODE msg" keeps CODE; anything else gets "ERR". Pushes
// {err = "CODE msg"}.
void PushErrorTable(lua_State* L, std::string_view text) {
  std::string code = "ERR", msg;
  if (!text.empty() && text[0] == '-') {
    size_t sp = text.find(' ');
    if (sp == std::string_view::npos) {
      msg = text.substr(1);
    } else {
      code = text.substr(1, sp - 1);
      msg = text.substr(sp + 1);
    }
  } else {
    msg = text;
  }
  while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) msg.pop_back();
  std::string final_msg = code + " " + msg;
  lua_newtable(L);
  lua_pushlstring(L, final_msg.data(), final_msg.size());
  lua_setfield(L, -2, "err");
}

// ---- RESP -> Lua ----------------------------------------------------------------------------

static bool ReadLine(std::string_view* in, std::string_view* line) {
  size_t end = in->find("\r\n");
  if (end == std::string_view::npos) return false;
  *line = in->substr(1, end - 1);
  in->remove_prefix(end + 2);
  return true;
}

static int64_t ToInt(std::string_view s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

static void PushAggregate(lua_State* L, std::string_view* in, char type, int64_t n) {
  lua_checkstack(L, 8);
  if (type == '%' || type == '~') {
    lua_newtable(L);
    lua_newtable(L);
    for (int64_t i = 0; i < n; ++i) {
      PushReply(L, in);
      if (type == '%') {
        PushReply(L, in);
      } else {
        lua_pushboolean(L, 1);
      }
      lua_settable(L, -3);
    }
    lua_setfield(L, -2, type == '%' ? "map" : "set");
    return;
  }
  lua_newtable(L);
  for (int64_t i = 0; i < n; ++i) {
    lua_pushnumber(L, static_cast<lua_Number>(i + 1));
    PushReply(L, in);
    lua_settable(L, -3);
  }
}

void PushReply(lua_State* L, std::string_view* in) {
  if (in->empty()) {
    lua_pushnil(L);
    return;
  }
  char type = (*in)[0];
  std::string_view line;
  if (!ReadLine(in, &line)) {
    lua_pushnil(L);
    return;
  }
  switch (type) {
    case ':':
      lua_pushnumber(L, static_cast<lua_Number>(ToInt(line)));
      return;
    case '+':
      lua_newtable(L);
      lua_pushlstring(L, line.data(), line.size());
      lua_setfield(L, -2, "ok");
      return;
    case '-':
      lua_newtable(L);
      lua_pushlstring(L, line.data(), line.size());
      lua_setfield(L, -2, "err");
      return;
    case '$':
    case '=': {
      int64_t n = ToInt(line);
      if (n < 0) {
        lua_pushboolean(L, 0);
        return;
      }
      std::string_view body = in->substr(0, static_cast<size_t>(n));
      in->remove_prefix(static_cast<size_t>(n) + 2);
      if (type == '$') {
        lua_pushlstring(L, body.data(), body.size());
        return;
      }
      lua_newtable(L);
      lua_newtable(L);
      lua_pushlstring(L, body.data(), std::min<size_t>(3, body.size()));
      lua_setfield(L, -2, "format");
      std::string_view text = body.size() > 4 ? body.substr(4) : std::string_view();
      lua_pushlstring(L, text.data(), text.size());
      lua_setfield(L, -2, "string");
      lua_setfield(L, -2, "verbatim_string");
      return;
    }
    case '*':
    case '%':
    case '~':
    case '>': {
      int64_t n = ToInt(line);
      if (n < 0) {
        lua_pushboolean(L, 0);
        return;
      }
      PushAggregate(L, in, type, n);
      return;
    }
    case '_':
      lua_pushnil(L);
      return;
    case '#':
      lua_pushboolean(L, line == "t");
      return;
    case ',': {
      lua_newtable(L);
      std::string s(line);
      lua_pushnumber(L, std::strtod(s.c_str(), nullptr));
      lua_setfield(L, -2, "double");
      return;
    }
    case '(':
      lua_newtable(L);
      lua_pushlstring(L, line.data(), line.size());
      lua_setfield(L, -2, "big_number");
      return;
    default:
      lua_pushnil(L);
  }
}

// ---- Lua -> RESP (luaReplyToRedisReply) ----------------------------------------------------
static std::string Flatten(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return out;
}

// Reads t[field] as a string; false if absent or not a string.
bool StringField(lua_State* L, int idx, const char* field, std::string* out) {
  lua_pushstring(L, field);
  lua_rawget(L, idx);
  bool ok = lua_type(L, -1) == LUA_TSTRING;
  if (ok) {
    size_t len;
    const char* s = lua_tolstring(L, -1, &len);
    out->assign(s, len);
  }
  lua_pop(L, 1);
  return ok;
}

// Tables: {err=...}, {ok=...}, {double=...}, {big_number=...}, {verbatim_string=...},
// {map=...}, {set=...}, else an array up to the first nil.
static void TableToReply(lua_State* L, int idx, codec::ReplyWriter& w, int script_resp, int depth) {
  std::string s;
  if (StringField(L, idx, "err", &s)) {
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) s.pop_back();
    w.Error(s);
    return;
  }
  if (StringField(L, idx, "ok", &s)) {
    w.SimpleString(Flatten(s));
    return;
  }
  lua_getfield(L, idx, "double");
  if (lua_type(L, -1) == LUA_TNUMBER) {
    w.Double(lua_tonumber(L, -1));
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  if (StringField(L, idx, "big_number", &s)) {
    if (w.protocol() == 2) {
      w.Bulk(Flatten(s));
    } else {
      w.Raw("(" + Flatten(s) + "\r\n");
    }
    return;
  }
  lua_getfield(L, idx, "verbatim_string");
  if (lua_type(L, -1) == LUA_TTABLE) {
    std::string format, text;
    int t = lua_gettop(L);
    if (StringField(L, t, "format", &format) && StringField(L, t, "string", &text)) {
      w.Verbatim(text, format);
      lua_pop(L, 1);
      return;
    }
  }
  lua_pop(L, 1);
  for (const char* kind : {"map", "set"}) {
    lua_getfield(L, idx, kind);
    if (lua_type(L, -1) == LUA_TTABLE) {
      int t = lua_gettop(L);
      int64_t n = 0;
      lua_pushnil(L);
      while (lua_next(L, t) != 0) {
        ++n;
        lua_pop(L, 1);
      }
      bool map = kind[0] == 'm';
      if (map) {
        w.MapHeader(n);
      } else {
        w.SetHeader(n);
      }
      lua_pushnil(L);
      while (lua_next(L, t) != 0) {
        LuaToReply(L, lua_gettop(L) - 1, w, script_resp, depth + 1);
        if (map) LuaToReply(L, lua_gettop(L), w, script_resp, depth + 1);
        lua_pop(L, 1);
      }
      lua_pop(L, 1);
      return;
    }
    lua_pop(L, 1);
  }
  std::string items;
  codec::ReplyWriter sub(&items, w.protocol());
  int64_t n = 0;
  for (int j = 1;; ++j) {
    lua_rawgeti(L, idx, j);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    LuaToReply(L, lua_gettop(L), sub, script_resp, depth + 1);
    lua_pop(L, 1);
    ++n;
  }
  w.ArrayHeader(n);
  w.Raw(items);
}

void LuaToReply(lua_State* L, int idx, codec::ReplyWriter& w, int script_resp, int depth) {
  lua_checkstack(L, 8);
  switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, idx, &len);
      w.Bulk(std::string_view(s, len));
      return;
    }
    case LUA_TBOOLEAN:
      if (script_resp == 2) {
        if (lua_toboolean(L, idx)) {
          w.Integer(1);
        } else {
          w.Null();
        }
      } else {
        w.Bool(lua_toboolean(L, idx));
      }
      return;
    case LUA_TNUMBER:
      w.Integer(static_cast<int64_t>(lua_tonumber(L, idx)));
      return;
    case LUA_TTABLE:
      if (depth > 1000) {
        w.Error("ERR reached lua stack limit");
        return;
      }
      TableToReply(L, idx, w, script_resp, depth);
      return;
    default:
      w.Null();
  }
}

}  // namespace basalt::server
