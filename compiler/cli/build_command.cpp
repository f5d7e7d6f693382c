// build_command.cpp — `authzc build PATH... -o FILE`: check, lower, and write
// the decision table the runtime and the gateway load.
//
// The file is written to a temporary name beside FILE and renamed into place,
// so a failed build never leaves a half-written table behind. Before writing,
// the bytes are read back through the runtime's own validating reader: a
// table authzc writes is one the runtime accepts. With --sign KEY the table is
// signed with that Ed25519 private key (runtime/table_signature.h, format
// version 2) and the signature is verified with the key's public half before
// anything is written.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>
#include <ostream>

#include "compiler/cli/commands.h"
#include "compiler/cli/output_file.h"
#include "compiler/cli/policy_input.h"
#include "runtime/internal/table_reader.h"
#include "runtime/table_signature.h"
#include "runtime/internal/table_writer.h"

namespace authz::cli {
namespace {

struct BuildOptions {
  FrontEndOptions front_end;
  std::string output = "policy.authzt";
  std::string sign_key;  // a PEM private key file; empty: unsigned
};

int run_build(const BuildOptions& options, const Context& context) {
  ModelOrExit input = load_model(options.front_end, context);
  if (!input.loaded) return input.exit_code;
  const runtime::Model& model = input.loaded->model;
  // Modules only (no policy name): load_model already refused them (policy_input.h).

  std::string bytes = runtime::serialize(model);
  if (!options.sign_key.empty()) {
    auto pem = read_input_file(options.sign_key, context);
    if (!pem) return kExitUsage;
    auto signed_bytes = runtime::sign_table(bytes, *pem);
    if (!signed_bytes.ok()) {
      context.err << "error: cannot sign with `" << options.sign_key << "`: " << signed_bytes.error() << '\n'
                  << "  = help: see docs/signing.md\n";
      return kExitUsage;
    }
    bytes = std::move(signed_bytes.value());
  }
  auto reread = runtime::read_table(bytes);
  if (!reread.ok()) {
    context.err << "error: internal error: the built table does not load: " << reread.error() << '\n';
    return kExitInternal;
  }

  if (auto error = write_file_atomically(options.output, bytes)) {
    context.err << "error: " << *error << '\n';
    return kExitUsage;
  }
  if (options.front_end.format == DiagnosticFormat::Text) {
    context.err << fmt::format("ok: wrote `{}`: policy `{}`, {} rules, {} grants, {} targets, {} bytes, policy hash {}",
                               options.output, model.policy_name, model.rules.size(), model.grants.size(),
                               model.targets.size(), bytes.size(), reread.value().policy_hash.substr(0, 16));
    if (!reread.value().signer_key_id.empty()) context.err << ", signed by key " << reread.value().signer_key_id;
    context.err << '\n';
  }
  return kExitOk;
}

}  // namespace

Command register_build_command(CLI::App& authzc) {
  auto options = std::make_shared<BuildOptions>();
  CLI::App* build = authzc.add_subcommand("build", "check a policy and write its decision table (.authzt)");
  add_front_end_options(*build, options->front_end);
  build->add_option("-o,--output", options->output, "where to write the table (default: policy.authzt)")
      ->type_name("FILE");
  build->add_option("--sign", options->sign_key,
                    "sign the table with this Ed25519 private key (PEM; `openssl genpkey -algorithm ed25519`)")
      ->type_name("KEY");
  build->footer("The table is versioned and checksummed; its SHA-256 body hash is the policy\n"
                "hash that decisions and audit records carry. Nothing is written when the\n"
                "policy has errors. With --sign the table carries an Ed25519 signature that\n"
                "`authz-gateway --trusted-key` and `authzc dump --trusted-key` verify\n"
                "(docs/signing.md).\n\n"
                "Examples:\n"
                "  authzc build examples/sales -o sales.authzt\n"
                "  authzc dump sales.authzt\n"
                "  authzc build examples/sales --sign release.pem -o sales.authzt\n\n" +
                exit_code_help());
  return Command{build, [options](const Context& context) { return run_build(*options, context); }};
}

}  // namespace authz::cli
