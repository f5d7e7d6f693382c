// diagnostic_printer.cpp — renders diagnostics as Rust-style text or as JSON.
//
// Contract (see diagnostic_printer.h): text output is, per diagnostic, a
// header line, the location, the source line with a caret underline, then the
// notes in their given order (a located note gets its own `note:` header,
// location and excerpt; an unlocated one is a `= note:` line), then `= help:`.
// Diagnostics are separated by a blank line and followed by one summary line.
// Every piece of user-controlled text (source lines, messages, paths) goes
// through one sanitiser, so control bytes, bidi overrides, invisible
// characters (compiler/invisible_chars.h) and invalid UTF-8
// can neither garble a terminal nor shift the caret. Tabs expand to four
// columns in both the source line and the underline. JSON output is built by
// hand with a strict escaper, so it is always valid UTF-8 JSON.
#include "compiler/diagnostic_printer.h"

#include <fmt/format.h>
#include <llvm/ADT/StringRef.h>
#include <llvm/Support/Unicode.h>

#include <algorithm>
#include <cstdint>
#include <optional>

#include "compiler/invisible_chars.h"
#include "runtime/internal/json_string.h"
#include "runtime/internal/utf8.h"
#include "runtime/internal/value_text.h"

namespace authz {
namespace {

// ---- UTF-8 (decoding: runtime::internal::decode_utf8) --------------------------------

// A span the printer can point into (a stale or foreign FileId is treated as
// "no location" rather than read out of bounds).
bool located(const SourceManager& sources, const Span& span) {
  return span.valid() && span.file < sources.file_count();
}

constexpr int kTabWidth = 4;

// Source lines longer than this are shown as a window around the span, which
// starts this many bytes before the span.
constexpr std::size_t kMaxExcerptBytes = 200;
constexpr std::size_t kExcerptLead = 60;

bool is_continuation(char byte) { return (static_cast<unsigned char>(byte) & 0xC0) == 0x80; }

// One code point (or one invalid byte) as it is shown, and how many terminal
// columns that takes.
struct Shown {
  std::string text;
  int width = 0;
};

Shown show_code_point(std::string_view text, std::size_t pos, std::size_t* length, bool expand_tabs) {
  runtime::internal::Utf8Char decoded = runtime::internal::decode_utf8(text, pos);
  if (decoded.length == 0) {
    *length = 1;
    std::string escaped = fmt::format("\\x{:02x}", static_cast<unsigned char>(text[pos]));
    int width = static_cast<int>(escaped.size());
    return {std::move(escaped), width};
  }
  *length = decoded.length;
  char32_t c = decoded.code_point;
  if (c == '\t' && expand_tabs) return {std::string(kTabWidth, ' '), kTabWidth};
  std::string_view bytes = text.substr(pos, decoded.length);
  int width = -1;
  if (c >= 0x20 && c != 0x7F && !(c >= 0x80 && c < 0xA0) && !is_invisible_char(c)) {
    width = llvm::sys::unicode::columnWidthUTF8(llvm::StringRef(bytes.data(), bytes.size()));
  }
  if (width < 0) {
    std::string escaped = fmt::format("\\u{{{:x}}}", static_cast<std::uint32_t>(c));
    int escaped_width = static_cast<int>(escaped.size());
    return {std::move(escaped), escaped_width};
  }
  return {std::string(bytes), width};
}

// User-controlled text for a single output line (messages, paths): anything
// that is not safely printable is escaped, including tabs and newlines.
std::string sanitize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t length = 0;
    out += show_code_point(text, pos, &length, /*expand_tabs=*/false).text;
    pos += length;
  }
  return out;
}

// A source line as displayed, plus the display column at every byte offset
// (so spans, which are byte offsets, map onto the underline).
struct DisplayLine {
  std::string text;
  std::vector<int> column_at_byte;  // size = bytes + 1; last entry = total width
};

DisplayLine display_line(std::string_view line) {
  DisplayLine shown;
  shown.column_at_byte.assign(line.size() + 1, 0);
  int column = 0;
  for (std::size_t pos = 0; pos < line.size();) {
    std::size_t length = 0;
    Shown piece = show_code_point(line, pos, &length, /*expand_tabs=*/true);
    for (std::size_t i = 0; i < length; ++i) shown.column_at_byte[pos + i] = column;
    shown.text += piece.text;
    column += piece.width;
    pos += length;
  }
  shown.column_at_byte[line.size()] = column;
  return shown;
}

// ---- text -----------------------------------------------------------------

