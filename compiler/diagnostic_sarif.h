// diagnostic_sarif.h — diagnostics (and other findings) as a SARIF 2.1.0 log.
//
// Contract: SarifLog collects rules and results for ONE run of one tool and
// renders a complete SARIF 2.1.0 document (version, $schema, runs[0] with
// tool.driver {name, version, informationUri, rules[]}, results[],
// originalUriBaseIds, columnKind "unicodeCodePoints"). The shape is what
// code-scanning services accept:
//   - every result has ruleId (and ruleIndex into tool.driver.rules), level
//     ("error" | "warning" | "note"), message.text, and, when it has a source
//     span, locations[0].physicalLocation {artifactLocation {uri, uriBaseId},
//     region {startLine, startColumn, endLine, endColumn}} (1-based, end column
//     exclusive, columns in code points like the text diagnostics);
//   - artifact URIs are relative to `uriBaseId` "SRCROOT" (= `source_root`,
//     by default the working directory) with `/` separators; a path outside
//     the root is written as an absolute file:// URI without uriBaseId;
//   - each rule has id, name, shortDescription, fullDescription, help.text,
//     helpUri and defaultConfiguration.level.
// add_diagnostics registers the diagnostic code as the rule (id "E0201",
// help from code_summary) and the message plus the diagnostic's own help as
// the result text; notes with a location become relatedLocations.
// Deterministic: rules in first-use order, results in insertion order.
// Never throws except on memory exhaustion; all text is escaped as JSON.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/diagnostics.h"
#include "compiler/source.h"

namespace authz {

struct SarifOptions {
  std::string tool_name = "authzc";
  std::string tool_version;                 // empty: left out
  // Where the tool's documentation is served, and where rules' helpUri point
  // (`<help_uri_base><code lowercased>`, e.g. `https://docs.example/codes#e0201`).
  // Both are left out of the log when empty, the default: authz has no public
  // address of its own, and a made-up one would send readers nowhere. Each
  // rule's help text names the file in docs/ that explains its code.
  std::string information_uri;
  std::string help_uri_base;
  // Absolute directory the artifact URIs are relative to; empty = the current
  // working directory.
  std::string source_root;
};

enum class SarifLevel { Error, Warning, Note };

// A finding kind that is not a diagnostic code (e.g. `test-failure`).
struct SarifRule {
  std::string id;                 // stable: "authz-test/failure"
  std::string name;               // PascalCase: "PolicyTestFailure"
  std::string short_description;  // one line
  std::string full_description;
  std::string help_text;          // what to do about it
  std::string help_uri;           // absolute; empty: left out
  SarifLevel default_level = SarifLevel::Error;
};

struct SarifResult {
  std::string rule_id;  // a rule added with add_rule, or a diagnostic code
  SarifLevel level = SarifLevel::Error;
  std::string message;  // plain text; may span lines
  Span span;            // invalid: the result has no location
};

class SarifLog {
 public:
  SarifLog(const SourceManager& sources, SarifOptions options = {});

  // Registers a rule once (later calls with the same id are ignored).
  void add_rule(const SarifRule& rule);
  void add_result(const SarifResult& result);
  // Registers each diagnostic's code as a rule and adds one result per diagnostic.
  void add_diagnostics(const std::vector<Diagnostic>& diagnostics);

  std::string render() const;  // the whole document, ending in a newline

 private:
  struct StoredResult {
    SarifResult result;
    std::vector<DiagnosticNote> related;
  };
  std::size_t rule_index(const std::string& id) const;
  void add_diagnostic_rule(DiagCode code);

  const SourceManager& sources_;
  SarifOptions options_;
  std::vector<SarifRule> rules_;
  std::vector<StoredResult> results_;
};

// One call for commands that only have diagnostics (check, lint).
std::string render_sarif(const SourceManager& sources, const std::vector<Diagnostic>& diagnostics,
                         const SarifOptions& options = {});

// "error" / "warning" / "note".
const char* to_string(SarifLevel level);

}  // namespace authz
