// table_format.h — the table file's fixed header and signature block, shared
// by writer, reader and signer.
//
// Contract: a table file is a 56-byte header followed by the body:
//   offset  0  8 bytes  magic "AUTHZTBL"
//   offset  8  u32      format version: 1 unsigned, 2 signed
//   offset 12  u32      header size (56)
//   offset 16  u64      body length in bytes
//   offset 24  32 bytes SHA-256 of the body (also the policy hash)
// A version-2 (signed) file has, after the body, exactly one 108-byte
// signature block (table_signature.h says what is signed):
//   offset  0  8 bytes  magic "AUTHZSIG"
//   offset  8  u32      algorithm (1: Ed25519)
//   offset 12  32 bytes key id: SHA-256 of the signer's public key (DER SubjectPublicKeyInfo)
//   offset 44  64 bytes the Ed25519 signature
// All integers little-endian. The body is the same in both versions, so a
// policy's hash does not depend on whether (or by whom) it was signed. The
// body layout is documented in table_writer.cpp (which produces it) and
// decoded field by field in table_reader.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace authz::runtime::internal {

inline constexpr std::string_view kTableMagic = "AUTHZTBL";
inline constexpr std::uint32_t kTableFormatVersion = 1;
inline constexpr std::uint32_t kSignedTableFormatVersion = 2;
inline constexpr std::size_t kTableHeaderSize = 56;
inline constexpr std::size_t kVersionOffset = 8;
inline constexpr std::size_t kHeaderSizeOffset = 12;
inline constexpr std::size_t kBodyLengthOffset = 16;
inline constexpr std::size_t kChecksumOffset = 24;

inline constexpr std::string_view kSignatureMagic = "AUTHZSIG";
inline constexpr std::uint32_t kSignatureEd25519 = 1;
inline constexpr std::size_t kSignatureBlockSize = 108;
inline constexpr std::size_t kSignatureAlgorithmOffset = 8;
inline constexpr std::size_t kSignatureKeyIdOffset = 12;
inline constexpr std::size_t kSignatureKeyIdSize = 32;
inline constexpr std::size_t kSignatureValueOffset = 44;
inline constexpr std::size_t kSignatureValueSize = 64;
// Prefixed to what is signed, so a table signature can never be replayed as
// a signature over anything else made with the same key.
inline constexpr std::string_view kSignatureContext{"authz decision table signature v1\0", 34};

}  // namespace authz::runtime::internal
