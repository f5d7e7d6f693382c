// golden_runner.cpp — runs one golden-test stage and compares with expectations.
//
// Usage: authz_golden_runner STAGE DIR STDLIB [CASE...]
// Contract: every `DIR/<case>.authz` file and every `DIR/<case>/` directory
// (a multi-file case) is one case; its expected output is `DIR/<case>.expected`.
// The runner works inside DIR and names files relative to it, and names the
// stdlib relative to DIR too, so expectations are the same on every machine.
// A mismatch prints a unified diff (`-` expected, `+` actual); a missing
// expectation, or an expectation without a case, fails. With
// AUTHZ_UPDATE_GOLDEN=1 the expectations are rewritten instead. The last line
// is `N passed, M failed`; the exit status is 1 when anything failed.
//
// Stages: `check` — what `authzc check --color never CASE` prints on stderr;
// `lint` — what `authzc lint --color never --now 2026-11-26T12:00:00Z CASE`
// prints (default limits: grants expiring within 14 days, 20 rules per
// target, 12 roles), followed by `exit N`.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/cli/check_command.h"
#include "compiler/cli/lint_command.h"

namespace fs = std::filesystem;

namespace {

using Stage = std::function<std::string(const std::string& case_path, const std::string& stdlib)>;

std::string run_check_stage(const std::string& case_path, const std::string& stdlib) {
  using namespace authz::cli;
  FrontEndOptions options;
  options.paths = {case_path};
  options.stdlib_dirs = {stdlib};
  options.color = ColorMode::Never;
  std::ostringstream out;
  std::ostringstream err;
  Context context{out, err, {}, false};
  run_check(options, context);
  return err.str() + out.str();
}

// A fixed `now`, so expiry findings do not change with the calendar.
std::string run_lint_stage(const std::string& case_path, const std::string& stdlib) {
  using namespace authz::cli;
  LintCommandOptions options;
  options.front_end.paths = {case_path};
  options.front_end.stdlib_dirs = {stdlib};
  options.front_end.color = ColorMode::Never;
  options.now = "2026-11-26T12:00:00Z";
  std::ostringstream out;
  std::ostringstream err;
  Context context{out, err, {}, false};
  int exit_code = run_lint(options, context);
  return err.str() + out.str() + "exit " + std::to_string(exit_code) + "\n";
}

const std::map<std::string, Stage>& stages() {
  static const std::map<std::string, Stage> table{{"check", run_check_stage}, {"lint", run_lint_stage}};
  return table;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (!text.empty() && text.back() != '\n') lines.back() += "  <no newline at end>";
  return lines;
}

// A line diff from the longest common subsequence, printed as hunks with
// three lines of context (outputs are small, so the quadratic table is fine;
// very large outputs fall back to the first differing line).
void print_diff(const std::string& expected, const std::string& actual, std::ostream& out) {
  std::vector<std::string> a = split_lines(expected);
  std::vector<std::string> b = split_lines(actual);
  std::size_t n = a.size();
  std::size_t m = b.size();
  if (n * m > 16'000'000) {
    std::size_t i = 0;
    while (i < n && i < m && a[i] == b[i]) ++i;
    out << "  first difference at line " << i + 1 << ":\n  -" << (i < n ? a[i] : "<end>") << "\n  +"
        << (i < m ? b[i] : "<end>") << "\n";
    return;
  }
  std::vector<std::vector<std::uint32_t>> lcs(n + 1, std::vector<std::uint32_t>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t j = m; j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  struct Line {
    char kind;  // ' ', '-', '+'
    std::string text;
    std::size_t expected_line;
  };
  std::vector<Line> script;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      script.push_back({' ', a[i], i + 1});
      ++i, ++j;
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      script.push_back({'-', a[i], i + 1});
      ++i;
    } else {
      script.push_back({'+', b[j], i + 1});
      ++j;
    }
  }
  constexpr std::size_t kContext = 3;
  std::vector<bool> shown(script.size(), false);
  for (std::size_t k = 0; k < script.size(); ++k) {
    if (script[k].kind == ' ') continue;
    std::size_t from = k >= kContext ? k - kContext : 0;
    std::size_t to = std::min(script.size(), k + kContext + 1);
    for (std::size_t s = from; s < to; ++s) shown[s] = true;
  }
  out << "  --- expected\n  +++ actual\n";
  for (std::size_t k = 0; k < script.size(); ++k) {
    if (!shown[k]) continue;
    if (k == 0 || !shown[k - 1]) out << "  @@ expected line " << script[k].expected_line << " @@\n";
    out << "  " << script[k].kind << script[k].text << "\n";
  }
}

bool read_file(const fs::path& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  text = buffer.str();
  return true;
}

bool write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: authz_golden_runner STAGE DIR STDLIB [CASE...]\n";
    return 2;
  }
  auto stage = stages().find(argv[1]);
  if (stage == stages().end()) {
    std::cerr << "unknown stage `" << argv[1] << "`\n";
    return 2;
  }
  std::error_code ec;
  fs::path dir = fs::absolute(argv[2], ec);
  fs::path stdlib = fs::absolute(argv[3], ec);
  std::set<std::string> only(argv + 4, argv + argc);
  const char* update_env = std::getenv("AUTHZ_UPDATE_GOLDEN");
  bool update = update_env != nullptr && std::string(update_env) == "1";

  if (!fs::is_directory(dir, ec)) {
    std::cerr << "no golden directory " << dir << "\n";
    return 2;
  }
  fs::current_path(dir, ec);
  if (ec) {
    std::cerr << "cannot enter " << dir << ": " << ec.message() << "\n";
    return 2;
  }
  std::string stdlib_relative = stdlib.lexically_relative(dir).string();

  // case name -> path to pass (`x.authz` or `x`)
  std::map<std::string, std::string> cases;
  std::set<std::string> expectations;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (entry.is_directory()) {
      cases[name] = name;
    } else if (entry.path().extension() == ".authz") {
      cases[entry.path().stem().string()] = name;
    } else if (entry.path().extension() == ".expected") {
      expectations.insert(entry.path().stem().string());
    }
  }

  std::size_t passed = 0;
  std::size_t failed = 0;
  for (const auto& [name, path] : cases) {
    if (!only.empty() && !only.count(name)) continue;
    std::string actual = stage->second(path, stdlib_relative);
    fs::path expected_path = name + ".expected";
    std::string expected;
    bool have_expected = read_file(expected_path, expected);
    if (update) {
      if (!have_expected || expected != actual) {
        if (!write_file(expected_path, actual)) {
          std::cout << "FAIL " << name << ": cannot write " << expected_path << "\n";
          ++failed;
          continue;
        }
        std::cout << (have_expected ? "updated " : "created ") << expected_path.string() << "\n";
      }
      ++passed;
    } else if (!have_expected) {
      std::cout << "FAIL " << name << ": missing " << expected_path.string()
                << " (run with AUTHZ_UPDATE_GOLDEN=1 to create it)\n";
      ++failed;
    } else if (expected != actual) {
      std::cout << "FAIL " << name << ": output differs from " << expected_path.string() << "\n";
      print_diff(expected, actual, std::cout);
      ++failed;
    } else {
      ++passed;
    }
  }
  if (only.empty()) {
    for (const std::string& name : expectations) {
      if (cases.count(name)) continue;
      std::cout << "FAIL " << name << ".expected has no case (" << name << ".authz or " << name
                << "/); delete it or add the case\n";
      ++failed;
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}