struct Style {
  bool color = false;
  std::string paint(std::string_view code, std::string_view text) const {
    if (!color) return std::string(text);
    return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
  }
  static constexpr std::string_view kBold = "1";
  static constexpr std::string_view kError = "1;31";
  static constexpr std::string_view kWarning = "1;33";
  static constexpr std::string_view kNote = "1;32";
  static constexpr std::string_view kHelp = "1;36";
  static constexpr std::string_view kGutter = "1;34";
};

std::string_view severity_word(Severity severity) {
  return severity == Severity::Error ? "error" : "warning";
}

std::size_t digit_count(std::uint32_t value) {
  std::size_t digits = 1;
  while (value >= 10) { value /= 10; ++digits; }
  return digits;
}

std::string plural(std::size_t count, std::string_view noun) {
  return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

class TextRenderer {
 public:
  TextRenderer(const SourceManager& sources, bool color) : sources_(sources), style_{color} {}

  void render(const Diagnostic& diagnostic) {
    width_ = gutter_width(diagnostic);
    std::string_view severity_style = diagnostic.severity == Severity::Error ? Style::kError : Style::kWarning;
    out_ += style_.paint(severity_style, fmt::format("{}[{}]", severity_word(diagnostic.severity),
                                                      code_string(diagnostic.code)));
    out_ += style_.paint(Style::kBold, ": " + sanitize(diagnostic.message));
    out_ += '\n';
    if (located(sources_, diagnostic.span)) excerpt(diagnostic.span, severity_style);
    for (const DiagnosticNote& note : diagnostic.notes) {
      if (located(sources_, note.span)) {
        out_ += style_.paint(Style::kNote, "note");
        out_ += ": " + sanitize(note.message) + '\n';
        excerpt(note.span, Style::kNote);
      } else {
        trailer("note", Style::kNote, note.message);
      }
    }
    if (!diagnostic.help.empty()) trailer("help", Style::kHelp, diagnostic.help);
  }

  void summary(std::size_t errors, std::size_t warnings) {
    if (errors > 0) {
      std::string counts = plural(errors, "error");
      if (warnings > 0) counts += ", " + plural(warnings, "warning");
      out_ += style_.paint(Style::kError, "error");
      out_ += style_.paint(Style::kBold, ": could not check policy: " + counts);
      out_ += '\n';
    } else if (warnings > 0) {
      out_ += style_.paint(Style::kWarning, "warning");
      out_ += style_.paint(Style::kBold, ": " + plural(warnings, "warning"));
      out_ += '\n';
    }
  }

  std::string take() { return std::move(out_); }
  void blank_line() { out_ += '\n'; }

 private:
  // Wide enough for the largest line number this diagnostic prints.
  std::size_t gutter_width(const Diagnostic& diagnostic) const {
    std::uint32_t largest = 1;
    auto consider = [&](const Span& span) {
      if (located(sources_, span)) largest = std::max(largest, sources_.line_column(span.file, span.begin).line);
    };
    consider(diagnostic.span);
    for (const DiagnosticNote& note : diagnostic.notes) consider(note.span);
    return digit_count(largest);
  }

  std::string pad() const { return std::string(width_, ' '); }

  void gutter_only() { out_ += pad() + ' ' + style_.paint(Style::kGutter, "|") + '\n'; }

  void excerpt(const Span& span, std::string_view caret_style) {
    LineColumn start = sources_.line_column(span.file, span.begin);
    out_ += pad() + style_.paint(Style::kGutter, "-->");
    out_ += fmt::format(" {}:{}:{}\n", sanitize(sources_.path(span.file)), start.line, start.column);
    gutter_only();

    std::string_view text = sources_.text(span.file);
    std::string_view line = sources_.line_text(span.file, start.line);
    if (line.data() == nullptr) line = text.substr(text.size());  // defensive: keep pointers inside text
    std::size_t line_begin = static_cast<std::size_t>(line.data() - text.data());

    // Byte offsets of the span relative to the line; a span that runs past
    // the line (multi-line, or into a CR/LF) is underlined to the line's end.
    std::size_t first = std::min<std::size_t>(span.begin >= line_begin ? span.begin - line_begin : 0, line.size());
    std::size_t last = span.end > line_begin ? span.end - line_begin : first;
    last = std::clamp(last, first, line.size());

    // Very long lines (minified or generated input) are cut to a window
    // around the span, marked with `...`, so output stays proportional to
    // the number of diagnostics rather than to the file size.
    std::size_t window_begin = 0;
    std::size_t window_end = line.size();
    if (line.size() > kMaxExcerptBytes) {
      window_begin = first > kExcerptLead ? first - kExcerptLead : 0;
      window_end = std::min(line.size(), window_begin + kMaxExcerptBytes);
      while (window_begin > 0 && is_continuation(line[window_begin])) --window_begin;
      while (window_end < line.size() && is_continuation(line[window_end])) ++window_end;
    }
    std::string_view prefix = window_begin > 0 ? "..." : "";
    std::string_view suffix = window_end < line.size() ? "..." : "";
    DisplayLine shown = display_line(line.substr(window_begin, window_end - window_begin));
    auto column_of = [&](std::size_t offset) {
      offset = std::clamp(offset, window_begin, window_end) - window_begin;
      return static_cast<int>(prefix.size()) + shown.column_at_byte[offset];
    };

    std::string number = fmt::format("{:>{}}", start.line, width_);
    out_ += style_.paint(Style::kGutter, number + " |");
    if (!shown.text.empty()) out_ += fmt::format(" {}{}{}", prefix, shown.text, suffix);
    out_ += '\n';

    int from = column_of(first);
    int carets = std::max(1, column_of(last) - from);
    out_ += pad() + ' ' + style_.paint(Style::kGutter, "|") + ' ' + std::string(from, ' ');
    out_ += style_.paint(caret_style, std::string(carets, '^'));
    out_ += '\n';
  }

  void trailer(std::string_view label, std::string_view label_style, std::string_view message) {
    out_ += pad() + ' ' + style_.paint(Style::kGutter, "=") + ' ';
    out_ += style_.paint(label_style, label);
    out_ += ": " + sanitize(message) + '\n';
  }

  const SourceManager& sources_;
  Style style_;
  std::size_t width_ = 1;
  std::string out_;
};

// ---- JSON -----------------------------------------------------------------

// The one JSON string writer in its diagnostics style (U+2028/9 escaped too,
// so the output is also safe to embed in JavaScript).
void append_json_string(fmt::memory_buffer& out, std::string_view text) {
  const std::string quoted = runtime::internal::json_string(text, runtime::internal::kDiagnosticJson);
  out.append(std::string_view(quoted));
}

void append_location(fmt::memory_buffer& out, const SourceManager& sources, const Span& span) {
  LineColumn start = sources.line_column(span.file, span.begin);
  out.append(std::string_view(",\"file\":"));
  append_json_string(out, sources.path(span.file));
  fmt::format_to(std::back_inserter(out), ",\"line\":{},\"column\":{}", start.line, start.column);
}

}  // namespace

