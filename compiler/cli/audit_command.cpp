// audit_command.cpp — `authzc audit verify FILE`: checks an audit log's hash
// chain (runtime/audit_log.h) and names the first edited, dropped, inserted
// or reordered record; `authzc audit report LOG...`: what the logs say the
// policy did (compiler/audit_report/audit_report.h), each chain verified as
// it is read.
//
// Report contract: exit 0 when every log verifies, 1 when one does not (the
// report is still written, saying so, with the records before the first bad
// line), 2 for a usage error, an unreadable log or policy table. The report
// goes to stdout, or to `-o FILE` (written whole, then renamed into place).
//
// Verify contract:
// Contract: exit 0 when the chain verifies (and contains --expect-head, if
// given), 1 when it does not, 2 when the file cannot be read or the command
// line is wrong. `--format json` prints one object:
// {"status":"ok"|"tampered"|"unreadable","records":N,"line":N,"problem":"...","head":"<hash>"}.
// The text form is one line on stdout; the head hash it prints is what to
// keep elsewhere and pass back as --expect-head next time (docs/audit.md).
#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <tuple>
#include <ostream>

#include "compiler/audit_report/audit_report.h"
#include "compiler/cli/commands.h"
#include "compiler/cli/output_file.h"
#include "compiler/cli/policy_input.h"
#include "runtime/audit_log.h"
#include "runtime/internal/table_reader.h"
#include "runtime/internal/time_text.h"
#include "runtime/internal/value_text.h"

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

struct AuditReportOptions {
  std::vector<std::string> logs;
  std::string policy;
  std::string since, until;
  audit_report::ReportOptions report;
  std::string format = "text";
  std::string output;
};

int run_audit_report(const AuditReportOptions& options, const Context& context) {
  audit_report::ReportOptions report_options = options.report;
  for (const auto& [text, into, flag] : {std::tuple{&options.since, &report_options.since_ms, "--since"},
                                         std::tuple{&options.until, &report_options.until_ms, "--until"}}) {
    if (text->empty()) continue;
    *into = runtime::parse_timestamp(*text);
    if (!*into) {
      context.err << "error: `" << flag << " " << *text << "` is not a timestamp\n"
                  << "  = help: write RFC 3339, e.g. `2026-12-01T00:00:00Z`\n";
      return kExitUsage;
    }
  }
  std::optional<runtime::LoadedTable> policy;
  if (!options.policy.empty()) {
    auto bytes = read_input_file(options.policy, context);
    if (!bytes) return kExitUsage;
    auto table = runtime::read_table(*bytes);
    if (!table.ok()) {
      context.err << "error: `" << options.policy << "`: " << table.error() << '\n'
                  << "  = help: pass the built table (`authzc build POLICY -o TABLE`) the logs were decided with\n";
      return kExitUsage;
    }
    policy = std::move(table.value());
  }
  audit_report::Report report = audit_report::build_report(
      options.logs, report_options, policy ? &policy->model : nullptr, options.policy,
      policy ? policy->policy_hash : std::string());

  std::string rendered = options.format == "json"   ? audit_report::render_json(report, report_options)
                         : options.format == "html" ? audit_report::render_html(report, report_options)
                                                    : audit_report::render_text(report, report_options);
  if (options.output.empty()) {
    context.out << rendered;
  } else {
    if (auto error = write_file_atomically(options.output, rendered)) {
      context.err << "error: " << *error << '\n';
      return kExitUsage;
    }
    context.err << "ok: wrote `" << options.output << "`: " << report.matched << " records from " << report.logs.size()
                << " log" << (report.logs.size() == 1 ? "" : "s") << '\n';
  }
  int exit_code = kExitOk;
  for (const auto& log : report.logs) {
    if (log.verification.status == runtime::AuditVerifyStatus::Unreadable) {
      context.err << "error: " << log.verification.problem << '\n';
      exit_code = kExitUsage;
    } else if (!log.verification.ok() && exit_code == kExitOk) {
      context.err << "error: `" << log.path << "` does not verify"
                  << (log.verification.line ? " at line " + std::to_string(log.verification.line) : std::string())
                  << ": " << log.verification.problem << '\n';
      exit_code = kExitDiagnostics;
    }
  }
  return exit_code;
}

}  // namespace

