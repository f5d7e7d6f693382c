// loader_test.cpp — load_program over real files in a temporary directory:
// entries and directories, `use` resolution (paths and stdlib modules), each
// file parsed once, cycles with their chain, and refusals (missing, too large,
// directories, FIFOs, invalid `use` names) with exact codes and spans.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "compiler/loader.h"
#include "compiler/parse.h"

using namespace authz;
namespace fs = std::filesystem;

namespace {

// A scratch directory removed when the test ends.
struct TempTree {
  fs::path root;
  TempTree() {
    static std::atomic<int> counter{0};
    root = fs::temp_directory_path() /
           ("authz_loader_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(root);
    fs::create_directories(root);
  }
  ~TempTree() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  std::string write(const std::string& relative, const std::string& text) const {
    fs::path path = root / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }
  std::string path(const std::string& relative) const { return (root / relative).string(); }
};

struct Loaded {
  SourceManager sources;
  DiagnosticSink sink;
  Program program;
  std::vector<Diagnostic> diagnostics;
  std::vector<std::string> paths;  // display path of each loaded file, in load order
};

std::unique_ptr<Loaded> load(const std::vector<std::string>& paths, std::vector<std::string> stdlib = {}) {
  auto loaded = std::make_unique<Loaded>();
  LoadOptions options;
  options.stdlib_dirs = std::move(stdlib);
  loaded->program = load_program(paths, options, loaded->sources, loaded->sink);
  loaded->diagnostics = loaded->sink.take_sorted();
  for (const auto& file : loaded->program.files) loaded->paths.push_back(loaded->sources.path(file->file));
  return loaded;
}

std::vector<std::string> codes(const Loaded& loaded) {
  std::vector<std::string> result;
  for (const Diagnostic& d : loaded.diagnostics) result.emplace_back(code_string(d.code));
  return result;
}

}  // namespace

TEST_CASE("loader: a missing entry path is E0101 without a location, with the OS reason", "[loader]") {
  TempTree tree;
  auto loaded = load({tree.path("nope.authz")});
  REQUIRE(codes(*loaded) == std::vector<std::string>{"E0101"});
  CHECK_FALSE(loaded->diagnostics[0].span.valid());
  CHECK(loaded->diagnostics[0].message == "cannot read `" + tree.path("nope.authz") + "`: no such file or directory");
  CHECK(loaded->program.files.empty());
}

TEST_CASE("loader: a directory contributes its *.authz files, sorted, not recursing", "[loader]") {
  TempTree tree;
  tree.write("pol/b.authz", "policy p;\n");
  tree.write("pol/a.authz", "policy p;\n");
  tree.write("pol/notes.txt", "not a policy");
  tree.write("pol/sub/c.authz", "policy p;\n");
  auto loaded = load({tree.path("pol")});
  CHECK(loaded->diagnostics.empty());
  CHECK(loaded->paths == std::vector<std::string>{tree.path("pol/a.authz"), tree.path("pol/b.authz")});
}

TEST_CASE("loader: a directory without .authz files is E0101", "[loader]") {
  TempTree tree;
  fs::create_directories(tree.root / "empty");
  auto loaded = load({tree.path("empty")});
  REQUIRE(codes(*loaded) == std::vector<std::string>{"E0101"});
  CHECK(loaded->diagnostics[0].message == "directory `" + tree.path("empty") + "` has no `.authz` files");
}

TEST_CASE("loader: a file over the size limit is E0005 and is not parsed", "[loader]") {
  TempTree tree;
  std::string big = tree.write("big.authz", "");
  fs::resize_file(big, kMaxFileBytes + 1);  // sparse: cheap to make
  auto loaded = load({big});
  REQUIRE(codes(*loaded) == std::vector<std::string>{"E0005"});
  CHECK(loaded->program.files.empty());
  CHECK(loaded->diagnostics[0].message.find("is too large (8388609 bytes)") != std::string::npos);
}

TEST_CASE("loader: a FIFO is refused without blocking", "[loader]") {
  TempTree tree;
  std::string fifo = tree.path("pipe.authz");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto loaded = load({fifo});
  REQUIRE(codes(*loaded) == std::vector<std::string>{"E0101"});
  CHECK(loaded->diagnostics[0].message == "cannot read `" + fifo + "`: not a regular file");
}

TEST_CASE("loader: `use` paths are relative to the using file; each file is parsed once", "[loader]") {
  TempTree tree;
  std::string main = tree.write("pol/sub/main.authz", "policy p;\nuse \"../common.authz\";\nuse \"../common.authz\";\n");
  std::string common = tree.write("pol/common.authz", "module c;\n");
  auto loaded = load({main, common});
  CHECK(loaded->diagnostics.empty());
  CHECK(loaded->paths == std::vector<std::string>{main, common});
}

TEST_CASE("loader: entries come first, then used files breadth-first", "[loader]") {
  TempTree tree;
  std::string a = tree.write("a.authz", "policy p;\nuse \"x.authz\";\n");
  std::string b = tree.write("b.authz", "policy p;\nuse \"y.authz\";\n");
  tree.write("x.authz", "module x;\nuse \"z.authz\";\n");
  tree.write("y.authz", "module y;\n");
  tree.write("z.authz", "module z;\n");
  auto loaded = load({a, b});
  CHECK(loaded->diagnostics.empty());
  CHECK(loaded->paths ==
        std::vector<std::string>{a, b, tree.path("x.authz"), tree.path("y.authz"), tree.path("z.authz")});
}

TEST_CASE("loader: a missing used file is E0101 at the `use`", "[loader]") {
  TempTree tree;
  std::string main = tree.write("main.authz", "policy p;\nuse \"gone.authz\";\n");
  auto loaded = load({main});
  REQUIRE(codes(*loaded) == std::vector<std::string>{"E0101"});
  const Diagnostic& d = loaded->diagnostics[0];
  CHECK(loaded->sources.slice(d.span) == "\"gone.authz\"");
  CHECK(d.message == "cannot read `" + tree.path("gone.authz") + "`: no such file or directory");
  CHECK(d.help == "`use` paths are relative to the file that contains the `use`");
}

TEST_CASE("loader: using a directory or an absolute path is refused", "[loader]") {
  TempTree tree;
  fs::create_directories(tree.root / "lib");
  std::string main = tree.write("main.authz", "policy p;\nuse \"lib\";\nuse \"/etc/passwd\";\n");
  auto loaded = load({main});
  REQUIRE(codes(*loaded) == std::vector<std::string>{"E0101", "E0106"});
  CHECK(loaded->diagnostics[0].message == "cannot read `" + tree.path("lib") + "`: it is a directory");
  CHECK(loaded->diagnostics[1].message == "`use` path `/etc/passwd` is absolute");
  CHECK(loaded->sources.slice(loaded->diagnostics[1].span) == "\"/etc/passwd\"");
}

TEST_CASE("loader: a file that uses itself is a cycle of length one", "[loader]") {
  TempTree tree;
  std::string self = tree.write("self.authz", "policy p;\nuse \"self.authz\";\n");
  auto loaded = load({self});
  REQUIRE(codes(*loaded) == std::vector<std::string>{"E0103"});
  const Diagnostic& d = loaded->diagnostics[0];
  CHECK(d.message == "file `" + self + "` uses itself");
  CHECK(loaded->sources.slice(d.span) == "\"self.authz\"");
  CHECK(d.notes.empty());
  CHECK(loaded->program.files.size() == 1);
}

TEST_CASE("loader: a cycle through three files is reported once with the chain in notes", "[loader]") {
  TempTree tree;
  std::string a = tree.write("a.authz", "policy p;\nuse \"b.authz\";\n");
  std::string b = tree.write("b.authz", "module b;\nuse \"c.authz\";\n");
  std::string c = tree.write("c.authz", "module c;\nuse \"a.authz\";\n");
  auto loaded = load({a});
  REQUIRE(codes(*loaded) == std::vector<std::string>{"E0103"});
  const Diagnostic& d = loaded->diagnostics[0];
  CHECK(d.message == "files use each other in a cycle: `" + a + "` -> `" + b + "` -> `" + c + "` -> `" + a + "`");
  CHECK(d.span.file == loaded->program.files[2]->file);  // the `use` in c.authz closes the cycle
  REQUIRE(d.notes.size() == 2);
  CHECK(d.notes[0].message == "`" + a + "` uses `" + b + "` here");
  CHECK(loaded->sources.slice(d.notes[0].span) == "\"b.authz\"");
  CHECK(d.notes[1].message == "`" + b + "` uses `" + c + "` here");
  CHECK(loaded->program.files.size() == 3);
}

TEST_CASE("loader: stdlib modules resolve in directory order", "[loader]") {
  TempTree tree;
  std::string first = tree.write("std1/mcp/other.authz", "module mcp.other;\n");
  std::string second = tree.write("std2/mcp/filesystem.authz", "module mcp.filesystem;\n");
  tree.write("std2/mcp/other.authz", "module mcp.other;\n");
  std::string main = tree.write("main.authz", "policy p;\nuse mcp.filesystem;\nuse mcp.other;\n");
  auto loaded = load({main}, {tree.path("std1"), tree.path("std2")});
  CHECK(loaded->diagnostics.empty());
  CHECK(loaded->paths == std::vector<std::string>{main, second, first});
}

TEST_CASE("loader: unknown stdlib modules get a suggestion and the searched directories", "[loader]") {
  TempTree tree;
  tree.write("std/mcp/filesystem.authz", "module mcp.filesystem;\n");
  std::string main = tree.write("main.authz", "policy p;\nuse mcp.filesytem;\n");
  auto loaded = load({main}, {tree.path("std")});
  REQUIRE(codes(*loaded) == std::vector<std::string>{"E0102"});
  const Diagnostic& d = loaded->diagnostics[0];
  CHECK(d.message == "unknown stdlib module `mcp.filesytem`");
  CHECK(loaded->sources.slice(d.span) == "mcp.filesytem");
  CHECK(d.help == "did you mean `mcp.filesystem`?");
  REQUIRE(d.notes.size() == 1);
  CHECK(d.notes[0].message == "looked for `mcp/filesytem.authz` in `" + tree.path("std") + "`");

  auto without_stdlib = load({main});
  REQUIRE(codes(*without_stdlib) == std::vector<std::string>{"E0102"});
  CHECK(without_stdlib->diagnostics[0].help == "no stdlib directory was found; pass `--stdlib DIR` or set `AUTHZ_STDLIB`");
}

TEST_CASE("loader: module names are lower-case dotted words", "[loader]") {
  TempTree tree;
  tree.write("std/Mcp/fs.authz", "module x;\n");
  std::string main = tree.write("main.authz", "policy p;\nuse Mcp.fs;\n");
  auto loaded = load({main}, {tree.path("std")});
  REQUIRE(codes(*loaded) == std::vector<std::string>{"E0106"});
  CHECK(loaded->diagnostics[0].message == "invalid module name `Mcp.fs`");
  CHECK(loaded->sources.slice(loaded->diagnostics[0].span) == "Mcp.fs");
}

TEST_CASE("loader: default stdlib directories start with $AUTHZ_STDLIB", "[loader]") {
  const char* saved = std::getenv("AUTHZ_STDLIB");
  std::string saved_value = saved ? saved : "";
  ::setenv("AUTHZ_STDLIB", "/nonexistent/stdlib", 1);
  auto dirs = default_stdlib_dirs(nullptr);
  REQUIRE_FALSE(dirs.empty());
  CHECK(dirs[0] == "/nonexistent/stdlib");
  if (fs::is_directory(AUTHZ_STDLIB_SOURCE_DIR)) {
    CHECK(dirs.back() == fs::path(AUTHZ_STDLIB_SOURCE_DIR).lexically_normal().string());
  }
  ::unsetenv("AUTHZ_STDLIB");
  auto without = default_stdlib_dirs(nullptr);
  CHECK((without.empty() || without[0] != "/nonexistent/stdlib"));
  if (saved) ::setenv("AUTHZ_STDLIB", saved_value.c_str(), 1);
}

// ---- confinement: a policy reads nothing outside its root (issue #20) -------------

TEST_CASE("loader: a `use` path that climbs out of the policy's directories is E0107, never read", "[loader][confine]") {
  TempTree tree;
  tree.write("secret.authz", "policy stolen;\n");
  tree.write("outside/passwd", "root:x:0:0:root:/root:/bin/bash\n");
  std::string main = tree.write("pol/main.authz",
                                "policy p;\nuse \"../secret.authz\";\nuse \"../outside/passwd\";\n"
                                "use \"../../../../../../../../etc/passwd\";\n");
  auto loaded = load({main});
  REQUIRE(codes(*loaded) == std::vector<std::string>{"E0107", "E0107", "E0107"});
  CHECK(loaded->diagnostics[0].message == "`use` path `" + tree.path("secret.authz") + "` leads outside the policy's directories");
  CHECK(loaded->sources.slice(loaded->diagnostics[0].span) == "\"../secret.authz\"");
  CHECK(loaded->diagnostics[0].help.find("name its directory on the command line") != std::string::npos);
  CHECK(loaded->program.files.size() == 1);
  CHECK(loaded->sources.file_count() == 1);  // nothing else was even read

  // Naming the file on the command line puts its directory inside: then
  // only the path that leaves the tree altogether is still E0107.
  auto widened = load({main, tree.path("secret.authz")});
  auto widened_codes = codes(*widened);
  CHECK(std::count(widened_codes.begin(), widened_codes.end(), "E0107") == 1);
}

TEST_CASE("loader: a symbolic link inside the root that points outside is E0107", "[loader][confine]") {
  TempTree tree;
  tree.write("outside/secret.authz", "policy stolen;\n");
  std::string main = tree.write("pol/main.authz", "policy p;\nuse \"link.authz\";\nuse \"inner.authz\";\n");
  tree.write("pol/real.authz", "module inner;\n");
  fs::create_symlink(tree.path("outside/secret.authz"), tree.path("pol/link.authz"));
  fs::create_symlink("real.authz", tree.path("pol/inner.authz"));  // inside: fine
  auto loaded = load({main});
  REQUIRE(codes(*loaded) == std::vector<std::string>{"E0107"});
  CHECK(loaded->diagnostics[0].message ==
        "`use` path `" + tree.path("pol/link.authz") + "` leads outside the policy's directories (through a symbolic link, to `" +
            fs::canonical(tree.path("outside/secret.authz")).string() + "`)");
  CHECK(loaded->program.files.size() == 2);
}

TEST_CASE("loader: a link in an entry directory to the job's environment is not read", "[loader][confine]") {
  TempTree tree;
  tree.write("pol/main.authz", "policy p;\n");
  fs::create_symlink("/proc/self/environ", tree.path("pol/env.authz"));
  fs::create_symlink(tree.path("outside.authz"), tree.path("pol/zz.authz"));
  tree.write("outside.authz", "policy p;\n");
  auto loaded = load({tree.path("pol")});
  REQUIRE(codes(*loaded) == std::vector<std::string>{"E0107", "E0107"});
  CHECK_FALSE(loaded->diagnostics[0].span.valid());
  CHECK(loaded->diagnostics[0].message.find("file `" + tree.path("pol/env.authz") + "` leads outside") == 0);
  CHECK(loaded->sources.file_count() == 1);
}

TEST_CASE("loader: devices, FIFOs and directories are refused without blocking", "[loader][confine]") {
  TempTree tree;
  std::string main = tree.write("pol/main.authz",
                                "policy p;\nuse \"pipe.authz\";\nuse \"../../../../../../../../../dev/zero\";\n"
                                "use \"zero.authz\";\n");
  REQUIRE(::mkfifo(tree.path("pol/pipe.authz").c_str(), 0600) == 0);
  fs::create_symlink("/dev/zero", tree.path("pol/zero.authz"));
  auto loaded = load({main});
  REQUIRE(codes(*loaded) == std::vector<std::string>{"E0101", "E0107", "E0107"});
  CHECK(loaded->diagnostics[0].message == "cannot read `" + tree.path("pol/pipe.authz") + "`: not a regular file");
  // Entry files may be anywhere, but must still be regular files.
  auto device = load({"/dev/zero"});
  REQUIRE(codes(*device) == std::vector<std::string>{"E0101"});
  CHECK(device->diagnostics[0].message == "cannot read `/dev/zero`: not a regular file");
}

TEST_CASE("loader: `use` reads only `.authz` files, even inside the root", "[loader][confine]") {
  TempTree tree;
  tree.write("pol/.env", "API_KEY=hunter2\n");
  tree.write("pol/notes.txt", "policy p;\n");
  std::string main = tree.write("pol/main.authz", "policy p;\nuse \".env\";\nuse \"notes.txt\";\nuse \"env.authz\";\n");
  fs::create_symlink(".env", tree.path("pol/env.authz"));
  auto loaded = load({main});
  REQUIRE(codes(*loaded) == std::vector<std::string>{"E0106", "E0106", "E0106"});
  CHECK(loaded->diagnostics[0].message == "`use` path `" + tree.path("pol/.env") + "` is not a `.authz` file");
  CHECK(loaded->sources.file_count() == 1);
}

TEST_CASE("loader: a binary `.authz` file inside the root is one diagnostic", "[loader][confine]") {
  TempTree tree;
  std::string blob = "policy p;\n";
  for (int i = 0; i < 5000; ++i) blob += std::string("\0\x01\x02$#", 5);
  tree.write("pol/blob.authz", blob);
  std::string main = tree.write("pol/main.authz", "policy p;\nuse \"blob.authz\";\n");
  auto loaded = load({main});
  REQUIRE(codes(*loaded) == std::vector<std::string>{"E0016"});
}

TEST_CASE("loader: stdlib modules are inside the root", "[loader][confine]") {
  TempTree tree;
  tree.write("std/mcp/fs.authz", "module mcp.fs;\nuse \"../common/base.authz\";\n");
  tree.write("std/common/base.authz", "module base;\n");
  std::string main = tree.write("pol/main.authz", "policy p;\nuse mcp.fs;\n");
  auto loaded = load({main}, {tree.path("std") + "/"});
  CHECK(loaded->diagnostics.empty());
  CHECK(loaded->program.files.size() == 3);
}
