// literals.h — decoding the literal tokens of .authz (strings, integers,
// durations, timestamps) and the wording of their errors.
//
// Contract: one implementation shared by both parsers in compiler/parse.cpp
// (the ANTLR adapter, which reports every problem) and compiler/fast_parse.cpp
// (which declines to the ANTLR path at the first one), so a literal decodes to
// the same value and the same diagnostic whichever parser read it. Inputs are
// the token's exact text, which the lexer has already shaped (digits only for
// an Int, the grammar's TIMESTAMP / DURATION shapes, a quoted STRING). Nothing
// here throws on any input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diagnostics.h"

namespace authz {

// One problem in a literal. Offsets are bytes relative to the token's first
// byte (so the caller adds the token's own byte offset).
struct LiteralProblem {
  DiagCode code;
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  std::string message;
  std::string help;
};

// Each decoder stores the value and returns true when the literal is fine.
// On a problem it returns false; with `problems` it records every problem
// (and keeps decoding, as diagnostics want), without it it stops at the first
// (the fast path only needs to know that it must decline).

// A STRING token including its quotes: JSON escapes, \uXXXX with surrogate
// pairs. `unterminated`: the token lacks its closing quote (E0002 was
// reported), so escape problems are not reported again.
bool decode_string_literal(std::string_view raw, bool unterminated, std::string& out,
                           std::vector<LiteralProblem>* problems);
// INT: an Int64, or E0010 when too large (value 0).
bool decode_int_literal(std::string_view digits, std::int64_t& value, std::vector<LiteralProblem>* problems);
// DURATION (`1h30m`, `250ms`): milliseconds, or E0010 on overflow (value 0).
bool decode_duration_literal(std::string_view text, std::int64_t& value, std::vector<LiteralProblem>* problems);
// TIMESTAMP: milliseconds since the Unix epoch, UTC, or E0009 when the
// calendar or clock is wrong (value 0).
bool decode_timestamp_literal(std::string_view text, std::int64_t& value, std::vector<LiteralProblem>* problems);

// ---- wording shared by every parse diagnostic ----

// `\xNN` for one byte.
std::string hex_byte(unsigned char byte);
// Length of the UTF-8 sequence starting with `lead` (1 for anything invalid).
std::size_t utf8_sequence_length(unsigned char lead);
// User text in backticks for a message: control bytes as \xNN, cut after 32
// code points so a runaway token does not flood the terminal.
std::string quote(std::string_view text);

}  // namespace authz
