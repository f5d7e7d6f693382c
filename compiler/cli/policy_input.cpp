// policy_input.cpp — source paths or a table file, into a Model.
#include "compiler/cli/policy_input.h"

#include <fstream>
#include <ostream>
#include <sstream>

#include "compiler/lower.h"
#include "runtime/internal/table_reader.h"
#include "runtime/internal/table_writer.h"

namespace authz::cli {

namespace {
constexpr std::size_t kMaxTableBytes = 512u << 20;
}

bool names_table_file(const FrontEndOptions& options) {
  if (options.paths.size() != 1) return false;
  const std::string& path = options.paths.front();
  return path.size() > 7 && path.compare(path.size() - 7, 7, ".authzt") == 0;
}

std::optional<std::string> read_file_bytes(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open `" + path + "`";
    return std::nullopt;
  }
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size < 0) {
    error = "cannot read `" + path + "`";
    return std::nullopt;
  }
  if (static_cast<std::size_t>(size) > kMaxTableBytes) {
    error = "`" + path + "` is larger than 512 MiB";
    return std::nullopt;
  }
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.seekg(0);
  in.read(bytes.data(), size);
  if (!in) {
    error = "cannot read `" + path + "`";
    return std::nullopt;
  }
  return bytes;
}

std::optional<std::string> read_input_file(const std::string& path, const Context& context) {
  std::string error;
  std::optional<std::string> bytes = read_file_bytes(path, error);
  if (!bytes) context.err << "error: " << error << '\n';
  return bytes;
}

bool has_policy_to_lower(const CheckedPolicy& policy, const std::vector<std::string>& paths, const Context& context) {
  if (!policy.name.empty()) return true;
  context.err << "error: no `policy` header in `" << (paths.empty() ? std::string(".") : paths.front())
              << "`: modules check on their own, but only a policy builds a decision table\n"
              << "  = help: name the policy that `use`s these modules\n";
  return false;
}

ModelOrExit load_model(const FrontEndOptions& options, const Context& context) {
  if (names_table_file(options)) {
    auto bytes = read_input_file(options.paths.front(), context);
    if (!bytes) return {std::nullopt, kExitUsage};
    auto table = runtime::read_table(*bytes);
    if (!table.ok()) {
      context.err << "error: `" << options.paths.front() << "`: " << table.error() << '\n'
                  << "  = help: rebuild it with `authzc build`\n";
      return {std::nullopt, kExitDiagnostics};
    }
    return {LoadedModel{std::move(table.value().model), std::move(table.value().policy_hash),
                        std::move(table.value().signer_key_id)},
            kExitOk};
  }

  SourceManager sources;
  CheckOutcome outcome = run_front_end(options, context, sources);
  int exit_code = report_diagnostics(sources, outcome, options, context);
  if (exit_code != kExitOk) return {std::nullopt, exit_code};
  if (!has_policy_to_lower(*outcome.policy, options.paths, context)) return {std::nullopt, kExitDiagnostics};
  LowerResult lowered = lower(*outcome.policy, sources);
  if (!lowered.ok()) {
    context.err << "error: internal error while lowering the policy: " << lowered.internal_error << '\n';
    return {std::nullopt, kExitInternal};
  }
  auto hash = runtime::policy_hash(lowered.model);
  if (!hash) {
    context.err << "error: cannot compute the policy hash: SHA-256 failed (out of memory?)\n";
    return {std::nullopt, kExitInternal};
  }
  return {LoadedModel{std::move(lowered.model), std::move(*hash)}, kExitOk};
}

EngineOrExit load_engine(const FrontEndOptions& options, const Context& context) {
  ModelOrExit input = load_model(options, context);
  if (!input.loaded) return {std::nullopt, input.exit_code};
  auto engine = runtime::Engine::from_model(std::move(input.loaded->model));
  if (!engine.ok()) {
    context.err << "error: the decision table does not load: " << engine.error() << '\n';
    return {std::nullopt, kExitDiagnostics};
  }
  return {std::move(engine.value()), kExitOk};
}

}  // namespace authz::cli
