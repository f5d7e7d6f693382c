// connection_pool.h — a small bounded pool of database connections for the
// row sources. Private to authz::entity_sources.
//
// Contract: acquire() hands out an idle connection, or opens a new one
// (through `open`, outside the lock) while fewer than `size` exist, or waits
// up to `wait_ms` for one to be released; it fails with a message otherwise.
// release(nullptr) drops a broken connection (the next acquire opens a new
// one). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "runtime/result.h"

namespace authz::entity_sources {

template <class Connection>
class ConnectionPool {
 public:
  using Opener = std::function<runtime::Result<std::unique_ptr<Connection>>()>;
  ConnectionPool(int size, int wait_ms, Opener open) : size_(size), wait_ms_(wait_ms), open_(std::move(open)) {}

  // Adds an already open connection (the one start-up checked with).
  void adopt(std::unique_ptr<Connection> connection) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
    ++opened_;
  }

  std::optional<std::string> acquire(std::unique_ptr<Connection>& out) {
    std::unique_lock lock(mutex_);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms_);
    while (idle_.empty() && opened_ >= size_) {
      if (available_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() && opened_ >= size_) {
        return "no connection free within " + std::to_string(wait_ms_) + " ms";
      }
    }
    if (!idle_.empty()) {
      out = std::move(idle_.back());
      idle_.pop_back();
      return std::nullopt;
    }
    ++opened_;
    lock.unlock();
    auto connection = open_();
    if (!connection.ok()) {
      lock.lock();
      --opened_;
      available_.notify_one();
      return connection.error();
    }
    out = std::move(connection.value());
    return std::nullopt;
  }

  void release(std::unique_ptr<Connection> connection) {
    std::lock_guard lock(mutex_);
    if (connection) idle_.push_back(std::move(connection));
    else --opened_;
    available_.notify_one();
  }

 private:
  int size_;
  int wait_ms_;
  Opener open_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int opened_ = 0;
};

}  // namespace authz::entity_sources
