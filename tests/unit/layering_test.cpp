// layering_test.cpp — the dependency rules of docs/architecture.md, checked
// on the sources: which folders' files may include which others'.
//
// The CMake targets already keep the libraries apart (authz::runtime links
// none of ANTLR, the compiler, a database or Boost), but a header-only
// include would slip through them: this test reads every #include of the
// checked folders and fails naming the file and the line that breaks a rule.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Rule {
  const char* folder;                  // relative to the repository root
  std::vector<const char*> forbidden;  // include prefixes it must not use
  const char* exempt = "";             // one file allowed to (relative to the root), or ""
};

// The included path of an `#include` line, or "".
std::string included(const std::string& line) {
  std::size_t hash = line.find_first_not_of(" \t");
  if (hash == std::string::npos || line.compare(hash, 8, "#include") != 0) return "";
  std::size_t open = line.find_first_of("<\"", hash + 8);
  if (open == std::string::npos) return "";
  std::size_t close = line.find_first_of(">\"", open + 1);
  if (close == std::string::npos) return "";
  return line.substr(open + 1, close - open - 1);
}

std::vector<std::string> violations(const Rule& rule) {
  std::vector<std::string> out;
  fs::path root = fs::path(AUTHZ_SOURCE_DIR) / rule.folder;
  REQUIRE(fs::is_directory(root));
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::string ext = entry.path().extension().string();
    if (ext != ".h" && ext != ".cpp" && ext != ".def" && ext != ".inl") continue;
    if (fs::relative(entry.path(), AUTHZ_SOURCE_DIR).string() == rule.exempt) continue;
    std::ifstream in(entry.path());
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      std::string path = included(line);
      for (const char* prefix : rule.forbidden) {
        if (path.rfind(prefix, 0) == 0) {
          out.push_back(fs::relative(entry.path(), AUTHZ_SOURCE_DIR).string() + ":" + std::to_string(number) +
                        " includes `" + path + "`");
        }
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("the dependency rules of docs/architecture.md hold", "[layering]") {
  const std::vector<const char*> outside_runtime = {"compiler/", "tools/", "grammar/", "antlr4", "Authz",
                                                    "sqlite3", "libpq", "postgresql", "boost/", "toml++",
                                                    "CLI/", "llvm/"};
  const Rule rules[] = {
      // The runtime is what embedders link: no compiler, ANTLR, database,
      // HTTP, TOML or command-line code in it.
      {"runtime", outside_runtime},
      // The gateway's enforcement core runs on the runtime alone; only the
      // authz-gateway program (main.cpp) wires in the HTTP front and the
      // entity sources.
      {"tools/gateway",
       {"compiler/", "grammar/", "antlr4", "Authz", "tools/http/", "tools/entity_sources/", "sqlite3", "libpq",
        "llvm/"},
       "tools/gateway/main.cpp"},
      // Token verification knows nothing of the compiler or the HTTP front.
      {"tools/oauth", {"compiler/", "grammar/", "antlr4", "tools/http/", "tools/gateway/session", "llvm/"}},
      // Entity sources serve the runtime's resolver, not the compiler.
      {"tools/entity_sources", {"compiler/", "grammar/", "antlr4", "tools/http/", "boost/", "llvm/"}},
      // Only the compiler reads policy text; the rest of compiler/ reaches
      // ANTLR through the parse adapter alone (checked below).
      {"compiler/lint", {"antlr4", "Authz", "tools/"}},
      {"compiler/format", {"antlr4", "Authz", "tools/"}},
  };
  for (const Rule& rule : rules) {
    INFO("folder " << rule.folder);
    std::vector<std::string> found = violations(rule);
    for (const std::string& v : found) UNSCOPED_INFO(v);
    CHECK(found.empty());
  }

  // ANTLR's headers: the parse adapter (compiler/parse.cpp and its parts,
  // compiler/parse_*.cpp / .h) and nothing else in compiler/.
  std::vector<std::string> antlr = violations({"compiler", {"antlr4", "AuthzParser", "AuthzLexer", "AuthzBase"}});
  std::vector<std::string> elsewhere;
  for (const std::string& v : antlr) {
    if (v.rfind("compiler/parse.cpp:", 0) != 0 && v.rfind("compiler/parse_", 0) != 0) elsewhere.push_back(v);
  }
  for (const std::string& v : elsewhere) UNSCOPED_INFO(v);
  CHECK(elsewhere.empty());
  CHECK_FALSE(antlr.empty());  // the check would prove nothing if it never saw parse.cpp's includes
}