std::string render_text(const SourceManager& sources, const std::vector<Diagnostic>& diagnostics, bool color) {
  TextRenderer renderer(sources, color);
  std::size_t errors = 0;
  std::size_t warnings = 0;
  for (const Diagnostic& diagnostic : diagnostics) {
    renderer.render(diagnostic);
    renderer.blank_line();
    (diagnostic.severity == Severity::Error ? errors : warnings) += 1;
  }
  renderer.summary(errors, warnings);
  return renderer.take();
}

std::string render_json(const SourceManager& sources, const std::vector<Diagnostic>& diagnostics) {
  fmt::memory_buffer out;
  auto append = [&](std::string_view text) { out.append(text); };
  std::size_t errors = 0;
  std::size_t warnings = 0;
  append("{\"diagnostics\":[");
  bool first = true;
  for (const Diagnostic& diagnostic : diagnostics) {
    (diagnostic.severity == Severity::Error ? errors : warnings) += 1;
    if (!first) append(",");
    first = false;
    append("{\"code\":");
    append_json_string(out, code_string(diagnostic.code));
    append(",\"severity\":");
    append_json_string(out, severity_word(diagnostic.severity));
    append(",\"message\":");
    append_json_string(out, diagnostic.message);
    if (located(sources, diagnostic.span)) {
      append_location(out, sources, diagnostic.span);
      // The end is exclusive: the position just after the last character.
      LineColumn end = sources.line_column(diagnostic.span.file, std::max(diagnostic.span.end, diagnostic.span.begin));
      fmt::format_to(std::back_inserter(out), ",\"end_line\":{},\"end_column\":{}", end.line, end.column);
    } else {
      append(",\"file\":null,\"line\":null,\"column\":null,\"end_line\":null,\"end_column\":null");
    }
    append(",\"notes\":[");
    for (std::size_t i = 0; i < diagnostic.notes.size(); ++i) {
      const DiagnosticNote& note = diagnostic.notes[i];
      if (i > 0) append(",");
      append("{\"message\":");
      append_json_string(out, note.message);
      if (located(sources, note.span)) append_location(out, sources, note.span);
      append("}");
    }
    append("],\"help\":");
    if (diagnostic.help.empty()) append("null");
    else append_json_string(out, diagnostic.help);
    append("}");
  }
  fmt::format_to(std::back_inserter(out), "],\"errors\":{},\"warnings\":{}}}\n", errors, warnings);
  return fmt::to_string(out);
}

}  // namespace authz
