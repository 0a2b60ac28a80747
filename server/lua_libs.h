// Lua libraries Redis bundles that Debian lacks as Lua 5.1 modules: `struct` and `cmsgpack`
// (subsets; see lua_libs.cc). Thread-safety: operates on the caller's lua_State only.
#ifndef BASALT_SERVER_LUA_LIBS_H_
#define BASALT_SERVER_LUA_LIBS_H_

struct lua_State;

namespace basalt::server {

// Sets the globals `struct` and `cmsgpack`.
void OpenStructAndMsgpack(lua_State* L);

}  // namespace basalt::server

#endif  // BASALT_SERVER_LUA_LIBS_H_
