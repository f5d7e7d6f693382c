// policy_file.cpp — see policy_file.h.
#include "tools/gateway/policy_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace authz::gateway {

runtime::Result<runtime::Engine> load_policy_file(const std::string& path, const runtime::TrustedKeys& trusted_keys) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return runtime::Result<runtime::Engine>::failure("cannot read the policy table `" + path + "`: " +
                                                     std::strerror(errno));
  }
  std::ostringstream bytes;
  bytes << file.rdbuf();
  if (file.bad()) {
    return runtime::Result<runtime::Engine>::failure("cannot read the policy table `" + path + "`");
  }
  auto engine = trusted_keys.empty() ? runtime::Engine::load(bytes.str())
                                     : runtime::Engine::load(bytes.str(), trusted_keys);
  if (!engine.ok()) {
    return runtime::Result<runtime::Engine>::failure("the policy table `" + path + "` does not load: " +
                                                     engine.error());
  }
  return engine;
}

runtime::Result<runtime::TrustedKeys> load_trusted_keys(const std::vector<std::string>& paths) {
  runtime::TrustedKeys keys;
  for (const std::string& path : paths) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
      return runtime::Result<runtime::TrustedKeys>::failure("cannot read the trusted key `" + path +
                                                            "`: " + std::strerror(errno));
    }
    std::ostringstream pem;
    pem << file.rdbuf();
    auto added = keys.add_pem(pem.str());
    if (!added.ok()) {
      return runtime::Result<runtime::TrustedKeys>::failure("the trusted key `" + path + "` is refused: " +
                                                            added.error());
    }
  }
  return runtime::Result<runtime::TrustedKeys>::success(std::move(keys));
}

FileStamp stamp_file(const std::string& path) {
  struct stat info {};
  FileStamp stamp;
  if (::stat(path.c_str(), &info) != 0) return stamp;
  stamp.device = static_cast<std::uint64_t>(info.st_dev);
  stamp.inode = static_cast<std::uint64_t>(info.st_ino);
  stamp.size = static_cast<std::int64_t>(info.st_size);
  stamp.modified_ns = static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
  return stamp;
}

}  // namespace authz::gateway
