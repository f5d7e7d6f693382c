// diff_command.cpp — `authzc diff OLD NEW`: what access a policy change grants
// or takes away, for review (compiler/access_diff/access_diff.h).
//
// OLD and NEW are each a policy file, a directory of *.authz files, or a
// built .authzt table. Both are loaded (and their diagnostics printed) before
// anything is written: a broken policy prints diagnostics and exits 1 with
// nothing on stdout. `--format text|markdown` (Markdown is for a pull
// request); `--fail-on-widening` exits 5 when anything is newly allowed, a
// condition loosened or could not be proven not to loosen, an obligation was
// dropped, or a window or expiry grew.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <ostream>

#include "compiler/access_diff/access_diff.h"
#include "compiler/cli/commands.h"
#include "compiler/cli/policy_input.h"
#include "runtime/internal/time_text.h"

namespace authz::cli {
namespace {

constexpr int kExitWidening = 5;

struct DiffOptions {
  std::string old_path;
  std::string new_path;
  std::vector<std::string> stdlib_dirs;
  std::string now;
  std::string format = "text";
  bool fail_on_widening = false;
  ColorMode color = ColorMode::Auto;
};

int run_diff(const DiffOptions& options, const Context& context) {
  std::int64_t now_ms = 0;
  if (options.now.empty()) {
    now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  } else if (auto parsed = runtime::parse_timestamp(options.now)) {
    now_ms = *parsed;
  } else {
    context.err << "error: `--now " << options.now << "` is not a timestamp\n"
                << "  = help: write it as RFC 3339, e.g. `2026-12-01T00:00:00Z`\n";
    return kExitUsage;
  }

  auto load = [&](const std::string& path) {
    FrontEndOptions front_end;
    front_end.paths = {path};
    front_end.stdlib_dirs = options.stdlib_dirs;
    front_end.color = options.color;
    return load_model(front_end, context);
  };
  ModelOrExit old_input = load(options.old_path);
  ModelOrExit new_input = load(options.new_path);
  if (!old_input.loaded || !new_input.loaded) {
    int old_code = old_input.loaded ? kExitOk : old_input.exit_code;
    int new_code = new_input.loaded ? kExitOk : new_input.exit_code;
    context.err << "error: no access diff: "
                << (!old_input.loaded && !new_input.loaded ? "neither policy loads"
                    : !old_input.loaded                    ? "the old policy `" + options.old_path + "` does not load"
                                                           : "the new policy `" + options.new_path + "` does not load")
                << '\n';
    return std::max(old_code, new_code);
  }

  access_diff::AccessDiff diff = access_diff::diff_access(old_input.loaded->model, new_input.loaded->model, now_ms);
  if (!diff.internal_error.empty()) {
    // Lowered sources and validated tables load; what remains is input that
    // is not a whole policy (a module without `policy NAME;`).
    context.err << "error: cannot compare `" << options.old_path << "` and `" << options.new_path
                << "`: " << diff.internal_error << '\n'
                << "  = help: give each side as a policy: a file or directory with `policy NAME;`, or a built table\n";
    return kExitDiagnostics;
  }
  context.out << (options.format == "markdown" ? access_diff::render_markdown(diff, options.old_path, options.new_path)
                                               : access_diff::render_text(diff, options.old_path, options.new_path));
  context.out.flush();
  if (options.fail_on_widening && diff.widening()) {
    context.err << "error: the change widens access (`--fail-on-widening`)\n"
                << "  = help: have the widening reviewed and approved, then run without `--fail-on-widening`\n";
    return kExitWidening;
  }
  return kExitOk;
}

}  // namespace

Command register_diff_command(CLI::App& authzc) {
  auto options = std::make_shared<DiffOptions>();
  CLI::App* diff = authzc.add_subcommand("diff", "show what access a policy change grants or takes away");
  diff->add_option("old", options->old_path, "the policy before the change: a file, a directory or a built .authzt")
      ->required()
      ->type_name("OLD");
  diff->add_option("new", options->new_path, "the policy after the change: a file, a directory or a built .authzt")
      ->required()
      ->type_name("NEW");
  diff->add_option("--stdlib", options->stdlib_dirs, "directory holding stdlib modules; repeatable")
      ->type_name("DIR")
      ->allow_extra_args(false);
  diff->add_option("--now", options->now, "evaluate at this instant (RFC 3339; default: the current time)")
      ->type_name("TIME");
  diff->add_option("--format", options->format, "`text` (default) or `markdown` (to paste into a pull request)")
      ->check(CLI::IsMember({"text", "markdown"}))
      ->type_name("FORMAT");
  diff->add_flag("--fail-on-widening", options->fail_on_widening,
                 "exit 5 when access grows: newly allowed, a loosened (or undecided) condition, a dropped "
                 "obligation, a longer window or expiry");
  diff->add_option_function<std::string>(
          "--color",
          [options](const std::string& value) { options->color = color_mode_named(value); },
          "colour diagnostics: `auto` (default), `always`, `never`")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->type_name("WHEN");
  diff->footer(
      "For every role (a caller holding just that role, inheritance included), every\n"
      "user named by a grant or rule, and every tool, resource and prompt of either\n"
      "policy, partial evaluation with all arguments unknown gives the access under\n"
      "OLD and NEW; the diff lists what is newly allowed, newly denied, or allowed\n"
      "under a changed condition, with the rules responsible, then rules and grants\n"
      "whose windows or expiries changed. The caller's id and attributes stay\n"
      "symbolic (`user.id`, `user.manages`); the output lists every assumption.\n"
      "A condition change that cannot be proven to only narrow counts as widening.\n\n"
      "Examples:\n"
      "  authzc diff main-policy/ examples/sales --now 2026-12-01T00:00:00Z\n"
      "  authzc diff old.authzt new.authzt --format markdown --fail-on-widening\n\n" +
      exit_code_help() +
      "\n  5  --fail-on-widening was given and the change widens access");
  return Command{diff, [options](const Context& context) { return run_diff(*options, context); }};
}

}  // namespace authz::cli
