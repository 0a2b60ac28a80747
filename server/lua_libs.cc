// The `struct` and `cmsgpack` Lua libraries Redis bundles, which Debian does not package as
// Lua 5.1 C modules. Implemented here over the Lua C API, covering what scripts use:
//   struct.pack(fmt, ...), struct.unpack(fmt, s [, pos]), struct.size(fmt) with the formats
//     < > = (byte order), ! (accepted; no alignment padding is inserted), x, b B h H l L T,
//     i[n] I[n] (n bytes, default 4), f d, s (zero-terminated), c[n] (c0: length taken from
//     the previous packed/unpacked integer);
//   cmsgpack.pack(...), cmsgpack.unpack(s): nil, booleans, integers (smallest encoding), floats
//     (float32 when exact), strings (fixstr/str8/16/32), tables (array when the keys are 1..n,
//     else map), nesting up to 16 levels; bin and ext payloads decode as strings / nil.
// Errors are raised with luaL_error; no C++ object with a destructor is live at any raise.
#include "server/lua_libs.h"

#include <cctype>
#include <cstdint>
#include <cstring>
#include <lua.hpp>
#include <string>

namespace basalt::server {

namespace {

// ---- struct --------------------------------------------------------------------------------

struct Header {
  bool little = true;  // native order on x86-64
};

size_t ReadSize(const char** fmt, size_t dflt) {
  if (!std::isdigit(static_cast<unsigned char>(**fmt))) return dflt;
  size_t n = 0;
  while (std::isdigit(static_cast<unsigned char>(**fmt)))
    n = n * 10 + static_cast<size_t>(*(*fmt)++ - '0');
  return n;
}

// Size of one item of option `opt`; 0 for options with no fixed size.
size_t OptSize(char opt, const char** fmt) {
  switch (opt) {
    case 'B':
    case 'b':
    case 'x':
      return 1;
    case 'H':
    case 'h':
      return 2;
    case 'L':
    case 'l':
    case 'T':
      return 8;
    case 'f':
      return 4;
    case 'd':
      return 8;
    case 'c':
      return ReadSize(fmt, 1);
    case 'i':
    case 'I':
      return ReadSize(fmt, 4);
    default:
      return 0;
  }
}

void PutInt(luaL_Buffer* b, uint64_t v, bool little, size_t size) {
  char buf[16] = {};
  for (size_t i = 0; i < size && i < 16; ++i) {
    size_t idx = little ? i : size - 1 - i;
    buf[idx] = static_cast<char>(i < 8 ? (v >> (8 * i)) & 0xff : 0);
  }
  luaL_addlstring(b, buf, size);
}

uint64_t GetInt(const char* p, bool little, size_t size) {
  uint64_t v = 0;
  for (size_t i = 0; i < size && i < 8; ++i) {
    size_t idx = little ? size - 1 - i : i;
    v = v << 8 | static_cast<unsigned char>(p[idx]);
  }
  return v;
}

bool Controls(char opt, Header* h) {
  switch (opt) {
    case ' ':
    case '!':
      return true;
    case '>':
      h->little = false;
      return true;
    case '<':
    case '=':
      h->little = true;
      return true;
    default:
      return false;
  }
}

int StructPack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  Header h;
  int arg = 2;
  size_t last_int = 0;
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  while (*fmt) {
    char opt = *fmt++;
    if (Controls(opt, &h)) continue;
    size_t size = OptSize(opt, &fmt);
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I': {
        lua_Number n = luaL_checknumber(L, arg++);
        int64_t v = static_cast<int64_t>(n);
        last_int = static_cast<size_t>(v);
        PutInt(&b, static_cast<uint64_t>(v), h.little, size);
        break;
      }
      case 'x':
        luaL_addchar(&b, '\0');
        break;
      case 'f': {
        float f = static_cast<float>(luaL_checknumber(L, arg++));
        uint32_t u;
        std::memcpy(&u, &f, 4);
        PutInt(&b, u, h.little, 4);
        break;
      }
      case 'd': {
        double d = luaL_checknumber(L, arg++);
        uint64_t u;
        std::memcpy(&u, &d, 8);
        PutInt(&b, u, h.little, 8);
        break;
      }
      case 'c':
      case 's': {
        size_t len;
        const char* s = luaL_checklstring(L, arg++, &len);
        if (opt == 's') {
          luaL_addlstring(&b, s, len);
          luaL_addchar(&b, '\0');
          break;
        }
        if (size == 0) size = last_int ? last_int : len;
        luaL_argcheck(L, len >= size, arg - 1, "string too short");
        luaL_addlstring(&b, s, size);
        break;
      }
      default:
        return luaL_error(L, "invalid format option '%c'", opt);
    }
  }
  luaL_pushresult(&b);
  return 1;
}

