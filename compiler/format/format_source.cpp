// format_source.cpp — format_source: parse, lay out, and prove the result
// means the same (see format.h).
#include <string>
#include <vector>

#include "compiler/format/format.h"
#include "compiler/format/format_tokens.h"
#include "compiler/parse.h"

namespace authz::format {
namespace {

std::vector<std::string_view> comments_of(std::string_view text) {
  std::vector<std::string_view> out;
  for (const Token& token : tokenize_for_format(text)) {
    for (const Comment& comment : token.comments) out.push_back(comment.text);
  }
  return out;
}

}  // namespace

FormatResult format_source(SourceManager& sources, const std::string& path, std::string text) {
  FormatResult result;
  FileId original = sources.add(path, std::move(text));
  DiagnosticSink sink;
  std::unique_ptr<ast::File> tree = parse_file(sources, original, sink);
  if (sink.has_errors() || tree == nullptr) {
    result.diagnostics = sink.take_sorted();
    return result;
  }
  std::string_view source_text = sources.text(original);
  std::string formatted = layout(source_text);

  DiagnosticSink reparse_sink;
  FileId reformatted = sources.add(path + " (formatted)", formatted);
  std::unique_ptr<ast::File> reparsed = parse_file(sources, reformatted, reparse_sink);
  if (reparse_sink.has_errors() || reparsed == nullptr) {
    result.internal_error = "the formatted text does not parse";
  } else if (ast::dump(*reparsed) != ast::dump(*tree)) {
    result.internal_error = "the formatted text parses to a different policy";
  } else if (comments_of(formatted) != comments_of(source_text)) {
    result.internal_error = "the formatted text lost or reordered a comment";
  } else if (layout(formatted) != formatted) {
    result.internal_error = "formatting the formatted text changes it again";
  } else {
    result.text = std::move(formatted);
  }
  return result;
}

}  // namespace authz::format
