// audit_command.cpp — `authzc audit verify FILE`: checks an audit log's hash
// chain (runtime/audit_log.h) and names the first edited, dropped, inserted
// or reordered record.
//
// Contract: exit 0 when the chain verifies (and contains --expect-head, if
// given), 1 when it does not, 2 when the file cannot be read or the command
// line is wrong. `--format json` prints one object:
// {"status":"ok"|"tampered"|"unreadable","records":N,"line":N,"problem":"...","head":"<hash>"}.
// The text form is one line on stdout; the head hash it prints is what to
// keep elsewhere and pass back as --expect-head next time (docs/audit.md).
#include <CLI/CLI.hpp>

#include <memory>
#include <ostream>

#include "compiler/cli/commands.h"
#include "runtime/audit_log.h"
#include "runtime/value_text.h"

namespace authz::cli {
namespace {

struct AuditVerifyOptions {
  std::string file;
  std::string expect_head;
  std::string format = "text";
};

const char* status_name(runtime::AuditVerifyStatus status) {
  switch (status) {
    case runtime::AuditVerifyStatus::Ok: return "ok";
    case runtime::AuditVerifyStatus::Tampered: return "tampered";
    case runtime::AuditVerifyStatus::Unreadable: return "unreadable";
  }
  return "unreadable";
}

bool is_hash(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

int run_audit_verify(const AuditVerifyOptions& options, const Context& context) {
  bool json = options.format == "json";
  if (!options.expect_head.empty() && !is_hash(options.expect_head)) {
    context.err << "error: `--expect-head` must be a record hash: 64 lowercase hex digits\n"
                << "  help: use the `head` printed by an earlier `authzc audit verify`\n";
    return kExitUsage;
  }
  runtime::AuditVerifyOptions verify_options;
  verify_options.expected_head = options.expect_head;
  runtime::AuditVerification result = runtime::verify_audit_log(options.file, verify_options);

  if (json) {
    context.out << "{\"status\":\"" << status_name(result.status) << "\",\"file\":" << runtime::quoted(options.file)
                << ",\"records\":" << result.records << ",\"line\":" << result.line
                << ",\"problem\":" << runtime::quoted(result.problem) << ",\"head\":\"" << result.head_hash
                << "\"}\n";
  } else if (result.ok()) {
    context.out << options.file << ": ok: " << result.records << " record" << (result.records == 1 ? "" : "s")
                << ", chain intact" << (options.expect_head.empty() ? "" : ", contains the expected head")
                << "\nhead " << result.head_hash << "\n";
  } else if (result.status == runtime::AuditVerifyStatus::Unreadable) {
    context.err << "error: " << result.problem << "\n";
  } else {
    context.out << options.file;
    if (result.line) context.out << ":" << result.line;
    context.out << ": tampered: " << result.problem << "\n"
                << "  " << result.records << " record" << (result.records == 1 ? "" : "s")
                << " before it verify; the last good head is " << result.head_hash << "\n";
  }
  switch (result.status) {
    case runtime::AuditVerifyStatus::Ok: return kExitOk;
    case runtime::AuditVerifyStatus::Tampered: return kExitDiagnostics;
    case runtime::AuditVerifyStatus::Unreadable: return kExitUsage;
  }
  return kExitInternal;
}

}  // namespace

Command register_audit_command(CLI::App& authzc) {
  auto options = std::make_shared<AuditVerifyOptions>();
  CLI::App* audit = authzc.add_subcommand("audit", "work with audit logs written by authz-gateway and embedding servers");
  audit->require_subcommand(1);
  CLI::App* verify = audit->add_subcommand("verify", "check an audit log's hash chain record by record");
  verify->add_option("FILE", options->file, "the audit log (JSON Lines)")->required();
  verify->add_option("--expect-head", options->expect_head,
                     "a record hash kept outside the log (from an earlier verify): fail unless the chain contains it; "
                     "this is what detects records cut from the end");
  verify->add_option("--format", options->format, "output format")->check(CLI::IsMember({"text", "json"}));
  verify->footer(
      "Proves: no record was edited, dropped, inserted or reordered, from the first line to the last.\n"
      "Does not prove, on its own: that nothing was cut from the end, or that the whole log was not\n"
      "rewritten; keep the printed head hash elsewhere and pass it back with --expect-head.\n\n"
      "Examples:\n"
      "  authzc audit verify audit.jsonl\n"
      "  authzc audit verify audit.jsonl --expect-head \"$(cat audit.head)\" --format json\n\n"
      "Exit status:\n"
      "  0  the chain verifies\n"
      "  1  the log was tampered with (the first bad line is named)\n"
      "  2  usage error, or the log cannot be read\n"
      "  3  internal error in authzc (please report it)");
  audit->footer("Run `authzc audit verify --help` for details.\n\n"
                "Exit status:\n"
                "  0  the chain verifies\n"
                "  1  the log was tampered with (the first bad line is named)\n"
                "  2  usage error, or the log cannot be read\n"
                "  3  internal error in authzc (please report it)");
  return Command{audit, [options](const Context& context) { return run_audit_verify(*options, context); }};
}

}  // namespace authz::cli
