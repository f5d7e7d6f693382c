// suppressions.cpp — finds `// lint: allow ...` comments and applies them (see suppressions.h).
#include "compiler/lint/suppressions.h"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace authz::lint {
namespace {

struct CodeEntry {
  std::string_view code;
  DiagCode value;
  Severity severity;
};

constexpr CodeEntry kCodes[] = {
#define AUTHZ_DIAGNOSTIC(name, code, severity, summary) {code, DiagCode::name, Severity::severity},
#include "compiler/diagnostic_codes.def"
#undef AUTHZ_DIAGNOSTIC
};

// Lint findings (W01xx, including the error W0106) and the checker's warnings
// may be suppressed; errors that make a policy invalid and the suppression
// findings themselves may not.
std::optional<DiagCode> suppressible(std::string_view code) {
  if (code == "W0112" || code == "W0113") return std::nullopt;
  for (const CodeEntry& entry : kCodes) {
    if (entry.code == code && entry.code.front() == 'W') return entry.value;
  }
  return std::nullopt;
}

struct Comment {
  std::uint32_t begin;
  std::uint32_t end;  // exclusive, before the line break
};

// Every `//` comment of a file (strings and block comments skipped), doc comments included.
std::vector<Comment> line_comments(std::string_view text) {
  std::vector<Comment> out;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"') {
      ++i;
      while (i < text.size() && text[i] != '"' && text[i] != '\n') i += text[i] == '\\' ? 2 : 1;
      ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      std::size_t close = text.find("*/", i + 2);
      i = close == std::string_view::npos ? text.size() : close + 2;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      std::size_t end = text.find('\n', i);
      if (end == std::string_view::npos) end = text.size();
      std::size_t trimmed = end;
      if (trimmed > i && text[trimmed - 1] == '\r') --trimmed;
      out.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(trimmed)});
      i = end;
    } else {
      ++i;
    }
  }
  return out;
}

// Where the next token starts after `offset`: skips whitespace and comments.
std::size_t next_token(std::string_view text, std::size_t i) {
  while (i < text.size()) {
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
    } else if (text.compare(i, 2, "//") == 0) {
      std::size_t end = text.find('\n', i);
      i = end == std::string_view::npos ? text.size() : end;
    } else if (text.compare(i, 2, "/*") == 0) {
      std::size_t close = text.find("*/", i + 2);
      i = close == std::string_view::npos ? text.size() : close + 2;
    } else {
      break;
    }
  }
  return i;
}

struct Suppression {
  Span comment;
  std::vector<std::pair<std::string, DiagCode>> codes;
  Span declaration;  // invalid when no declaration follows
  std::vector<bool> used;
};

struct ParseResult {
  std::optional<Suppression> suppression;
  std::string problem;  // set when the comment is a malformed suppression
};

void skip_spaces(std::string_view s, std::size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
}

// `body` is the comment without its leading `//`.
ParseResult parse_suppression(std::string_view body) {
  ParseResult result;
  std::size_t i = 0;
  skip_spaces(body, i);
  if (body.compare(i, 5, "lint:") != 0) return result;  // an ordinary comment
  i += 5;
  skip_spaces(body, i);
  if (body.compare(i, 5, "allow") != 0) {
    result.problem = "expected `allow` after `lint:`";
    return result;
  }
  i += 5;
  Suppression s;
  while (true) {
    skip_spaces(body, i);
    std::size_t start = i;
    while (i < body.size() && std::isalnum(static_cast<unsigned char>(body[i]))) ++i;
    std::string code(body.substr(start, i - start));
    if (code.empty() || code == "because") {
      result.problem = s.codes.empty() ? "expected a lint code such as `W0108` after `allow`"
                                       : "expected a lint code after `,`";
      return result;
    }
    auto value = suppressible(code);
    if (!value) {
      result.problem = fmt::format("`{}` is not a warning or lint code that can be suppressed", code);
      return result;
    }
    s.codes.emplace_back(code, *value);
    skip_spaces(body, i);
    if (i < body.size() && body[i] == ',') {
      ++i;
      continue;
    }
    break;
  }
  if (body.compare(i, 7, "because") != 0) {
    result.problem = "the suppression gives no reason";
    return result;
  }
  i += 7;
  skip_spaces(body, i);
  std::size_t close = i < body.size() && body[i] == '"' ? body.find('"', i + 1) : std::string_view::npos;
  if (close == std::string_view::npos) {
    result.problem = "the reason after `because` must be a string in double quotes";
    return result;
  }
  std::string_view reason = body.substr(i + 1, close - i - 1);
  if (reason.find_first_not_of(" \t") == std::string_view::npos) {
    result.problem = "the reason after `because` is empty";
    return result;
  }
  i = close + 1;
  skip_spaces(body, i);
  if (i != body.size()) {
    result.problem = "unexpected text after the reason";
    return result;
  }
  s.used.assign(s.codes.size(), false);
  result.suppression = std::move(s);
  return result;
}

