// basalt-server: a persistent, disk-backed database that speaks the Redis protocol.
// Usage: basalt-server [/path/to/basalt.conf] [--name value ...]
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <cstring>
#include <iostream>

#include "server/config.h"
#include "server/server.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << "Usage: basalt-server [config-file] [--name value ...]\n"
                 "Options are Redis configuration names, e.g. --port 6380 --dir ./data\n";
    return 0;
  }
  if (!args.empty() && (args[0] == "--version" || args[0] == "-v")) {
    std::cout << "basalt-server v=0.1.0 (redis_version 7.0.15 compatible)\n";
    return 0;
  }
  basalt::server::Config config;
  std::string err = config.LoadArgs(args);
  if (!err.empty()) {
    std::cerr << "basalt-server: " << err << "\n";
    return 1;
  }
  std::string logfile = config.GetString("logfile");
  if (!logfile.empty()) {
    spdlog::set_default_logger(spdlog::basic_logger_mt("basalt", logfile));
  }
  spdlog::flush_on(spdlog::level::info);
  (void)config.Set("loglevel", config.GetString("loglevel"), false);
  basalt::server::Server server(&config);
  return server.Run();
}
