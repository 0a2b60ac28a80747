#include "server/client.h"

namespace basalt::server {

std::string Client::name() const {
  std::lock_guard<std::mutex> l(mu_);
  return name_;
}

void Client::set_name(std::string name) {
  std::lock_guard<std::mutex> l(mu_);
  name_ = std::move(name);
}

std::string Client::last_command() const {
  std::lock_guard<std::mutex> l(mu_);
  return last_command_;
}

void Client::set_last_command(std::string_view cmd) {
  std::lock_guard<std::mutex> l(mu_);
  last_command_.assign(cmd);
}

std::string Client::lib_name() const {
  std::lock_guard<std::mutex> l(mu_);
  return lib_name_;
}

std::string Client::lib_ver() const {
  std::lock_guard<std::mutex> l(mu_);
  return lib_ver_;
}

void Client::set_lib(std::string_view name, std::string_view ver, bool set_name, bool set_ver) {
  std::lock_guard<std::mutex> l(mu_);
  if (set_name) lib_name_.assign(name);
  if (set_ver) lib_ver_.assign(ver);
}

}  // namespace basalt::server
