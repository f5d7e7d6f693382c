// loader.cpp — finds, reads and parses every file of one policy.
//
// Contract (see loader.h): entry paths are loaded in the order given (a
// directory contributes its `*.authz` files, sorted by name), then `use`
// declarations are followed breadth-first, so Program::files lists entries
// first. A file's identity is its device and inode, so a file reached by two
// spellings is read and parsed once. Files are opened non-blocking and checked
// with fstat before reading: directories, FIFOs and devices are refused, and a
// file over kMaxFileBytes is refused without reading it. A file the policy
// names (not the user) is resolved first and refused unopened when it lies
// outside the root or is not a `.authz` file (loader.h). After loading, one
// iterative depth-first pass over the `use` graph reports each cycle once,
// with every `use` along it as a located note. Never throws.
#include "compiler/loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/internal/closest_name.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <system_error>
#include <utility>

#include "compiler/parse.h"

namespace authz {
namespace {

namespace fs = std::filesystem;

std::string os_error_text(int error) {
  std::string text = std::strerror(error);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

std::string ticked(std::string_view text) { return "`" + std::string(text) + "`"; }

bool is_module_segment_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

// `mcp.filesystem` -> true; empty segments, `..`, upper case, `/` -> false.
bool is_valid_module_name(std::string_view name) {
  if (name.empty()) return false;
  std::size_t segment_length = 0;
  for (char c : name) {
    if (c == '.') {
      if (segment_length == 0) return false;
      segment_length = 0;
    } else if (is_module_segment_char(c)) {
      ++segment_length;
    } else {
      return false;
    }
  }
  return segment_length > 0;
}

std::string module_relative_path(std::string_view name) {
  std::string path(name);
  std::replace(path.begin(), path.end(), '.', '/');
  return path + ".authz";
}

// Every module a stdlib directory offers (for "did you mean" help). Bounded
// so that a stdlib pointed at a huge tree by mistake stays cheap.
std::vector<std::string> available_modules(const std::vector<std::string>& stdlib_dirs) {
  constexpr int kMaxDepth = 4;
  constexpr std::size_t kMaxModules = 2000;
  std::vector<std::string> modules;
  for (const std::string& dir : stdlib_dirs) {
    std::error_code ec;
    fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it.depth() >= kMaxDepth) it.disable_recursion_pending();
      if (it->path().extension() != ".authz" || !it->is_regular_file(ec)) continue;
      fs::path relative = it->path().lexically_relative(dir);
      relative.replace_extension();
      std::string name = relative.generic_string();
      std::replace(name.begin(), name.end(), '/', '.');
      if (is_valid_module_name(name)) modules.push_back(name);
      if (modules.size() >= kMaxModules) break;
    }
  }
  std::sort(modules.begin(), modules.end());
  modules.erase(std::unique(modules.begin(), modules.end()), modules.end());
  return modules;
}

class Loader {
 public:
  Loader(const LoadOptions& options, SourceManager& sources, DiagnosticSink& sink)
      : options_(options), sources_(sources), sink_(sink) {}

  Program run(const std::vector<std::string>& paths) {
    for (const std::string& path : paths) add_root_of_entry(path);
    for (const std::string& dir : options_.stdlib_dirs) add_root(dir);
    for (const std::string& path : paths) load_entry(path);
    // Breadth-first over `use`: nodes_ grows while we walk it.
    for (std::size_t node = 0; node < nodes_.size(); ++node) resolve_uses(node);
    report_cycles();
    return std::move(program_);
  }

 private:
  struct Edge {
    std::size_t target;
    Span span;  // the `use` target as written
  };
  struct Node {
    std::string path;  // display path
    std::vector<Edge> uses;
  };

  // The policy's root: every directory named on the command line, the
  // directory of every file named there, and the stdlib directories, each
  // with symbolic links resolved. Only files inside it are read, except the
  // entry files themselves (the user named those).
  void add_root(const fs::path& dir) {
    std::error_code ec;
    fs::path resolved = fs::weakly_canonical(fs::absolute(dir, ec), ec);
    if (ec || resolved.empty()) return;
    if (!resolved.has_filename()) resolved = resolved.parent_path();  // `dir/` -> `dir`
    if (std::find(roots_.begin(), roots_.end(), resolved) == roots_.end()) roots_.push_back(resolved);
  }

  void add_root_of_entry(const std::string& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      add_root(path);
      return;
    }
    fs::path absolute = fs::absolute(path, ec).lexically_normal();
    add_root(absolute.parent_path());
    // An entry that is a symbolic link also opens the directory it points into.
    fs::path resolved = fs::weakly_canonical(absolute, ec);
    if (!ec) add_root(resolved.parent_path());
  }

