// diagnostics.cpp — code tables and the collecting sink (which also bounds
// the length of every message, see diagnostics.h).
#include "compiler/diagnostics.h"

#include <algorithm>
#include <tuple>

namespace authz {
namespace {

struct CodeInfo {
  std::string_view code;
  Severity severity;
  std::string_view summary;
};

constexpr CodeInfo kCodes[] = {
#define AUTHZ_DIAGNOSTIC(name, code, severity, summary) {code, Severity::severity, summary},
#include "compiler/diagnostic_codes.def"
#undef AUTHZ_DIAGNOSTIC
};

// Cuts `text` to at most kMaxMessageBytes (at a UTF-8 character boundary),
// marking the cut with `...`.
void bound(std::string& text) {
  if (text.size() <= DiagnosticSink::kMaxMessageBytes) return;
  std::size_t cut = DiagnosticSink::kMaxMessageBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  text += "...";
}

}  // namespace

std::string_view code_string(DiagCode code) { return kCodes[static_cast<int>(code)].code; }
std::string_view code_summary(DiagCode code) { return kCodes[static_cast<int>(code)].summary; }
Severity default_severity(DiagCode code) { return kCodes[static_cast<int>(code)].severity; }

Diagnostic& DiagnosticSink::report(DiagCode code, Span span, std::string message, std::string help) {
  Severity severity = default_severity(code);
  if (severity == Severity::Error) ++error_count_; else ++warning_count_;
  if (error_count_ > kMaxErrors) {
    if (!overflowed_) {
      overflowed_ = true;
      diagnostics_.push_back({DiagCode::TooManyErrors, Severity::Error, span,
                              "too many errors, stopped reporting after " + std::to_string(kMaxErrors),
                              {}, "fix the errors above and run the check again"});
    }
    overflow_sink_ = Diagnostic{code, severity, span, {}, {}, {}};
    return overflow_sink_;
  }
  diagnostics_.push_back({code, severity, span, std::move(message), {}, std::move(help)});
  return diagnostics_.back();
}

std::vector<Diagnostic> DiagnosticSink::take_sorted() {
  for (Diagnostic& d : diagnostics_) {
    bound(d.message);
    bound(d.help);
    for (DiagnosticNote& note : d.notes) bound(note.message);
  }
  auto key = [](const Diagnostic& d) {
    return std::tuple(d.span.file, d.span.begin, d.span.end, static_cast<int>(d.code), std::string_view(d.message));
  };
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
  diagnostics_.erase(std::unique(diagnostics_.begin(), diagnostics_.end(),
                                 [&](const Diagnostic& a, const Diagnostic& b) { return key(a) == key(b); }),
                     diagnostics_.end());
  return std::move(diagnostics_);
}

}  // namespace authz
