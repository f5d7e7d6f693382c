// session_table.h — the HTTP front's sessions by id, each bound to the user
// who created it.
//
// Contract: new_session_id() is 16 bytes from OpenSSL's RAND_bytes as 32
// lowercase hex digits (empty if the generator fails: the caller refuses to
// create a session). SessionTable<T> maps ids to shared sessions; find()
// returns the session only to its owner (same issuer and same subject):
// another user presenting the id gets OtherUser (the front answers 404, as
// for an unknown id, and writes an audit record), so a leaked or guessed
// id never lets one user act in another's session. insert() refuses beyond
// `max_total` sessions or `max_per_user` for one owner. All members are
// thread-safe (one mutex, held for map operations only).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace authz::http {

std::string new_session_id();

struct SessionOwner {
  std::string issuer;
  std::string subject;
  friend bool operator==(const SessionOwner&, const SessionOwner&) = default;
  friend auto operator<=>(const SessionOwner&, const SessionOwner&) = default;
};

enum class SessionLookup { Found, Unknown, OtherUser };
enum class SessionInsert { Inserted, TooMany, TooManyForUser, Duplicate };

template <class T>
class SessionTable {
 public:
  SessionTable(std::size_t max_total, std::size_t max_per_user) : max_total_(max_total), max_per_user_(max_per_user) {}

  SessionInsert insert(const std::string& id, const SessionOwner& owner, std::shared_ptr<T> session) {
    std::lock_guard lock(mutex_);
    if (sessions_.size() >= max_total_) return SessionInsert::TooMany;
    std::size_t& count = per_user_[owner];
    if (count >= max_per_user_) return SessionInsert::TooManyForUser;
    if (!sessions_.emplace(id, Entry{owner, std::move(session)}).second) return SessionInsert::Duplicate;
    ++count;
    return SessionInsert::Inserted;
  }

  SessionLookup find(std::string_view id, const SessionOwner& caller, std::shared_ptr<T>& out) const {
    std::lock_guard lock(mutex_);
    auto found = sessions_.find(std::string(id));
    if (found == sessions_.end()) return SessionLookup::Unknown;
    if (!(found->second.owner == caller)) return SessionLookup::OtherUser;
    out = found->second.session;
    return SessionLookup::Found;
  }

  std::shared_ptr<T> erase(std::string_view id) {
    std::lock_guard lock(mutex_);
    auto found = sessions_.find(std::string(id));
    if (found == sessions_.end()) return nullptr;
    auto session = std::move(found->second.session);
    auto count = per_user_.find(found->second.owner);
    if (count != per_user_.end() && --count->second == 0) per_user_.erase(count);
    sessions_.erase(found);
    return session;
  }

  std::vector<std::pair<std::string, std::shared_ptr<T>>> all() const {
    std::lock_guard lock(mutex_);
    std::vector<std::pair<std::string, std::shared_ptr<T>>> out;
    out.reserve(sessions_.size());
    for (const auto& [id, entry] : sessions_) out.emplace_back(id, entry.session);
    return out;
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return sessions_.size();
  }

 private:
  struct Entry {
    SessionOwner owner;
    std::shared_ptr<T> session;
  };
  std::size_t max_total_, max_per_user_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> sessions_;
  std::map<SessionOwner, std::size_t> per_user_;
};

}  // namespace authz::http
