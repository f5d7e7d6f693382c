// format_test.cpp — `authzc fmt`'s layout, checked two ways.
//
// Usage: authz_format_test corpus ROOT   every *.authz under ROOT/examples,
//                                        ROOT/stdlib, ROOT/tests/golden and
//                                        ROOT/tests/format that parses: the
//                                        formatted text parses to the same
//                                        tree (ast::dump, doc comments
//                                        included), keeps every comment, and
//                                        formats to itself.
//        authz_format_test golden DIR    DIR/<case>.authz formats to exactly
//                                        DIR/<case>.formatted, which formats
//                                        to itself (AUTHZ_UPDATE_GOLDEN=1
//                                        rewrites the .formatted files).
// Prints one line per failure and `N passed, M failed`; exit 1 on failure.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/format/format.h"
#include "compiler/format/format_tokens.h"
#include "compiler/parse.h"

namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> comments(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& token : authz::format::tokenize_for_format(text)) {
    for (const auto& comment : token.comments) out.emplace_back(comment.text);
  }
  return out;
}

// The tree's canonical dump, or nullopt when the text does not parse.
std::optional<std::string> dump_of(const std::string& text) {
  authz::SourceManager sources;
  authz::FileId file = sources.add("x.authz", text);
  authz::DiagnosticSink sink;
  auto tree = authz::parse_file(sources, file, sink);
  if (sink.has_errors() || tree == nullptr) return std::nullopt;
  return authz::ast::dump(*tree);
}

int corpus(const fs::path& root) {
  std::size_t passed = 0, failed = 0, skipped = 0;
  for (const char* dir : {"examples", "stdlib", "tests/golden", "tests/format"}) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root / dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (!it->is_regular_file() || it->path().extension() != ".authz") continue;
      std::string original = read(it->path());
      std::optional<std::string> before = dump_of(original);
      if (!before) {
        ++skipped;
        continue;
      }
      std::string name = fs::relative(it->path(), root).string();
      std::string formatted = authz::format::layout(original);
      std::optional<std::string> after = dump_of(formatted);
      std::string problem;
      if (!after) problem = "the formatted text does not parse";
      else if (*after != *before) problem = "the formatted text parses to a different tree";
      else if (comments(formatted) != comments(original)) problem = "comments differ";
      else if (authz::format::layout(formatted) != formatted) problem = "formatting is not idempotent";
      else {
        authz::SourceManager sources;
        auto checked = authz::format::format_source(sources, name, original);
        if (!checked.text || *checked.text != formatted) problem = "format_source refused: " + checked.internal_error;
      }
      if (problem.empty()) {
        ++passed;
      } else {
        ++failed;
        std::cout << "FAIL " << name << ": " << problem << "\n";
      }
    }
  }
  std::cout << passed << " passed, " << failed << " failed (" << skipped << " files with syntax errors skipped)\n";
  // The corpus is large (examples, stdlib, golden cases); a tiny count means the walk broke.
  if (passed < 100) {
    std::cout << "FAIL only " << passed << " files were formatted; expected the whole corpus\n";
    return 1;
  }
  return failed == 0 ? 0 : 1;
}

int golden(const fs::path& dir) {
  const char* update_env = std::getenv("AUTHZ_UPDATE_GOLDEN");
  bool update = update_env != nullptr && std::string(update_env) == "1";
  std::size_t passed = 0, failed = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".authz") continue;
    fs::path expected_path = entry.path();
    expected_path.replace_extension(".formatted");
    std::string name = entry.path().filename().string();
    authz::SourceManager sources;
    auto result = authz::format::format_source(sources, name, read(entry.path()));
    if (!result.text) {
      std::cout << "FAIL " << name << ": not formatted (" << result.internal_error << result.diagnostics.size()
                << " diagnostics)\n";
      ++failed;
      continue;
    }
    if (update) std::ofstream(expected_path, std::ios::binary) << *result.text;
    std::string expected = read(expected_path);
    if (expected != *result.text) {
      std::cout << "FAIL " << name << ": differs from " << expected_path.filename().string() << "\n--- expected\n"
                << expected << "--- actual\n" << *result.text;
      ++failed;
    } else if (authz::format::layout(expected) != expected) {
      std::cout << "FAIL " << name << ": the expected text is not a fixed point\n";
      ++failed;
    } else {
      ++passed;
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 && passed > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: authz_format_test corpus ROOT | golden DIR\n";
    return 2;
  }
  std::string mode = argv[1];
  if (mode == "corpus") return corpus(argv[2]);
  if (mode == "golden") return golden(argv[2]);
  std::cerr << "unknown mode `" << mode << "`\n";
  return 2;
}
