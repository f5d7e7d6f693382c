// table_reader.h — table-file bytes back into a Model, treating them as
// untrusted input.
//
// Contract: read_table never crashes, never reads out of bounds and never
// allocates more than the input can justify (every count is checked against
// the bytes left before anything is reserved). It fails with one message,
// distinct per cause:
//   "not an authz decision table (wrong magic)"
//   "truncated table: ..."                       (header or body cut short)
//   "unsupported table format version N ..."       (1: unsigned, 2: signed)
//   "corrupt table: ..."                         (header fields, trailing bytes)
//   "table checksum mismatch: ..."               (body bytes changed)
//   "corrupt table body: ... at byte N"          (checksum ok, cannot decode)
//   "invalid table: ..."                         (decodes, breaks a Model rule)
// On success the Model passed find_model_error and policy_hash is the body's
// SHA-256 in lowercase hex. A body of 1 MiB or more is hashed on a second
// thread while this one decodes it; the checksum is judged first, so changed
// bytes always give the checksum message. A signed table (version 2) must end
// in a well-formed signature block; read_table reports its signer but does
// not verify the signature: TrustedKeys::check (table_signature.h) does.
#pragma once

#include <string>
#include <string_view>

#include "runtime/result.h"
#include "runtime/table_model.h"

namespace authz::runtime {

// The whole refusal of a table whose body does not match its checksum.
inline constexpr std::string_view kChecksumMismatch = "table checksum mismatch: the file is corrupt or was modified";

struct LoadedTable {
  Model model;
  std::string policy_hash;
  std::string signer_key_id;  // the signing key's id for a signed table (unverified), else ""
};

Result<LoadedTable> read_table(std::string_view bytes);

}  // namespace authz::runtime