template <typename Decl>
void add_spans(const std::vector<Decl>& decls, std::map<std::uint32_t, Span>& out) {
  for (const Decl& decl : decls) out.emplace(decl.span.begin, decl.span);
}

}  // namespace

void apply_suppressions(const Program& program, const SourceManager& sources, std::vector<Diagnostic>& diagnostics) {
  const std::string kHelp =
      "write `// lint: allow CODE because \"why this is intended\"` on a line directly above the declaration";
  std::vector<Diagnostic> findings;
  std::vector<Suppression> suppressions;
  for (const auto& file : program.files) {
    if (!file || file->file == kNoFile) continue;
    std::map<std::uint32_t, Span> starts;  // declaration keyword offset -> declaration span
    add_spans(file->uses, starts);
    add_spans(file->records, starts);
    add_spans(file->roles, starts);
    add_spans(file->tools, starts);
    add_spans(file->resources, starts);
    add_spans(file->prompts, starts);
    add_spans(file->groups, starts);
    add_spans(file->obligations, starts);
    add_spans(file->rules, starts);
    add_spans(file->grants, starts);
    add_spans(file->defaults, starts);
    std::string_view text = sources.text(file->file);
    for (const Comment& comment : line_comments(text)) {
      std::string_view body = text.substr(comment.begin + 2, comment.end - comment.begin - 2);
      if (!body.empty() && body.front() == '/') continue;  // a doc comment or banner, never a suppression
      Span span{file->file, comment.begin, comment.end};
      ParseResult parsed = parse_suppression(body);
      if (!parsed.problem.empty()) {
        findings.push_back({DiagCode::InvalidSuppression, Severity::Warning, span,
                            "invalid lint suppression: " + parsed.problem + "; it suppresses nothing", {}, kHelp});
        continue;
      }
      if (!parsed.suppression) continue;
      Suppression s = std::move(*parsed.suppression);
      s.comment = span;
      auto declaration = starts.find(static_cast<std::uint32_t>(next_token(text, comment.end)));
      if (declaration != starts.end()) s.declaration = declaration->second;
      suppressions.push_back(std::move(s));
    }
  }

  std::vector<Diagnostic> kept;
  for (Diagnostic& d : diagnostics) {
    bool silenced = false;
    for (Suppression& s : suppressions) {
      if (!s.declaration.valid() || d.span.file != s.declaration.file || d.span.begin < s.declaration.begin ||
          d.span.begin >= s.declaration.end) {
        continue;
      }
      for (std::size_t k = 0; k < s.codes.size(); ++k) {
        if (s.codes[k].second == d.code) {
          s.used[k] = true;
          silenced = true;
        }
      }
    }
    if (!silenced) kept.push_back(std::move(d));
  }
  for (const Suppression& s : suppressions) {
    if (!s.declaration.valid()) {
      findings.push_back({DiagCode::UnusedSuppression, Severity::Warning, s.comment,
                          "lint suppression is not directly above a declaration, so it suppresses nothing", {},
                          "move it onto the lines directly above the declaration, or remove it"});
      continue;
    }
    for (std::size_t k = 0; k < s.codes.size(); ++k) {
      if (s.used[k]) continue;
      findings.push_back({DiagCode::UnusedSuppression, Severity::Warning, s.comment,
                          fmt::format("lint suppression of `{}` suppresses nothing: the declaration below has no `{}` "
                                      "finding",
                                      s.codes[k].first, s.codes[k].first),
                          {}, "remove the code from the suppression (or the whole comment)"});
    }
  }
  for (Diagnostic& f : findings) kept.push_back(std::move(f));
  diagnostics = std::move(kept);
}

}  // namespace authz::lint
