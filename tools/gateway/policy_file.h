// policy_file.h — the decision table the gateway enforces, read from disk,
// and how to notice that the file changed.
//
// Contract: load_policy_file reads a table file (`authzc build` output) and
// returns an Engine or one lowercase message; with trusted keys (non-empty)
// the table must also be signed by one of them (runtime/table_signature.h),
// so an unsigned table, an unknown key or a bad signature does not load.
// load_trusted_keys reads PEM public key files. An invalid table never
// replaces a good one (the caller keeps the old Engine on failure).
// FileStamp identifies a version of the file by device, inode, size and
// modification time, so both an in-place rewrite and an atomic rename (how
// authzc writes) count as a change. Nothing throws.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/engine.h"
#include "runtime/result.h"
#include "runtime/table_signature.h"

namespace authz::gateway {

runtime::Result<runtime::Engine> load_policy_file(const std::string& path,
                                                  const runtime::TrustedKeys& trusted_keys = {});

runtime::Result<runtime::TrustedKeys> load_trusted_keys(const std::vector<std::string>& paths);

struct FileStamp {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::int64_t size = -1;  // -1: the file could not be stat'ed
  std::int64_t modified_ns = 0;
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

FileStamp stamp_file(const std::string& path);

}  // namespace authz::gateway