int StructUnpack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  size_t ld;
  const char* data = luaL_checklstring(L, 2, &ld);
  size_t pos = static_cast<size_t>(luaL_optinteger(L, 3, 1)) - 1;
  Header h;
  int n = 0;
  size_t last_int = 0;
  while (*fmt) {
    char opt = *fmt++;
    if (Controls(opt, &h)) continue;
    size_t size = OptSize(opt, &fmt);
    if (opt == 'c' && size == 0) size = last_int;
    if (opt != 's' && pos + size > ld) return luaL_argerror(L, 2, "data string too short");
    luaL_checkstack(L, 2, "too many results");
    switch (opt) {
      case 'b':
      case 'h':
      case 'l':
      case 'i':
      case 'B':
      case 'H':
      case 'L':
      case 'T':
      case 'I': {
        uint64_t u = GetInt(data + pos, h.little, size);
        bool is_signed = opt == 'b' || opt == 'h' || opt == 'l' || opt == 'i';
        lua_Number v;
        if (is_signed && size < 8 && (u >> (8 * size - 1)) & 1) {
          v = static_cast<lua_Number>(static_cast<int64_t>(u | (~0ull << (8 * size))));
        } else if (is_signed) {
          v = static_cast<lua_Number>(static_cast<int64_t>(u));
        } else {
          v = static_cast<lua_Number>(u);
        }
        last_int = static_cast<size_t>(u);
        lua_pushnumber(L, v);
        ++n;
        break;
      }
      case 'x':
        break;
      case 'f': {
        uint32_t u = static_cast<uint32_t>(GetInt(data + pos, h.little, 4));
        float f;
        std::memcpy(&f, &u, 4);
        lua_pushnumber(L, f);
        ++n;
        break;
      }
      case 'd': {
        uint64_t u = GetInt(data + pos, h.little, 8);
        double d;
        std::memcpy(&d, &u, 8);
        lua_pushnumber(L, d);
        ++n;
        break;
      }
      case 'c':
        lua_pushlstring(L, data + pos, size);
        ++n;
        break;
      case 's': {
        const void* end = std::memchr(data + pos, '\0', ld - pos);
        if (end == nullptr) return luaL_error(L, "unfinished string in data");
        size = static_cast<size_t>(static_cast<const char*>(end) - (data + pos)) + 1;
        lua_pushlstring(L, data + pos, size - 1);
        ++n;
        break;
      }
      default:
        return luaL_error(L, "invalid format option '%c'", opt);
    }
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos + 1));
  return n + 1;
}

int StructSize(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  Header h;
  size_t total = 0;
  while (*fmt) {
    char opt = *fmt++;
    if (Controls(opt, &h)) continue;
    size_t size = opt == 's' ? 0 : OptSize(opt, &fmt);
    if (opt == 's' || (opt == 'c' && size == 0)) {
      return luaL_argerror(L, 1, "options 'c0' - 's' have undefined sizes");
    }
    total += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(total));
  return 1;
}

// ---- cmsgpack ------------------------------------------------------------------------------

constexpr int kMaxNesting = 16;

// Appends the `size` low bytes of v, big-endian.
void PutBytes(std::string* b, uint64_t v, bool, size_t size) {
  for (size_t i = size; i-- > 0;) b->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PackValue(lua_State* L, int idx, std::string* b, int level);

void PackHeader(std::string* b, uint8_t fix, uint8_t mask_bits, uint8_t op16, uint8_t op32,
                size_t n) {
  if (n < (1u << mask_bits)) {
    b->push_back(static_cast<char>(fix | n));
  } else if (n <= 0xffff) {
    b->push_back(static_cast<char>(op16));
    PutBytes(b, n, false, 2);
  } else {
    b->push_back(static_cast<char>(op32));
    PutBytes(b, n, false, 4);
  }
}

void PackNumber(lua_Number n, std::string* b) {
  if (n == static_cast<lua_Number>(static_cast<int64_t>(n)) && n >= -9.2e18 && n <= 9.2e18) {
    int64_t v = static_cast<int64_t>(n);
    if (v >= 0) {
      if (v < 128) {
        b->push_back(static_cast<char>(v));
      } else if (v <= 0xff) {
        b->push_back(static_cast<char>(0xcc)), PutBytes(b, static_cast<uint64_t>(v), false, 1);
      } else if (v <= 0xffff) {
        b->push_back(static_cast<char>(0xcd)), PutBytes(b, static_cast<uint64_t>(v), false, 2);
      } else if (v <= 0xffffffffll) {
        b->push_back(static_cast<char>(0xce)), PutBytes(b, static_cast<uint64_t>(v), false, 4);
      } else {
        b->push_back(static_cast<char>(0xcf)), PutBytes(b, static_cast<uint64_t>(v), false, 8);
      }
    } else if (v >= -32) {
      b->push_back(static_cast<char>(v));
    } else if (v >= -128) {
      b->push_back(static_cast<char>(0xd0)), PutBytes(b, static_cast<uint64_t>(v), false, 1);
    } else if (v >= -32768) {
      b->push_back(static_cast<char>(0xd1)), PutBytes(b, static_cast<uint64_t>(v), false, 2);
    } else if (v >= INT32_MIN) {
      b->push_back(static_cast<char>(0xd2)), PutBytes(b, static_cast<uint64_t>(v), false, 4);
    } else {
      b->push_back(static_cast<char>(0xd3)), PutBytes(b, static_cast<uint64_t>(v), false, 8);
    }
    return;
  }
  float f = static_cast<float>(n);
  if (static_cast<lua_Number>(f) == n) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    b->push_back(static_cast<char>(0xca));
    PutBytes(b, u, false, 4);
  } else {
    uint64_t u;
    std::memcpy(&u, &n, 8);
    b->push_back(static_cast<char>(0xcb));
    PutBytes(b, u, false, 8);
  }
}