  bool inside_root(const fs::path& resolved) const {
    for (const fs::path& root : roots_) {
      auto [root_end, unused] = std::mismatch(root.begin(), root.end(), resolved.begin(), resolved.end());
      (void)unused;
      if (root_end == root.end()) return true;
    }
    return false;
  }

  void load_entry(const std::string& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      load_directory(path);
    } else {
      load_file(path, Span{}, /*confined=*/false);
    }
  }

  void load_directory(const std::string& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
      std::error_code entry_ec;
      if (it->path().extension() == ".authz" && it->is_regular_file(entry_ec)) {
        names.push_back(it->path().filename().string());
      }
    }
    if (ec) {
      sink_.report(DiagCode::CannotReadFile, Span{},
                   "cannot read directory " + ticked(dir) + ": " + os_error_text(ec.value()));
      return;
    }
    if (names.empty()) {
      sink_.report(DiagCode::CannotReadFile, Span{}, "directory " + ticked(dir) + " has no `.authz` files",
                   "a policy directory holds its `.authz` files directly; subdirectories are not searched");
      return;
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      load_file((fs::path(dir) / name).lexically_normal().string(), Span{}, /*confined=*/true);
    }
  }

  // Reads and parses one file unless it is already loaded; returns its node.
  // `origin` is where the file was named (invalid for command-line paths).
  // A `confined` file (one a policy named: by `use`, or by being in an entry
  // directory) must resolve inside the root and be a `.authz` file; both are
  // checked on the path with every symbolic link resolved, before it is
  // opened, so nothing outside the root is ever opened or read.
  std::optional<std::size_t> load_file(const std::string& path, Span origin, bool confined) {
    std::error_code absolute_ec;
    std::string failure_key = fs::absolute(path, absolute_ec).lexically_normal().string();
    if (failed_.count(failure_key)) return std::nullopt;
    auto fail = [&](DiagCode code, std::string message, std::string help = {}) -> std::optional<std::size_t> {
      failed_.insert(failure_key);
      sink_.report(code, origin, std::move(message), std::move(help));
      return std::nullopt;
    };
    std::string help_for_use =
        origin.valid() ? "`use` paths are relative to the file that contains the `use`" : std::string();

    std::string open_path = path;
    if (confined) {
      std::error_code resolve_ec;
      fs::path resolved = fs::weakly_canonical(fs::absolute(path, resolve_ec), resolve_ec);
      if (resolve_ec) return fail(DiagCode::CannotReadFile, "cannot read " + ticked(path) + ": " + os_error_text(resolve_ec.value()));
      bool is_link = resolved != fs::absolute(path, resolve_ec).lexically_normal();
      std::string named = origin.valid() ? "`use` path" : "file";
      std::string link_note = is_link ? " (through a symbolic link, to " + ticked(resolved.string()) + ")" : "";
      if (!inside_root(resolved)) {
        return fail(DiagCode::FileOutsidePolicy, named + " " + ticked(path) + " leads outside the policy's directories" + link_note,
                    "a policy reads only files inside the directories named on the command line (and the "
                    "directories of the files named there) and the stdlib directories; move the file inside, "
                    "or name its directory on the command line");
      }
      std::error_code stat_ec;
      fs::file_status status = fs::status(resolved, stat_ec);
      if (fs::is_regular_file(status) && resolved.extension() != ".authz") {
        return fail(DiagCode::InvalidUsePath, named + " " + ticked(path) + " is not a `.authz` file" + link_note,
                    "a policy uses only `.authz` files");
      }
      // Opening the resolved path: no link can be swapped in between.
      open_path = resolved.string();
    }

    // Non-blocking, so naming a FIFO cannot hang the compiler; fstat below
    // refuses anything that is not a regular file.
    int fd = ::open(open_path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | (confined ? O_NOFOLLOW : 0));
    if (fd < 0) return fail(DiagCode::CannotReadFile, "cannot read " + ticked(path) + ": " + os_error_text(errno), help_for_use);
    struct FdCloser {
      int fd;
      ~FdCloser() { ::close(fd); }
    } closer{fd};

    struct stat info {};
    if (::fstat(fd, &info) != 0) return fail(DiagCode::CannotReadFile, "cannot read " + ticked(path) + ": " + os_error_text(errno));
    if (S_ISDIR(info.st_mode)) {
      return fail(DiagCode::CannotReadFile, "cannot read " + ticked(path) + ": it is a directory",
                  origin.valid() ? "`use` names one file; use each file of the directory separately" : "");
    }
    if (!S_ISREG(info.st_mode)) return fail(DiagCode::CannotReadFile, "cannot read " + ticked(path) + ": not a regular file");

    auto identity = std::make_pair(static_cast<std::uint64_t>(info.st_dev), static_cast<std::uint64_t>(info.st_ino));
    if (auto known = node_by_identity_.find(identity); known != node_by_identity_.end()) return known->second;

    std::string too_large_help = "a policy file may hold at most " + std::to_string(kMaxFileBytes >> 20) +
                                 " MiB; split it into several files that `use` each other";
    if (static_cast<std::uint64_t>(info.st_size) > kMaxFileBytes) {
      return fail(DiagCode::FileTooLarge,
                  "file " + ticked(path) + " is too large (" + std::to_string(info.st_size) + " bytes)", too_large_help);
    }

    // Read at most one byte past the limit: the file may grow after fstat.
    std::string text;
    text.resize(static_cast<std::size_t>(info.st_size) + 1);
    std::size_t filled = 0;
    while (filled < kMaxFileBytes + 1) {
      if (filled == text.size()) text.resize(std::min(text.size() * 2, kMaxFileBytes + 1));
      ssize_t got = ::read(fd, text.data() + filled, text.size() - filled);
      if (got < 0) {
        if (errno == EINTR) continue;
        return fail(DiagCode::CannotReadFile, "cannot read " + ticked(path) + ": " + os_error_text(errno));
      }
      if (got == 0) break;
      filled += static_cast<std::size_t>(got);
    }
    if (filled > kMaxFileBytes) {
      return fail(DiagCode::FileTooLarge, "file " + ticked(path) + " is too large (more than " +
                                              std::to_string(kMaxFileBytes) + " bytes)", too_large_help);
    }
    text.resize(filled);

    FileId id = sources_.add(path, std::move(text));
    program_.files.push_back(parse_file(sources_, id, sink_));
    nodes_.push_back(Node{path, {}});
    node_by_identity_.emplace(identity, nodes_.size() - 1);
    return nodes_.size() - 1;
  }

  void resolve_uses(std::size_t node) {
    const ast::File* file = program_.files[node].get();
    if (file == nullptr) return;
    for (const ast::UseDecl& use : file->uses) {
      std::optional<std::size_t> target = use.is_path ? resolve_path_use(node, use) : resolve_module_use(use);
      if (target) nodes_[node].uses.push_back(Edge{*target, use.target_span});
    }
  }

  std::optional<std::size_t> resolve_path_use(std::size_t node, const ast::UseDecl& use) {
    const std::string& target = use.target;
    if (target.empty()) {
      sink_.report(DiagCode::InvalidUsePath, use.target_span, "empty `use` path",
                   "write the path of a file relative to this one, like `use \"common.authz\";`");
      return std::nullopt;
    }
    bool has_control = std::any_of(target.begin(), target.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
    if (has_control) {
      sink_.report(DiagCode::InvalidUsePath, use.target_span, "`use` path contains a control character");
      return std::nullopt;
    }
    fs::path using_dir = fs::path(nodes_[node].path).parent_path();
    if (fs::path(target).is_absolute()) {
      sink_.report(DiagCode::InvalidUsePath, use.target_span, "`use` path " + ticked(target) + " is absolute",
                   "write it relative to the directory of this file, so the policy can move as a whole");
      return std::nullopt;
    }
    return load_file((using_dir / target).lexically_normal().string(), use.target_span, /*confined=*/true);
  }

  std::optional<std::size_t> resolve_module_use(const ast::UseDecl& use) {
    const std::string& name = use.target;
    // The grammar only produces non-empty dotted segments; an empty segment
    // means the parser already reported a syntax error here and recovered.
    bool recovered_from_syntax_error = name.empty() || name.front() == '.' || name.back() == '.' ||
                                       name.find("..") != std::string::npos;
    if (recovered_from_syntax_error) return std::nullopt;
    if (!is_valid_module_name(name)) {
      sink_.report(DiagCode::InvalidUsePath, use.target_span, "invalid module name " + ticked(name),
                   "module names are lower-case words separated by dots, like `mcp.filesystem`; "
                   "to use a file, write `use \"file.authz\";`");
      return std::nullopt;
    }
    std::string relative = module_relative_path(name);
    for (const std::string& dir : options_.stdlib_dirs) {
      fs::path candidate = fs::path(dir) / relative;
      std::error_code ec;
      if (fs::is_regular_file(candidate, ec)) {
        return load_file(candidate.lexically_normal().string(), use.target_span, /*confined=*/true);
      }
    }
    Diagnostic& diagnostic = sink_.report(DiagCode::UnknownModule, use.target_span, "unknown stdlib module " + ticked(name));
    if (options_.stdlib_dirs.empty()) {
      diagnostic.help = "no stdlib directory was found; pass `--stdlib DIR` or set `AUTHZ_STDLIB`";
      return std::nullopt;
    }
    std::string searched;
    for (const std::string& dir : options_.stdlib_dirs) searched += (searched.empty() ? "" : ", ") + ticked(dir);
    diagnostic.notes.push_back({Span{}, "looked for " + ticked(relative) + " in " + searched});
    const std::vector<std::string> modules = available_modules(options_.stdlib_dirs);
    if (const std::string_view suggestion = runtime::internal::closest_name(name, modules); !suggestion.empty()) {
      diagnostic.help = runtime::internal::did_you_mean(suggestion);
    } else {
      diagnostic.help = "to use a file of your own, write `use \"file.authz\";`";
    }
    return std::nullopt;
  }

  // Iterative depth-first search (a long chain of files cannot exhaust the
  // stack); every back edge closes exactly one reported cycle.
  void report_cycles() {
    enum class Color { White, Gray, Black };
    std::vector<Color> color(nodes_.size(), Color::White);
    struct Frame {
      std::size_t node;
      std::size_t next_edge = 0;
    };
    for (std::size_t root = 0; root < nodes_.size(); ++root) {
      if (color[root] != Color::White) continue;
      std::vector<Frame> stack{{root}};
      color[root] = Color::Gray;
      while (!stack.empty()) {
        Frame& frame = stack.back();
        if (frame.next_edge == nodes_[frame.node].uses.size()) {
          color[frame.node] = Color::Black;
          stack.pop_back();
          continue;
        }
        const Edge& edge = nodes_[frame.node].uses[frame.next_edge++];
        if (color[edge.target] == Color::Gray) {
          report_cycle(stack, edge);
        } else if (color[edge.target] == Color::White) {
          color[edge.target] = Color::Gray;
          stack.push_back({edge.target});
        }
      }
    }
  }

  template <typename Frames>
  void report_cycle(const Frames& stack, const Edge& closing) {
    std::size_t start = 0;
    while (stack[start].node != closing.target) ++start;
    const std::string& closing_from = nodes_[stack.back().node].path;
    if (start + 1 == stack.size()) {
      sink_.report(DiagCode::ImportCycle, closing.span, "file " + ticked(closing_from) + " uses itself",
                   "remove this `use`; a file sees its own declarations already");
      return;
    }
    std::string chain;
    for (std::size_t i = start; i < stack.size(); ++i) chain += ticked(nodes_[stack[i].node].path) + " -> ";
    chain += ticked(nodes_[closing.target].path);
    Diagnostic& diagnostic = sink_.report(
        DiagCode::ImportCycle, closing.span, "files use each other in a cycle: " + chain,
        "remove one `use` of the cycle; declarations that several files need can go into a file they all use");
    for (std::size_t i = start; i + 1 < stack.size(); ++i) {
      const Node& from = nodes_[stack[i].node];
      std::size_t next = stack[i + 1].node;
      // The edge that was followed is the one just before next_edge.
      const Edge& followed = from.uses[stack[i].next_edge - 1];
      diagnostic.notes.push_back(
          {followed.span, ticked(from.path) + " uses " + ticked(nodes_[next].path) + " here"});
    }
  }

  const LoadOptions& options_;
  SourceManager& sources_;
  DiagnosticSink& sink_;
  Program program_;
  std::vector<Node> nodes_;  // parallel to program_.files
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::size_t> node_by_identity_;
  std::set<std::string> failed_;  // absolute paths already reported unreadable
  std::vector<fs::path> roots_;   // resolved directories files may be read from
};

}  // namespace

Program load_program(const std::vector<std::string>& paths, const LoadOptions& options, SourceManager& sources,
                     DiagnosticSink& sink) {
  return Loader(options, sources, sink).run(paths);
}

std::vector<std::string> default_stdlib_dirs(const char* argv0) {
  std::vector<std::string> dirs;
  auto add = [&](const fs::path& dir) {
    std::error_code ec;
    if (dir.empty() || !fs::is_directory(dir, ec)) return;
    std::string text = dir.lexically_normal().string();
    if (std::find(dirs.begin(), dirs.end(), text) == dirs.end()) dirs.push_back(text);
  };
  // An explicit setting is kept even when it does not exist, so a typo shows
  // up in the "looked for" note of E0102 instead of being silently skipped.
  if (const char* env = std::getenv("AUTHZ_STDLIB"); env != nullptr && *env != '\0') dirs.push_back(env);

  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec && argv0 != nullptr && std::strchr(argv0, '/') != nullptr) exe = fs::absolute(argv0, ec);
  if (!exe.empty()) add(exe.parent_path() / ".." / AUTHZ_STDLIB_INSTALL_SUFFIX);
  add(AUTHZ_STDLIB_SOURCE_DIR);
  return dirs;
}

}  // namespace authz
