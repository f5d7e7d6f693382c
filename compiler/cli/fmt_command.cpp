// fmt_command.cpp — `authzc fmt PATH...`: rewrite .authz files in the one
// canonical layout (compiler/format/format.h; docs/lint.md).
//
// Contract: PATHs are files or directories (searched recursively for
// `*.authz`, in sorted order). Each file is formatted on its own: a file the
// parser rejects is reported and left untouched; a file whose formatting
// fails the formatter's own checks is left untouched (exit 3). Changed files
// are written to a temporary file beside them and renamed over them (same
// permissions), so a file is never half-written. `--check` writes nothing:
// it lists the files that are not formatted on stdout and exits 1 if any.
// `--stdout` prints the formatted text instead of writing. Exit: 0 ok, 1 a
// syntax error or (with --check) an unformatted file, 2 usage or I/O, 3
// internal error.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <ostream>

#include "compiler/cli/commands.h"
#include "compiler/cli/front_end_options.h"
#include "compiler/cli/policy_input.h"
#include "compiler/diagnostic_printer.h"
#include "compiler/format/format.h"

namespace authz::cli {
namespace {

namespace fs = std::filesystem;

struct FmtOptions {
  std::vector<std::string> paths;
  bool check = false;
  bool to_stdout = false;
};

// Files named, and *.authz below named directories, sorted per directory.
bool collect_files(const std::vector<std::string>& paths, std::vector<std::string>& files, const Context& context) {
  bool ok = true;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && it->path().extension() == ".authz") found.push_back(it->path().string());
      }
      if (ec) {
        context.err << "error: cannot read directory `" << path << "`: " << ec.message() << '\n';
        ok = false;
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(path, ec)) {
      files.push_back(path);
    } else {
      context.err << "error: cannot read `" << path << "`: no such file or directory\n";
      ok = false;
    }
  }
  return ok;
}

// Writes `text` to a temporary beside `path` and renames it over `path`.
bool replace_file(const std::string& path, const std::string& text, std::string& error) {
  struct stat info {};
  bool have_mode = ::stat(path.c_str(), &info) == 0;
  std::string temp = path + ".fmt-XXXXXX";
  int fd = ::mkstemp(temp.data());
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  bool ok = true;
  std::size_t written = 0;
  while (ok && written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ok = false;
    else written += static_cast<std::size_t>(n);
  }
  if (ok && have_mode) ok = ::fchmod(fd, info.st_mode & 07777) == 0;
  if (ok) ok = ::fsync(fd) == 0;
  if (::close(fd) != 0) ok = false;
  if (ok) ok = ::rename(temp.c_str(), path.c_str()) == 0;
  if (!ok) {
    error = std::strerror(errno);
    ::unlink(temp.c_str());
  }
  return ok;
}

int run_fmt(const FmtOptions& options, const Context& context) {
  std::vector<std::string> files;
  bool paths_ok = collect_files(options.paths, files, context);
  bool color = use_color(ColorMode::Auto, context);
  int exit_code = paths_ok ? kExitOk : kExitUsage;
  auto worsen = [&](int code) {
    // Internal beats usage beats policy problems.
    if (code == kExitInternal || exit_code == kExitOk || (code == kExitUsage && exit_code == kExitDiagnostics)) {
      exit_code = code;
    }
  };
  std::size_t changed = 0;
  std::size_t unchanged = 0;
  for (const std::string& path : files) {
    std::string error;
    std::optional<std::string> original = read_file_bytes(path, error);
    if (!original) {
      context.err << "error: cannot read `" << path << "`: " << error << '\n';
      worsen(kExitUsage);
      continue;
    }
    SourceManager sources;
    format::FormatResult result = format::format_source(sources, path, *original);
    if (!result.internal_error.empty()) {
      context.err << "error: internal error in authzc while formatting `" << path << "`: " << result.internal_error
                  << "; the file was not changed (please report it)\n";
      worsen(kExitInternal);
      continue;
    }
    if (!result.text) {
      context.err << render_text(sources, result.diagnostics, color);
      context.err << "error: `" << path << "` has syntax errors and was not formatted\n";
      worsen(kExitDiagnostics);
      continue;
    }
    bool differs = *result.text != *original;
    if (options.to_stdout) {
      context.out << *result.text;
    } else if (options.check) {
      if (differs) {
        context.out << path << '\n';
        worsen(kExitDiagnostics);
      }
    } else if (differs) {
      if (!replace_file(path, *result.text, error)) {
        context.err << "error: cannot write `" << path << "`: " << error << '\n';
        worsen(kExitUsage);
        continue;
      }
    }
    (differs ? changed : unchanged) += 1;
  }
  if (options.check && changed > 0) {
    context.err << fmt::format("error: {} file{} not formatted; run `authzc fmt` on {}\n", changed,
                               changed == 1 ? " is" : "s are", changed == 1 ? "it" : "them");
  } else if (!options.check && !options.to_stdout && exit_code == kExitOk) {
    context.err << fmt::format("ok: {} file{} formatted, {} already formatted\n", changed, changed == 1 ? "" : "s",
                               unchanged);
  }
  return exit_code;
}

}  // namespace

Command register_fmt_command(CLI::App& authzc) {
  auto options = std::make_shared<FmtOptions>();
  CLI::App* fmt = authzc.add_subcommand("fmt", "rewrite policy files in the canonical layout");
  fmt->add_option("paths", options->paths, "policy files, or directories searched recursively for *.authz files")
      ->required()
      ->type_name("PATH");
  CLI::Option* check =
      fmt->add_flag("--check", options->check, "change nothing; list the files that are not formatted (exit 1 if any)");
  fmt->add_flag("--stdout", options->to_stdout, "print the formatted text instead of rewriting the files")
      ->excludes(check);
  fmt->footer(
      "Comments and doc comments are kept as written; the formatted file always parses\n"
      "to the same policy (authzc checks this before writing, and never writes a file\n"
      "with syntax errors). Files are replaced atomically. docs/lint.md describes the layout.\n\n"
      "Examples:\n"
      "  authzc fmt policy/\n"
      "  authzc fmt --check examples/ stdlib/\n\n" +
      exit_code_help());
  return Command{fmt, [options](const Context& context) { return run_fmt(*options, context); }};
}

}  // namespace authz::cli