// Array when every key is a positive integer and they are exactly 1..count.
bool IsArray(lua_State* L, int idx, size_t* count) {
  size_t n = 0;
  lua_Number max = 0;
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TNUMBER) {
      lua_pop(L, 1);
      return false;
    }
    lua_Number k = lua_tonumber(L, -1);
    if (k <= 0 || k != static_cast<lua_Number>(static_cast<int64_t>(k))) {
      lua_pop(L, 1);
      return false;
    }
    if (k > max) max = k;
    ++n;
  }
  *count = n;
  return max == static_cast<lua_Number>(n);
}

void PackTable(lua_State* L, int idx, std::string* b, int level) {
  size_t n;
  if (IsArray(L, idx, &n)) {
    PackHeader(b, 0x90, 4, 0xdc, 0xdd, n);
    for (size_t i = 1; i <= n; ++i) {
      lua_rawgeti(L, idx, static_cast<int>(i));
      PackValue(L, lua_gettop(L), b, level + 1);
      lua_pop(L, 1);
    }
    return;
  }
  n = 0;
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    lua_pop(L, 1);
    ++n;
  }
  PackHeader(b, 0x80, 4, 0xde, 0xdf, n);
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    PackValue(L, lua_gettop(L) - 1, b, level + 1);
    PackValue(L, lua_gettop(L), b, level + 1);
    lua_pop(L, 1);
  }
}

void PackValue(lua_State* L, int idx, std::string* b, int level) {
  if (!lua_checkstack(L, 4)) {
    b->push_back(static_cast<char>(0xc0));
    return;
  }
  switch (lua_type(L, idx)) {
    case LUA_TBOOLEAN:
      b->push_back(static_cast<char>(lua_toboolean(L, idx) ? 0xc3 : 0xc2));
      return;
    case LUA_TNUMBER:
      PackNumber(lua_tonumber(L, idx), b);
      return;
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, idx, &len);
      if (len < 32) {
        b->push_back(static_cast<char>(0xa0 | len));
      } else if (len <= 0xff) {
        b->push_back(static_cast<char>(0xd9)), PutBytes(b, len, false, 1);
      } else {
        PackHeader(b, 0, 0, 0xda, 0xdb, len);
      }
      b->append(s, len);
      return;
    }
    case LUA_TTABLE:
      if (level < kMaxNesting) {
        PackTable(L, idx, b, level);
        return;
      }
      [[fallthrough]];
    default:
      b->push_back(static_cast<char>(0xc0));
  }
}

int MsgpackPack(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
  // Encoding never raises (no Lua error can skip the string's destructor).
  std::string out;
  for (int i = 1; i <= argc; ++i) PackValue(L, i, &out, 0);
  lua_pushlstring(L, out.data(), out.size());
  return 1;
}

struct Cursor {
  const unsigned char* p;
  size_t left;
  bool error = false;
};

uint64_t Take(Cursor* c, size_t n) {
  if (c->left < n) {
    c->error = true;
    c->left = 0;
    return 0;
  }
  uint64_t v = GetInt(reinterpret_cast<const char*>(c->p), false, n);
  c->p += n, c->left -= n;
  return v;
}

void UnpackValue(lua_State* L, Cursor* c);

void UnpackString(lua_State* L, Cursor* c, size_t len) {
  if (c->left < len) {
    c->error = true;
    lua_pushnil(L);
    return;
  }
  lua_pushlstring(L, reinterpret_cast<const char*>(c->p), len);
  c->p += len, c->left -= len;
}

