// A thread that runs Lua scripts for one worker, so that the worker's loop keeps serving its
// other connections (-BUSY replies, SCRIPT KILL, SHUTDOWN NOSAVE) while a script runs. Tasks
// run one at a time, in the order they were posted; the thread owns its own Lua interpreter
// (LuaRuntime::ForThread). See server/scripting.h for how a script's reply gets back.
//
// Thread-safety: Post and Stop may be called from any thread.
#ifndef BASALT_SERVER_SCRIPT_EXECUTOR_H_
#define BASALT_SERVER_SCRIPT_EXECUTOR_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace basalt::server {

class ScriptExecutor {
 public:
  ScriptExecutor();
  ~ScriptExecutor();  // Stop()

  ScriptExecutor(const ScriptExecutor&) = delete;
  ScriptExecutor& operator=(const ScriptExecutor&) = delete;

  // Queues `task` to run on the executor thread. Returns false, dropping it, once stopped.
  bool Post(std::function<void()> task);
  // Drops the tasks not yet started, waits for the running one to return and joins the
  // thread. Idempotent.
  void Stop();

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace basalt::server

#endif  // BASALT_SERVER_SCRIPT_EXECUTOR_H_
