// diagnostics.h — user mistakes as data: {code, severity, span, message, notes, help}.
//
// Contract: every stage reports problems into a DiagnosticSink and keeps going;
// nothing throws for a user mistake. Messages follow Cedar's style: lowercase,
// no trailing period, no line breaks, user input in backticks, never an
// implementation type name; details go into `help` and `notes`.
// Rendering (text and JSON) lives in diagnostic_printer.h.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/source.h"

namespace authz {

enum class Severity { Error, Warning };

enum class DiagCode {
#define AUTHZ_DIAGNOSTIC(name, code, severity, summary) name,
#include "compiler/diagnostic_codes.def"
#undef AUTHZ_DIAGNOSTIC
};

std::string_view code_string(DiagCode code);      // "E0201"
std::string_view code_summary(DiagCode code);     // "unknown tool, ..."
Severity default_severity(DiagCode code);

struct DiagnosticNote {
  Span span;  // may be invalid for a note without a location
  std::string message;
};

struct Diagnostic {
  DiagCode code;
  Severity severity;
  Span span;
  std::string message;
  std::vector<DiagnosticNote> notes;
  std::string help;  // empty when there is nothing to add
};

class DiagnosticSink {
 public:
  // Stops recording (but keeps counting) after this many errors, then adds one
  // E0014 diagnostic; protects against binary garbage producing millions.
  static constexpr std::size_t kMaxErrors = 100;

  Diagnostic& report(DiagCode code, Span span, std::string message, std::string help = {});

  bool has_errors() const { return error_count_ > 0; }
  std::size_t error_count() const { return error_count_; }
  std::size_t warning_count() const { return warning_count_; }

  // Messages, helps and notes longer than this are cut (ending in `...`)
  // by take_sorted: they quote user input, which may be one enormous name,
  // and no output format may print an unbounded piece of a file.
  static constexpr std::size_t kMaxMessageBytes = 1024;

  // Sorted by file, offset, code; exact duplicates removed; texts bounded.
  std::vector<Diagnostic> take_sorted();
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
  Diagnostic overflow_sink_;
  std::size_t error_count_ = 0;
  std::size_t warning_count_ = 0;
  bool overflowed_ = false;
};

}  // namespace authz
