// diagnostic_sarif.cpp — SARIF 2.1.0 rendering (contract in diagnostic_sarif.h).
#include "compiler/diagnostic_sarif.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <system_error>

#include "compiler/json_string.h"

namespace authz {
namespace {

constexpr const char* kSrcRoot = "SRCROOT";

struct CodeName {
  std::string_view code;
  std::string_view name;
};

// The enum names double as SARIF rule names ("UnknownTarget").
constexpr CodeName kCodeNames[] = {
#define AUTHZ_DIAGNOSTIC(name, code, severity, summary) {code, #name},
#include "compiler/diagnostic_codes.def"
#undef AUTHZ_DIAGNOSTIC
};

std::string_view code_name(std::string_view code) {
  for (const CodeName& entry : kCodeNames) {
    if (entry.code == code) return entry.name;
  }
  return code;
}

// The file in docs/ that explains a code: test-file codes (E05xx) in
// testing.md, lint codes (W01xx) in lint.md, every other code in language.md.
std::string_view docs_file_for_code(std::string_view code) {
  if (code.substr(0, 3) == "E05") return "docs/testing.md";
  if (code.substr(0, 3) == "W01") return "docs/lint.md";
  return "docs/language.md";
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// RFC 3986 path characters stay, everything else (spaces, '#', '?', '%',
// non-ASCII bytes) is percent-encoded.
std::string uri_encode_path(std::string_view path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (char c : path) {
    auto byte = static_cast<unsigned char>(c);
    bool keep = std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/' || c == '@' ||
                c == '+' || c == ',' || c == '=' || c == ':' || c == '!' || c == '$' || c == '&' || c == '\'' ||
                c == '(' || c == ')' || c == '*' || c == ';';
    if (keep) {
      out += c;
    } else {
      out += '%';
      out += hex[byte >> 4];
      out += hex[byte & 15];
    }
  }
  return out;
}

std::string root_directory(const SarifOptions& options) {
  std::error_code error;
  std::filesystem::path root =
      options.source_root.empty() ? std::filesystem::current_path(error) : std::filesystem::path(options.source_root);
  if (error) return "/";
  root = std::filesystem::absolute(root, error).lexically_normal();
  std::string text = root.generic_string();
  if (text.empty() || text.back() != '/') text += '/';
  return text;
}

struct ArtifactUri {
  std::string uri;
  bool relative = false;  // relative to SRCROOT
};

ArtifactUri artifact_uri(const std::string& path, const std::string& root) {
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(std::filesystem::path(path), error).lexically_normal();
  if (error) return {uri_encode_path(path), true};
  std::string text = absolute.generic_string();
  if (text.rfind(root, 0) == 0) return {uri_encode_path(text.substr(root.size())), true};
  return {"file://" + uri_encode_path(text), false};
}

void append_message(std::string& out, std::string_view text) {
  out += "{\"text\": ";
  append_json_string(out, text);
  out += '}';
}

}  // namespace

const char* to_string(SarifLevel level) {
  switch (level) {
    case SarifLevel::Error: return "error";
    case SarifLevel::Warning: return "warning";
    case SarifLevel::Note: return "note";
  }
  return "error";
}

SarifLog::SarifLog(const SourceManager& sources, SarifOptions options)
    : sources_(sources), options_(std::move(options)) {}

std::size_t SarifLog::rule_index(const std::string& id) const {
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    if (rules_[i].id == id) return i;
  }
  return rules_.size();
}

void SarifLog::add_rule(const SarifRule& rule) {
  if (rule_index(rule.id) == rules_.size()) rules_.push_back(rule);
}

void SarifLog::add_result(const SarifResult& result) { results_.push_back({result, {}}); }

void SarifLog::add_diagnostic_rule(DiagCode code) {
  std::string id(code_string(code));
  if (rule_index(id) != rules_.size()) return;
  SarifRule rule;
  rule.id = id;
  rule.name = std::string(code_name(id));
  rule.short_description = std::string(code_summary(code));
  rule.full_description = fmt::format("{} ({}): {}", id, default_severity(code) == Severity::Error ? "error" : "warning",
                                      code_summary(code));
  rule.help_text = fmt::format("{}. Each finding's message ends with a concrete fix; the code {} is explained in "
                               "authz's {}.",
                               code_summary(code), id, docs_file_for_code(id));
  if (!options_.help_uri_base.empty()) rule.help_uri = options_.help_uri_base + lowercase(id);
  rule.default_level = default_severity(code) == Severity::Error ? SarifLevel::Error : SarifLevel::Warning;
  rules_.push_back(std::move(rule));
}

void SarifLog::add_diagnostics(const std::vector<Diagnostic>& diagnostics) {
  for (const Diagnostic& diagnostic : diagnostics) {
    add_diagnostic_rule(diagnostic.code);
    StoredResult stored;
    stored.result.rule_id = std::string(code_string(diagnostic.code));
    stored.result.level = diagnostic.severity == Severity::Error ? SarifLevel::Error : SarifLevel::Warning;
    stored.result.message = diagnostic.message;
    for (const DiagnosticNote& note : diagnostic.notes) {
      if (note.span.valid()) {
        stored.related.push_back(note);
      } else {
        stored.result.message += "\nnote: " + note.message;
      }
    }
    if (!diagnostic.help.empty()) stored.result.message += "\nhelp: " + diagnostic.help;
    stored.result.span = diagnostic.span;
    results_.push_back(std::move(stored));
  }
}

std::string SarifLog::render() const {
  const std::string root = root_directory(options_);
  auto physical_location = [&](const Span& span) {
    std::string out = "{\"artifactLocation\": {\"uri\": ";
    ArtifactUri uri = artifact_uri(sources_.path(span.file), root);
    append_json_string(out, uri.uri);
    if (uri.relative) out += ", \"uriBaseId\": \"" + std::string(kSrcRoot) + "\"";
    LineColumn start = sources_.line_column(span.file, span.begin);
    LineColumn end = sources_.line_column(span.file, std::max(span.begin, span.end));
    // An empty span (an insertion point) still gets one column, so viewers highlight something.
    if (end.line == start.line && end.column <= start.column) end.column = start.column + 1;
    out += fmt::format("}}, \"region\": {{\"startLine\": {}, \"startColumn\": {}, \"endLine\": {}, \"endColumn\": {}}}}}",
                       start.line, start.column, end.line, end.column);
    return out;
  };
  auto span_usable = [&](const Span& span) { return span.valid() && span.file < sources_.file_count(); };

  std::string out;
  out += "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n";
  out += "  \"runs\": [\n    {\n      \"tool\": {\n        \"driver\": {\n          \"name\": ";
  append_json_string(out, options_.tool_name);
  if (!options_.tool_version.empty()) {
    out += ",\n          \"version\": ";
    append_json_string(out, options_.tool_version);
  }
  if (!options_.information_uri.empty()) {
    out += ",\n          \"informationUri\": ";
    append_json_string(out, options_.information_uri);
  }
  out += ",\n          \"rules\": [";
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const SarifRule& rule = rules_[i];
    out += i == 0 ? "\n" : ",\n";
    out += "            {\"id\": ";
    append_json_string(out, rule.id);
    out += ", \"name\": ";
    append_json_string(out, rule.name);
    out += ", \"shortDescription\": ";
    append_message(out, rule.short_description);
    out += ", \"fullDescription\": ";
    append_message(out, rule.full_description.empty() ? rule.short_description : rule.full_description);
    out += ", \"help\": ";
    append_message(out, rule.help_text.empty() ? rule.short_description : rule.help_text);
    const std::string& help_uri = rule.help_uri.empty() ? options_.information_uri : rule.help_uri;
    if (!help_uri.empty()) {
      out += ", \"helpUri\": ";
      append_json_string(out, help_uri);
    }
    out += fmt::format(", \"defaultConfiguration\": {{\"level\": \"{}\"}}}}", to_string(rule.default_level));
  }
  out += rules_.empty() ? "]\n" : "\n          ]\n";
  out += "        }\n      },\n";
  out += "      \"originalUriBaseIds\": {\"" + std::string(kSrcRoot) + "\": {\"uri\": ";
  append_json_string(out, "file://" + uri_encode_path(root));
  out += "}},\n      \"columnKind\": \"unicodeCodePoints\",\n      \"results\": [";
  for (std::size_t i = 0; i < results_.size(); ++i) {
    const StoredResult& stored = results_[i];
    const SarifResult& result = stored.result;
    out += i == 0 ? "\n" : ",\n";
    out += "        {\"ruleId\": ";
    append_json_string(out, result.rule_id);
    std::size_t index = rule_index(result.rule_id);
    if (index < rules_.size()) out += fmt::format(", \"ruleIndex\": {}", index);
    out += fmt::format(", \"level\": \"{}\", \"message\": ", to_string(result.level));
    append_message(out, result.message);
    if (span_usable(result.span)) {
      out += ", \"locations\": [{\"physicalLocation\": " + physical_location(result.span) + "}]";
    }
    bool first_related = true;
    for (std::size_t n = 0; n < stored.related.size(); ++n) {
      const DiagnosticNote& note = stored.related[n];
      if (!span_usable(note.span)) continue;
      out += first_related ? ", \"relatedLocations\": [" : ", ";
      first_related = false;
      out += fmt::format("{{\"id\": {}, \"physicalLocation\": {}, \"message\": ", n, physical_location(note.span));
      append_message(out, note.message);
      out += '}';
    }
    if (!first_related) out += ']';
    out += '}';
  }
  out += results_.empty() ? "]\n" : "\n      ]\n";
  out += "    }\n  ]\n}\n";
  return out;
}

std::string render_sarif(const SourceManager& sources, const std::vector<Diagnostic>& diagnostics,
                         const SarifOptions& options) {
  SarifLog log(sources, options);
  log.add_diagnostics(diagnostics);
  return log.render();
}

}  // namespace authz