void UnpackAggregate(lua_State* L, Cursor* c, size_t n, bool map) {
  luaL_checkstack(L, 4, "cmsgpack: too deep");
  lua_newtable(L);
  for (size_t i = 1; i <= n && !c->error; ++i) {
    if (map) {
      UnpackValue(L, c);
    } else {
      lua_pushnumber(L, static_cast<lua_Number>(i));
    }
    UnpackValue(L, c);
    if (lua_isnil(L, -2)) {
      lua_pop(L, 2);
      continue;
    }
    lua_settable(L, -3);
  }
}

void UnpackValue(lua_State* L, Cursor* c) {
  uint8_t t = static_cast<uint8_t>(Take(c, 1));
  if (c->error) return lua_pushnil(L);
  if (t < 0x80) return lua_pushnumber(L, t);
  if (t >= 0xe0) return lua_pushnumber(L, static_cast<int8_t>(t));
  if ((t & 0xe0) == 0xa0) return UnpackString(L, c, t & 0x1f);
  if ((t & 0xf0) == 0x90) return UnpackAggregate(L, c, t & 0x0f, false);
  if ((t & 0xf0) == 0x80) return UnpackAggregate(L, c, t & 0x0f, true);
  switch (t) {
    case 0xc0:
      return lua_pushnil(L);
    case 0xc2:
      return lua_pushboolean(L, 0);
    case 0xc3:
      return lua_pushboolean(L, 1);
    case 0xcc:
      return lua_pushnumber(L, static_cast<lua_Number>(Take(c, 1)));
    case 0xcd:
      return lua_pushnumber(L, static_cast<lua_Number>(Take(c, 2)));
    case 0xce:
      return lua_pushnumber(L, static_cast<lua_Number>(Take(c, 4)));
    case 0xcf:
      return lua_pushnumber(L, static_cast<lua_Number>(Take(c, 8)));
    case 0xd0:
      return lua_pushnumber(L, static_cast<int8_t>(Take(c, 1)));
    case 0xd1:
      return lua_pushnumber(L, static_cast<int16_t>(Take(c, 2)));
    case 0xd2:
      return lua_pushnumber(L, static_cast<int32_t>(Take(c, 4)));
    case 0xd3:
      return lua_pushnumber(L, static_cast<lua_Number>(static_cast<int64_t>(Take(c, 8))));
    case 0xca: {
      uint32_t u = static_cast<uint32_t>(Take(c, 4));
      float f;
      std::memcpy(&f, &u, 4);
      return lua_pushnumber(L, f);
    }
    case 0xcb: {
      uint64_t u = Take(c, 8);
      double d;
      std::memcpy(&d, &u, 8);
      return lua_pushnumber(L, d);
    }
    case 0xd9:
    case 0xc4:
      return UnpackString(L, c, Take(c, 1));
    case 0xda:
    case 0xc5:
      return UnpackString(L, c, Take(c, 2));
    case 0xdb:
    case 0xc6:
      return UnpackString(L, c, Take(c, 4));
    case 0xdc:
      return UnpackAggregate(L, c, Take(c, 2), false);
    case 0xdd:
      return UnpackAggregate(L, c, Take(c, 4), false);
    case 0xde:
      return UnpackAggregate(L, c, Take(c, 2), true);
    case 0xdf:
      return UnpackAggregate(L, c, Take(c, 4), true);
    default:
      c->error = true;
      return lua_pushnil(L);
  }
}

int MsgpackUnpack(lua_State* L) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  Cursor c{reinterpret_cast<const unsigned char*>(s), len};
  int n = 0;
  while (c.left > 0 && !c.error) {
    luaL_checkstack(L, 2, "too many values");
    UnpackValue(L, &c);
    ++n;
  }
  if (c.error) return luaL_error(L, "Bad data format in input.");
  return n;
}

}  // namespace

void OpenStructAndMsgpack(lua_State* L) {
  const luaL_Reg structlib[] = {
      {"pack", StructPack}, {"unpack", StructUnpack}, {"size", StructSize}, {nullptr, nullptr}};
  lua_newtable(L);
  for (const luaL_Reg* r = structlib; r->name; ++r) {
    lua_pushcfunction(L, r->func);
    lua_setfield(L, -2, r->name);
  }
  lua_setglobal(L, "struct");
  const luaL_Reg msgpack[] = {{"pack", MsgpackPack}, {"unpack", MsgpackUnpack}, {nullptr, nullptr}};
  lua_newtable(L);
  for (const luaL_Reg* r = msgpack; r->name; ++r) {
    lua_pushcfunction(L, r->func);
    lua_setfield(L, -2, r->name);
  }
  lua_setglobal(L, "cmsgpack");
}

}  // namespace basalt::server
