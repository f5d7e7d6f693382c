// json_string.h — the one JSON string writer, with the variants the output
// formats need.
//
// Contract: append_json_string appends `text` as one JSON string literal
// (with its quotes). Every style escapes `"`, `\` and U+0000..U+001F (`\n`
// and `\t` by their short forms, the rest as `\u00xx` in lowercase hex unless
// the style names a short form), so the result is always a JSON string whose
// value is `text` — except where `text` is not valid UTF-8 and the style
// replaces the bad bytes (each byte of an invalid sequence becomes one
// U+FFFD). `/` and valid non-ASCII characters are never escaped unless the
// style says so. The styles differ only in details the existing outputs
// already fixed byte for byte (audit chains hash their records; goldens and
// clients compare the others); tests/unit/text_layer_test.cpp pins each:
//
//   style             \b \f  \r      DEL      invalid UTF-8      U+2028/9
//   kValueJson        short  short   as is    copied as is (*)   as is
//   kLanguageLiteral  short  short   \u007F   copied as is       as is
//   kAuditJson        short  short   as is    U+FFFD (raw)       as is
//   kGatewayJson      \u00xx \u000d  \u007f   U+FFFD (raw)       as is
//   kReportJson       \u00xx short   \u007f   \ufffd (escaped)   as is
//   kDiagnosticJson   \u00xx short   \u007f   \ufffd (escaped)   \u2028/\u2029
//
// kLanguageLiteral writes the policy language's string literals (the AST
// dump's), whose escapes are JSON's; its `\u` escapes use uppercase hex.
// (*) kValueJson is the hot path (decisions, traces, table dumps): the
// runtime's strings come from validated JSON and tables, so it trusts them
// and only scans for the bytes JSON must escape.
// Private to the project (not installed); compiler/, tools/ and bench/ include it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace authz::runtime::internal {

enum class InvalidUtf8 : std::uint8_t {
  CopyAsIs,        // the caller vouches for its text
  Replace,         // U+FFFD as its three UTF-8 bytes
  EscapeReplace,   // U+FFFD as the six characters `\ufffd`
};

struct JsonStringStyle {
  bool short_backspace_formfeed;  // `\b` `\f` (else `\u0008` `\u000c`)
  bool short_return;              // `\r` (else `\u000d`)
  bool escape_delete;             // DEL as `\u007f` (else as it is)
  InvalidUtf8 invalid_utf8;
  bool escape_line_separators;    // U+2028/U+2029 as `\u2028`/`\u2029` (safe inside JavaScript)
  bool uppercase_hex = false;     // `\u001F` (else `\u001f`)
};

// Runtime values, traces, table dumps, decisions and the audit record's values.
inline constexpr JsonStringStyle kValueJson{true, true, false, InvalidUtf8::CopyAsIs, false};
// The policy language's string literals, as the AST dump writes them.
inline constexpr JsonStringStyle kLanguageLiteral{true, true, true, InvalidUtf8::CopyAsIs, false, true};
// Audit record fields: one output per input, every line valid UTF-8.
inline constexpr JsonStringStyle kAuditJson{true, true, false, InvalidUtf8::Replace, false};
// The gateways' own JSON-RPC messages (errors, tool error results, notifications).
inline constexpr JsonStringStyle kGatewayJson{false, false, true, InvalidUtf8::Replace, false};
// The compiler's reports: SARIF, `authzc test --format json`, policy test fixtures.
inline constexpr JsonStringStyle kReportJson{false, true, true, InvalidUtf8::EscapeReplace, false};
// `authzc ... --format json` diagnostics.
inline constexpr JsonStringStyle kDiagnosticJson{false, true, true, InvalidUtf8::EscapeReplace, true};

void append_json_string(std::string& out, std::string_view text, const JsonStringStyle& style);
std::string json_string(std::string_view text, const JsonStringStyle& style);

}  // namespace authz::runtime::internal