Command register_audit_command(CLI::App& authzc) {
  auto options = std::make_shared<AuditVerifyOptions>();
  auto report = std::make_shared<AuditReportOptions>();
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
      "  authzc audit verify audit.jsonl --expect-head \"$(cat audit.head)\" --format json\n\n" +
      exit_status_help({{0, "the chain verifies"},
                        {1, "the log was tampered with (the first bad line is named)"},
                        {2, "usage error, or the log cannot be read"}}));
  CLI::App* report_app = audit->add_subcommand(
      "report", "what audit logs say the policy did: counts, denials over time, dead rules, shadow disagreements");
  report_app->add_option("LOG", report->logs, "audit logs (JSON Lines); each chain is verified as it is read")
      ->required();
  report_app->add_option("--policy", report->policy,
                         "the built table (.authzt): list its rules and grants that decided nothing")
      ->type_name("TABLE");
  report_app->add_option("--since", report->since, "only records at or after this time (RFC 3339)")->type_name("TIME");
  report_app->add_option("--until", report->until, "only records before this time (RFC 3339)")->type_name("TIME");
  report_app->add_option("--user", report->report.users, "only this user (repeatable: any of them)")
      ->type_name("ID")
      ->allow_extra_args(false);
  report_app->add_option("--target", report->report.targets, "only this tool, prompt or resource URI (repeatable)")
      ->type_name("NAME")
      ->allow_extra_args(false);
  report_app->add_option("--effect", report->report.effects, "only `allow` or `deny` records")
      ->check(CLI::IsMember({"allow", "deny"}))
      ->allow_extra_args(false);
  report_app->add_option("--reason", report->report.reasons, "only records with this reason (repeatable)")
      ->check(CLI::IsMember({"allowed", "forbidden", "not_permitted", "unknown_target", "invalid_arguments", "expired",
                             "error"}))
      ->allow_extra_args(false);
  report_app->add_option("--rule", report->report.rules,
                         "only records this rule or grant determined (the primary's or the shadow's; repeatable)")
      ->type_name("ID")
      ->allow_extra_args(false);
  report_app->add_option("--format", report->format, "output format")->check(CLI::IsMember({"text", "json", "html"}));
  report_app->add_option("-o,--output", report->output, "write the report to FILE instead of stdout")
      ->type_name("FILE");
  report_app->add_option("--top", report->report.top, "rows per table (0: all)")->capture_default_str();
  report_app->add_option("--examples", report->report.examples, "example records per shadow disagreement group")
      ->capture_default_str();
  report_app->footer(
      "Every log's hash chain is verified while it is read; a log that does not verify is named, with\n"
      "the line and why, and only its records before that line are counted. The log is streamed:\n"
      "memory does not grow with its length. With a shadow policy in the records (authz-gateway\n"
      "--shadow), every disagreement is counted as newly allowed or newly denied, grouped by rule and\n"
      "by user, with example records.\n\n"
      "Examples:\n"
      "  authzc audit report audit.jsonl\n"
      "  authzc audit report logs/*.jsonl --policy sales.authzt --since 2026-12-01T00:00:00Z\n"
      "  authzc audit report audit.jsonl --effect deny --user u-bob --format json\n"
      "  authzc audit report audit.jsonl --format html -o report.html\n\n" +
      exit_status_help({{0, "every log verifies"},
                        {1, "a log does not verify (the report says which, where and why)"},
                        {2, "usage error, or a log or the policy table cannot be read"}}));
  audit->footer("Run `authzc audit verify --help` or `authzc audit report --help` for details.\n\n" +
                exit_status_help({{0, "the chain verifies (verify), every log verifies (report)"},
                                  {1, "a log was tampered with (the first bad line is named)"},
                                  {2, "usage error, or a log cannot be read"}}));
  return Command{audit, [options, report, report_app](const Context& context) {
                   if (report_app->parsed()) return run_audit_report(*report, context);
                   return run_audit_verify(*options, context);
                 }};
}

}  // namespace authz::cli
