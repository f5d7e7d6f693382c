// table_format.h — the table file's fixed header, shared by writer and reader.
//
// Contract: a table file is a 56-byte header followed by the body:
//   offset  0  8 bytes  magic "AUTHZTBL"
//   offset  8  u32      format version (kTableFormatVersion)
//   offset 12  u32      header size (56)
//   offset 16  u64      body length in bytes
//   offset 24  32 bytes SHA-256 of the body (also the policy hash)
// All integers little-endian. The body layout is documented in table_writer.cpp
// (which produces it) and decoded field by field in table_reader.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace authz::runtime::internal {

inline constexpr std::string_view kTableMagic = "AUTHZTBL";
inline constexpr std::uint32_t kTableFormatVersion = 1;
inline constexpr std::size_t kTableHeaderSize = 56;
inline constexpr std::size_t kVersionOffset = 8;
inline constexpr std::size_t kHeaderSizeOffset = 12;
inline constexpr std::size_t kBodyLengthOffset = 16;
inline constexpr std::size_t kChecksumOffset = 24;

}  // namespace authz::runtime::internal
