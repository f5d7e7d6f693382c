// format.h — `authzc fmt`: one canonical layout for .authz files.
//
// Contract: format_source returns the canonical text of a file the parser
// accepts, or the parser's diagnostics (the text is then not formatted).
// Comments (`//`, `/* */`) and doc comments (`///`) are kept byte for byte,
// in order. The result is checked before it is returned: it must parse to
// the same tree (ast::dump equal, doc comments included), keep the same
// comments, and format to itself; if any check fails the result is an
// internal error and the caller must leave the file alone. Never throws.
//
// The layout (docs/lint.md, "The canonical layout"): 2-space indent, lines up to 100
// columns, `\n` line ends, one final newline, trailing spaces removed
// outside comments; at most one empty line kept where the author left one
// (between declarations, fields, parameters and comments); declarations
// start in column 1 with their doc comments directly above; fields one per
// line with a trailing comma; parameters on one line when they fit and none
// has a doc comment or comment, else one per line with a trailing comma;
// rules and grants: the head (`allow id: subjects may targets`) on one line,
// targets wrapped at 100 columns with a 4-space continuation, then each
// clause on its own line indented by 2 (`from ... until ...` share one),
// except that a rule written on one line that fits and holds no comment
// stays on it;
// a condition longer than the line breaks before each top-level `||` (or,
// without one, `&&`) with a 4-space indent; single spaces around binary
// operators and after commas and colons, none inside brackets, around `.`,
// after `!` and unary `-`, or inside type arguments (`Map<String, Int>?`).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diagnostics.h"
#include "compiler/source.h"

namespace authz::format {

inline constexpr std::size_t kLineWidth = 100;

struct FormatResult {
  std::optional<std::string> text;       // the canonical text, when formatting succeeded
  std::vector<Diagnostic> diagnostics;   // syntax errors (the file is not formatted)
  std::string internal_error;            // non-empty: the formatter failed its own checks
};

// `path` names the file in diagnostics; `sources` receives the file (and the
// formatted text, for the re-parse check).
FormatResult format_source(SourceManager& sources, const std::string& path, std::string text);

// The layout alone, without parsing or checks (tests and format_source use it).
std::string layout(std::string_view text);

}  // namespace authz::format
