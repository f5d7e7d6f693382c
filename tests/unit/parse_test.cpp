// parse_test.cpp — the parse adapter (compiler/parse.cpp) and ast::dump.
//
// Every construct round-trips through dump; every error kind the parser owns
// is checked for its exact code and line:column; hostile inputs (garbage,
// huge, deeply nested, invalid UTF-8) must give their code quickly, never
// crash, and ANTLR must print nothing.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <unistd.h>

#include "compiler/ast.h"
#include "compiler/diagnostics.h"
#include "compiler/parse.h"
#include "compiler/source.h"

namespace {

using authz::DiagCode;
using authz::Diagnostic;
namespace ast = authz::ast;

// Captures whatever is written to file descriptors 1 and 2 while alive, so a
// test can prove ANTLR printed nothing (std::cerr and printf both land there).
class OutputCapture {
 public:
  OutputCapture() {
    std::fflush(stdout);
    std::fflush(stderr);
    for (int fd : {1, 2}) {
      FILE* file = std::tmpfile();
      saved_[fd - 1] = dup(fd);
      files_[fd - 1] = file;
      dup2(fileno(file), fd);
    }
  }
  std::string finish() {
    std::cout.flush();
    std::cerr.flush();
    std::fflush(stdout);
    std::fflush(stderr);
    std::string text;
    for (int fd : {1, 2}) {
      dup2(saved_[fd - 1], fd);
      close(saved_[fd - 1]);
      FILE* file = files_[fd - 1];
      std::rewind(file);
      char buffer[4096];
      std::size_t n;
      while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, n);
      std::fclose(file);
    }
    return text;
  }

 private:
  int saved_[2] = {-1, -1};
  FILE* files_[2] = {nullptr, nullptr};
};

struct Parsed {
  authz::SourceManager sources;
  authz::FileId id = 0;
  std::unique_ptr<ast::File> file;
  std::vector<Diagnostic> diagnostics;
  std::string printed;  // anything written to stdout/stderr during the parse
  double seconds = 0;

  // "line:column" of a diagnostic's start.
  std::string where(const Diagnostic& d) const {
    auto lc = sources.line_column(d.span.file, d.span.begin);
    return std::to_string(lc.line) + ":" + std::to_string(lc.column);
  }
  std::string where(const authz::Span& span) const {
    auto lc = sources.line_column(span.file, span.begin);
    return std::to_string(lc.line) + ":" + std::to_string(lc.column);
  }
  std::string_view text(const authz::Span& span) const { return sources.slice(span); }
  std::vector<DiagCode> codes() const {
    std::vector<DiagCode> out;
    for (const Diagnostic& d : diagnostics) out.push_back(d.code);
    return out;
  }
  const Diagnostic& only() const {
    REQUIRE(diagnostics.size() == 1);
    return diagnostics.front();
  }
};

// Time limits are for optimised builds; sanitisers and -O0 are many times slower.
double time_limit(double seconds) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
  seconds *= 20;
#endif
#ifndef NDEBUG
  seconds *= 5;
#endif
  return seconds;
}

std::unique_ptr<Parsed> parse(std::string text) {
  auto p = std::make_unique<Parsed>();
  p->id = p->sources.add("test.authz", std::move(text));
  authz::DiagnosticSink sink;
  OutputCapture capture;
  const auto start = std::chrono::steady_clock::now();
  p->file = authz::parse_file(p->sources, p->id, sink);
  p->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  p->printed = capture.finish();
  p->diagnostics = sink.take_sorted();
  return p;
}

std::string describe(const Parsed& p) {
  std::string out;
  for (const Diagnostic& d : p.diagnostics) {
    out += std::string(authz::code_string(d.code)) + " " + p.where(d) + " " + d.message + " | " + d.help + "\n";
  }
  return out;
}

// Parses text that must be free of errors and returns its dump.
std::string clean_dump(const std::string& text) {
  auto p = parse(text);
  INFO(describe(*p));
  CHECK(p->diagnostics.empty());
  CHECK(p->printed.empty());
  return ast::dump(*p->file);
}

// The condition of the only rule of `policy p; /// d\nallow r: a may t when <expr>;`.
std::string condition(const std::string& expr) {
  auto p = parse("policy p;\n/// d\nallow r: a may t when " + expr + ";\n");
  INFO(describe(*p));
  REQUIRE(p->diagnostics.empty());
  REQUIRE(p->file->rules.size() == 1);
  REQUIRE(p->file->rules[0].when);
  return ast::dump(*p->file->rules[0].when);
}

std::unique_ptr<Parsed> parse_condition(const std::string& expr) {
  return parse("policy p;\n/// d\nallow r: a may t when " + expr + ";\n");
}

const char* const kEveryConstruct = R"(policy bank.sales;
use mcp.filesystem;
use "common.authz";

/// The person calling.
/// Second line.
principal User {
  /// Teams managed.
  manages: Set<String>,
  dept: String?,
  limits: Map<String, List<Int>>,
}
entity Account { owner: String, team: String, }
record Edit {}

role rep;
/// Managers.
role manager : rep;
role admin : manager, auditor;

/// Reads one account.
tool get_account(account: Account, limit: Int?) read;
tool "get-sum"(a: Number, b: Number) write;
tool login(user_name: String, password: String sensitive) read;
tool no_action();
tool documented(
  /// the path
  path: String,
) read;

resource docs "demo://resource/static/document/{name}";
prompt "args-prompt"(city: String, state: String?);
group account_writes = update_account, "get-sum", read, write;
obligation aggregate_only(min_group: Int);

/// Reps read the accounts they own.
allow rep_reads_own: rep, user "u-ann", anyone may get_account, read
  when args.account.owner == user.id && user has dept && !(user is admin)
  unless args.account.frozen || now > 2026-06-01T12:30:00.250+02:00
  from 2026-01-01T00:00:00Z until 2027-01-01T00:00:00Z
  with aggregate_only(min_group: 5), require_confirmation(message: "sure?\n\"ok\"");
deny delete_admin_only: delete_records unless user is admin;
deny math: t when -args.n + 3 - 2 >= -7 && args.d < 1h30m && now - 7d <= now + 250ms
  && args.path under "/data" && args.name matches "*.md" && args.l containsAll [1, 2,]
  && args.l containsAny [] && args.s contains "x" && "y" in args.s && args.x != false;
grant inc_4521: user "u-alice" may update_account until 2026-12-01T00:00:00Z because "INC-4521";
grant g2: user "u-bob" may read from 2026-01-01T00:00:00Z until 2026-02-01T00:00:00Z because "x";
default deny;
default allow;
)";

const char* const kEveryConstructDump = R"(policy bank.sales;
use mcp.filesystem;
use "common.authz";
/// The person calling.
/// Second line.
principal User {
  /// Teams managed.
  manages: Set<String>,
  dept: String?,
  limits: Map<String, List<Int>>,
}
entity Account {
  owner: String,
  team: String,
}
record Edit {}
role rep;
/// Managers.
role manager : rep;
role admin : manager, auditor;
/// Reads one account.
tool get_account(account: Account, limit: Int?) read;
tool "get-sum"(a: Number, b: Number) write;
tool login(user_name: String, password: String sensitive) read;
tool no_action();
tool documented(
  /// the path
  path: String,
) read;
resource docs "demo://resource/static/document/{name}";
prompt "args-prompt"(city: String, state: String?);
group account_writes = update_account, "get-sum", read, write;
obligation aggregate_only(min_group: Int);
/// Reps read the accounts they own.
allow rep_reads_own: rep, user "u-ann", anyone may get_account, read
  when ((args.account.owner == user.id) && (user has dept) && (!(user is admin)))
  unless (args.account.frozen || (now > 2026-06-01T10:30:00.250Z))
  from 2026-01-01T00:00:00Z
  until 2027-01-01T00:00:00Z
  with aggregate_only(min_group: 5), require_confirmation(message: "sure?\n\"ok\"");
deny delete_admin_only: delete_records
  unless (user is admin);
deny math: t
  when (((((-args.n) + 3) - 2) >= (-7)) && (args.d < 1h30m) && ((now - 7d) <= (now + 250ms)) && (args.path under "/data") && (args.name matches "*.md") && (args.l containsAll [1, 2]) && (args.l containsAny []) && (args.s contains "x") && ("y" in args.s) && (args.x != false));
grant inc_4521: user "u-alice" may update_account
  until 2026-12-01T00:00:00Z
  because "INC-4521";
grant g2: user "u-bob" may read
  from 2026-01-01T00:00:00Z
  until 2026-02-01T00:00:00Z
  because "x";
default deny;
default allow;
)";

}  // namespace

// ---- round trips ------------------------------------------------------------------

TEST_CASE("every construct dumps canonically and round-trips", "[parse]") {
  const std::string first = clean_dump(kEveryConstruct);
  CHECK(first == kEveryConstructDump);
  CHECK(clean_dump(first) == first);  // the dump parses back to the same tree
}

TEST_CASE("the repository's examples and stdlib parse cleanly and round-trip", "[parse]") {
  for (const char* path : {"/examples/sales/sales.authz", "/examples/sales/tools.authz",
                           "/examples/filesystem/policy.authz", "/stdlib/mcp/filesystem.authz",
                           "/stdlib/mcp/everything.authz", "/stdlib/std/obligations.authz"}) {
    std::ifstream in(std::string(AUTHZ_SOURCE_DIR) + path, std::ios::binary);
    if (!in) continue;  // files owned by others may move; the round trip is what matters here
    std::stringstream buffer;
    buffer << in.rdbuf();
    INFO(path);
    const std::string first = clean_dump(buffer.str());
    CHECK_FALSE(first.empty());
    CHECK(clean_dump(first) == first);
  }
}

TEST_CASE("expressions keep their precedence and n-ary chains", "[parse]") {
  CHECK(condition("a && b && c") == "(a && b && c)");
  CHECK(condition("a || b && c || d") == "(a || (b && c) || d)");
  CHECK(condition("(a || b) && c") == "((a || b) && c)");
  CHECK(condition("a && (b && c)") == "(a && (b && c))");
  CHECK(condition("!!a") == "(!(!a))");
  CHECK(condition("!a == b") == "(!(a == b))");
  CHECK(condition("--1") == "(-(-1))");
  CHECK(condition("1 + 2 - 3") == "((1 + 2) - 3)");
  CHECK(condition("1 - (2 - 3)") == "(1 - (2 - 3))");
  CHECK(condition("user.a.b has c") == "(user.a.b has c)");
  CHECK(condition("args.from == args.read") == "(args.from == args.read)");  // keywords as attribute names
  CHECK(condition("user.roles contains admin") == "(user.roles contains admin)");
  CHECK(condition("[[1], [2, 3]] == []") == "([[1], [2, 3]] == [])");
  CHECK(condition("((((true))))") == "true");
}

TEST_CASE("the AST carries kinds, values and spans", "[parse]") {
  auto p = parse("policy p;\n/// d\nallow r: a may t when args.account.owner == user.id && x;\n");
  REQUIRE(p->diagnostics.empty());
  const ast::RuleDecl& rule = p->file->rules.at(0);
  CHECK(p->where(rule.span) == "3:1");
  CHECK(p->text(rule.span) == "allow r: a may t when args.account.owner == user.id && x;");
  CHECK(p->text(rule.id.span) == "r");
  REQUIRE(rule.doc);
  CHECK(p->text(rule.doc->span) == "/// d");
  const ast::Expr& when = *rule.when;
  CHECK(when.kind == ast::ExprKind::And);
  REQUIRE(when.children.size() == 2);
  CHECK(p->text(when.span) == "args.account.owner == user.id && x");
  const ast::Expr& eq = *when.children[0];
  CHECK(eq.kind == ast::ExprKind::Binary);
  CHECK(eq.op == ast::BinaryOp::Eq);
  CHECK(p->text(eq.span) == "args.account.owner == user.id");
  const ast::Expr& owner = *eq.children[0];
  CHECK(owner.kind == ast::ExprKind::Member);
  CHECK(owner.text == "owner");
  CHECK(p->text(owner.text_span) == "owner");
  CHECK(p->text(owner.span) == "args.account.owner");
  CHECK(owner.children[0]->children[0]->kind == ast::ExprKind::Args);
  const ast::Expr& x = *when.children[1];
  CHECK(x.kind == ast::ExprKind::Name);
  CHECK(x.text == "x");
  CHECK(p->where(x.text_span) == "3:56");
  CHECK(p->text(rule.targets.at(0).span) == "t");
  CHECK(rule.subjects_given);
  CHECK(rule.subjects.at(0).kind == ast::Subject::Kind::Role);
}

TEST_CASE("declarations carry their parts", "[parse]") {
  auto p = parse(R"(module lib.x;
/// one
///
///   two
tool "get-sum"(a: Int, pw: String sensitive) ;
deny d: read, write, "get-sum", x;
allow e: t;
grant g: user "u\u00e9" may t because "";
use "a\\b.authz";
)");
  INFO(describe(*p));
  REQUIRE(p->diagnostics.empty());
  const ast::File& f = *p->file;
  CHECK(f.has_header);
  CHECK(f.is_module);
  CHECK(f.name == "lib.x");
  CHECK(p->text(f.header_span) == "module lib.x;");
  const ast::ToolDecl& tool = f.tools.at(0);
  CHECK(tool.name.text == "get-sum");
  CHECK(p->text(tool.name.span) == "\"get-sum\"");
  CHECK_FALSE(tool.action.has_value());
  CHECK(tool.doc->text == "one\n\n  two");
  CHECK(p->where(tool.doc->span) == "2:1");
  CHECK(p->text(tool.span).substr(0, 4) == "tool");
  CHECK_FALSE(tool.params.at(0).sensitive);
  CHECK(tool.params.at(1).sensitive);
  CHECK(p->text(tool.params.at(1).span) == "pw: String sensitive");
  const ast::RuleDecl& deny = f.rules.at(0);
  CHECK(deny.effect == ast::Effect::Deny);
  CHECK_FALSE(deny.subjects_given);
  REQUIRE(deny.targets.size() == 4);
  CHECK(deny.targets[0].kind == ast::Target::Kind::AllRead);
  CHECK(deny.targets[1].kind == ast::Target::Kind::AllWrite);
  CHECK(deny.targets[2].kind == ast::Target::Kind::Named);
  CHECK(deny.targets[2].name == "get-sum");
  CHECK(f.rules.at(1).effect == ast::Effect::Allow);
  const ast::GrantDecl& grant = f.grants.at(0);
  CHECK(grant.user == "u\xC3\xA9");
  CHECK(p->text(grant.user_span) == "\"u\\u00e9\"");
  REQUIRE(grant.because.has_value());
  CHECK(grant.because->empty());
  CHECK_FALSE(grant.until.has_value());
  CHECK(f.uses.at(0).is_path);
  CHECK(f.uses.at(0).target == "a\\b.authz");
}

// Without a header the file is not policy text (a configuration file, a key):
// one diagnostic, and nothing after it is lexed or parsed, so it cannot turn
// into one diagnostic (with an excerpt) per line.
TEST_CASE("a file without a header is one E0012 and is not parsed further", "[parse]") {
  auto p = parse("\n/// doc\nrole r;\n");
  const Diagnostic& d = p->only();
  CHECK(d.code == DiagCode::MissingHeader);
  CHECK(p->where(d) == "3:1");
  CHECK(p->text(d.span) == "role");
  CHECK_FALSE(p->file->has_header);
  CHECK(p->file->roles.empty());
  auto bad_first = parse("$ role r; @ # \"open\n");
  CHECK(bad_first->only().code == DiagCode::MissingHeader);
  CHECK(bad_first->text(bad_first->only().span) == "$");
  // A broken header is a syntax error, not a missing one.
  auto broken = parse("policy ;\nrole r;\n");
  CHECK(broken->only().code == DiagCode::SyntaxError);
}

TEST_CASE("CRLF line endings and tabs are whitespace", "[parse]") {
  auto p = parse("policy p;\r\n/// one\r\n///\ttwo\r\nrole\tr;\r\nuse \"x\r\n");
  INFO(describe(*p));
  REQUIRE(p->file->roles.size() == 1);
  CHECK(p->file->roles[0].doc->text == "one\n\ttwo");
  CHECK(p->where(p->file->roles[0].span) == "4:1");
  // The unterminated string stops before the line break.
  CHECK(p->only().code == DiagCode::UnterminatedString);
  CHECK(p->text(p->only().span) == "\"x");
}

// ---- literals ------------------------------------------------------------------------

TEST_CASE("string escapes decode, including surrogate pairs", "[parse]") {
  auto p = parse_condition(R"(args.s == "q\" b\\ s\/ \b\f\n\r\t \u0041\u00e9\u20AC \uD83D\uDE00")");
  REQUIRE(p->diagnostics.empty());
  CHECK(p->file->rules[0].when->children[1]->text == "q\" b\\ s/ \b\f\n\r\t A\xC3\xA9\xE2\x82\xAC \xF0\x9F\x98\x80");
}

TEST_CASE("timestamps are milliseconds since the epoch, UTC", "[parse]") {
  auto value = [](const std::string& literal) {
    auto p = parse_condition("now < " + literal);
    INFO(describe(*p));
    REQUIRE(p->diagnostics.empty());
    return p->file->rules[0].when->children[1]->int_value;
  };
  CHECK(value("1970-01-01T00:00:00Z") == 0);
  CHECK(value("2026-01-01T00:00:00Z") == 1767225600000);
  CHECK(value("2026-01-01T02:00:00+02:00") == 1767225600000);
  CHECK(value("2025-12-31T19:00:00-05:00") == 1767225600000);
  CHECK(value("2026-01-01T00:00:00.5Z") == 1767225600500);
  CHECK(value("2026-01-01T00:00:00.123456Z") == 1767225600123);
  CHECK(value("2024-02-29T23:59:59Z") == 1709251199000);  // leap day
  CHECK(value("2000-02-29T00:00:00Z") == 951782400000);   // divisible by 400: leap
  CHECK(value("1969-12-31T23:59:59Z") == -1000);
}

TEST_CASE("invalid timestamps are E0009", "[parse]") {
  for (const char* bad : {"2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
                          "2026-00-10T00:00:00Z", "2026-04-31T00:00:00Z", "2026-01-00T00:00:00Z",
                          "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z", "2026-01-01T00:00:60Z",
                          "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00+01:60"}) {
    auto p = parse_condition(std::string("now < ") + bad);
    INFO(bad << "\n" << describe(*p));
    const Diagnostic& d = p->only();
    CHECK(d.code == DiagCode::InvalidTimestamp);
    CHECK(p->where(d) == "3:29");
    CHECK(p->text(d.span) == bad);
  }
  auto p = parse("policy p;\n/// d\nallow r: a may t from 2026-02-30T00:00:00Z;\n");
  CHECK(p->only().code == DiagCode::InvalidTimestamp);
  CHECK(p->only().message == "invalid timestamp `2026-02-30T00:00:00Z`: February 2026 has no day 30");
}

TEST_CASE("durations are milliseconds", "[parse]") {
  auto value = [](const std::string& literal) {
    auto p = parse_condition("args.d < " + literal);
    REQUIRE(p->diagnostics.empty());
    return p->file->rules[0].when->children[1]->int_value;
  };
  CHECK(value("250ms") == 250);
  CHECK(value("7d") == 7 * 86400000LL);
  CHECK(value("1h30m") == 5400000);
  CHECK(value("1m1s1ms") == 61001);
  CHECK(value("106751991167d") == 106751991167LL * 86400000LL);
  CHECK(condition("args.d < 90m") == "(args.d < 1h30m)");
}

TEST_CASE("out-of-range numbers are E0010", "[parse]") {
  auto ok = parse_condition("args.n < 9223372036854775807");
  REQUIRE(ok->diagnostics.empty());
  CHECK(ok->file->rules[0].when->children[1]->int_value == 9223372036854775807LL);

  auto p = parse_condition("args.n < 9223372036854775808");
  CHECK(p->only().code == DiagCode::NumberOutOfRange);
  CHECK(p->where(p->only()) == "3:32");
  CHECK(p->text(p->only().span) == "9223372036854775808");

  auto d = parse_condition("args.d < 106751991168d");
  CHECK(d->only().code == DiagCode::NumberOutOfRange);
  auto big = parse_condition("args.d < 99999999999999999999999ms");
  CHECK(big->only().code == DiagCode::NumberOutOfRange);
}

TEST_CASE("invalid escapes are E0008 at the escape", "[parse]") {
  auto p = parse("policy p;\nuse \"a\\qb\";\n");
  const Diagnostic& d = p->only();
  CHECK(d.code == DiagCode::InvalidEscape);
  CHECK(p->where(d) == "2:7");
  CHECK(p->text(d.span) == "\\q");
  CHECK(d.message == "invalid escape `\\q` in string");

  auto lone = parse("policy p;\nuse \"x\\uD800y\";\n");
  CHECK(lone->only().code == DiagCode::InvalidEscape);
  CHECK(lone->text(lone->only().span) == "\\uD800");
  auto low = parse("policy p;\nuse \"\\uDC00\";\n");
  CHECK(low->only().code == DiagCode::InvalidEscape);
  auto short_u = parse("policy p;\nuse \"\\u12\";\n");
  CHECK(short_u->only().code == DiagCode::InvalidEscape);
  CHECK(short_u->text(short_u->only().span) == "\\u12");
}

// ---- syntax errors --------------------------------------------------------------------

TEST_CASE("a missing semicolon is reported after the previous token", "[parse]") {
  auto p = parse("policy p;\ntool x() read\ntool y() read;\n");
  const Diagnostic& d = p->only();
  CHECK(d.code == DiagCode::SyntaxError);
  CHECK(d.message == "expected `;` after `read`");
  CHECK(p->where(d) == "2:14");
  CHECK(d.span.begin == d.span.end);

  auto header = parse("policy p\nrole r;\n");
  CHECK(header->only().message == "expected `;` after `p`");
  CHECK(header->where(header->only()) == "1:9");

  auto at_eof = parse("policy p;\nrole r");
  CHECK(at_eof->only().message == "expected `;` after `r`");
}

TEST_CASE("unexpected tokens name what was expected in the user's words", "[parse]") {
  auto p = parse("policy p;\n/// d\nallow a: r may t foo;\n");
  const Diagnostic& d = p->only();
  CHECK(d.code == DiagCode::SyntaxError);
  CHECK(d.message == "unexpected `foo`");
  CHECK(p->where(d) == "3:18");
  CHECK(d.help.find("`when`") != std::string::npos);
  CHECK(d.help.find("T__") == std::string::npos);

  auto name = parse("policy p;\nrole ;\n");
  CHECK(name->only().message == "expected a name after `role`");

  auto expr = parse("policy p;\n/// d\nallow a: r may t when ;\n");
  CHECK(expr->only().message == "expected an expression after `when`");
  CHECK(expr->where(expr->only()) == "3:22");

  auto colon = parse("policy p;\nentity E { a String }\n");
  CHECK(colon->only().message == "expected `:` after `a`");

  auto member = parse_condition("user. == 1");
  CHECK(member->only().message == "expected a name after `.`");
  auto operand = parse_condition("user.id == == 1");
  CHECK(operand->only().message == "expected an expression after `==`");
  CHECK(operand->where(operand->only()) == "3:33");
  auto stray = parse_condition("user.id == 1 2");
  CHECK(stray->only().message == "unexpected `2`");
  CHECK(stray->only().help.find("expected `;`") == 0);

  auto assign = parse_condition("user.id = \"x\"");
  CHECK(assign->only().help == "write `==` to compare values");
  auto and_word = parse_condition("a and b");
  CHECK(and_word->only().help == "write `&&` for a logical and");
  auto date = parse("policy p;\n/// d\ndeny r: t until 2026-01-01;\n");
  CHECK(date->only().message == "expected a timestamp after `until`");
  CHECK(date->only().help.find("`2026-01-01T00:00:00Z`") != std::string::npos);

  auto late_header = parse("policy p;\nrole r;\npolicy q;\n");
  CHECK(late_header->only().message == "unexpected `policy` header");
  CHECK(late_header->where(late_header->only()) == "3:1");
}

TEST_CASE("recovery reports several syntax errors", "[parse]") {
  auto p = parse("policy p;\nrole ;\nentity E { a String }\ntool t( read;\nrole ok;\n");
  INFO(describe(*p));
  CHECK(p->codes() == std::vector<DiagCode>{DiagCode::SyntaxError, DiagCode::SyntaxError, DiagCode::SyntaxError});
  CHECK(p->where(p->diagnostics[0]) == "2:5");
  CHECK(p->where(p->diagnostics[1]) == "3:13");
  CHECK(p->where(p->diagnostics[2]) == "4:13");  // `read` may name a parameter
  REQUIRE_FALSE(p->file->roles.empty());
  CHECK(p->file->roles.back().name.text == "ok");

  // Follow-on errors inside one declaration are not repeated...
  auto cascade = parse("policy p;\n/// d\nallow r: user \"x\", may t;\n");
  CHECK(cascade->only().message == "unexpected `may`");
  // ...but the next declaration's own error is, even after a missing `;`.
  auto next = parse("policy p;\ntool x() read\ntool y( ;\n");
  INFO(describe(*next));
  CHECK(next->codes() == std::vector<DiagCode>{DiagCode::SyntaxError, DiagCode::SyntaxError});
}

TEST_CASE("a misplaced doc comment is E0013", "[parse]") {
  auto at_end = parse("policy p;\nrole r;\n/// dangling\n/// still dangling\n");
  const Diagnostic& d = at_end->only();
  CHECK(d.code == DiagCode::MisplacedDocComment);
  CHECK(at_end->where(d) == "3:1");
  CHECK(at_end->text(d.span) == "/// dangling");
  CHECK(d.help == "`///` documents the declaration right after it; use `//` for a plain comment");

  auto inside = parse("policy p;\n/// d\nallow a: r may t\n  /// why\n  when true;\n");
  CHECK(inside->only().code == DiagCode::MisplacedDocComment);
  CHECK(inside->where(inside->only()) == "4:3");
  CHECK(inside->file->rules.at(0).when);

  auto header = parse("/// about\n/// the file\npolicy p;\nrole r;\n");
  CHECK(header->only().code == DiagCode::MisplacedDocComment);
  CHECK(header->where(header->only()) == "1:1");
  CHECK(header->file->has_header);
  CHECK(header->file->roles.size() == 1);

  // `////` banners are plain comments.
  CHECK(parse("policy p;\n//// ---- roles ----\nrole r;\n////\n")->diagnostics.empty());
  // A doc comment before a declaration whose predecessor lacks `;`: the `;` is the error.
  auto missing = parse("policy p;\nrole a\n/// b\nrole b;\n");
  CHECK(missing->only().message == "expected `;` after `a`");
}

TEST_CASE("a repeated clause is E0411 with a note at the first", "[parse]") {
  auto p = parse("policy p;\n/// d\nallow a: r may t\n  when x\n  when y;\n");
  const Diagnostic& d = p->only();
  CHECK(d.code == DiagCode::DuplicateClause);
  CHECK(p->where(d) == "5:3");
  CHECK(d.message == "duplicate `when` clause in rule `a`");
  REQUIRE(d.notes.size() == 1);
  CHECK(p->where(d.notes[0].span) == "4:3");
  CHECK(ast::dump(*p->file->rules[0].when) == "x");  // the first one counts

  for (const char* clauses : {"unless x unless y", "from 2026-01-01T00:00:00Z from 2026-01-01T00:00:00Z",
                              "until 2026-01-01T00:00:00Z until 2026-01-01T00:00:00Z", "with o() with o()"}) {
    auto q = parse(std::string("policy p;\n/// d\nallow a: r may t ") + clauses + ";\n");
    INFO(clauses);
    CHECK(q->only().code == DiagCode::DuplicateClause);
  }
  auto g = parse("policy p;\ngrant g: user \"u\" may t because \"a\" until 2026-01-01T00:00:00Z because \"b\";\n");
  CHECK(g->only().code == DiagCode::DuplicateClause);
  CHECK(g->only().message == "duplicate `because` clause in grant `g`");
  CHECK(*g->file->grants[0].because == "a");
}

// ---- lexical errors --------------------------------------------------------------------

TEST_CASE("bad characters are E0003 and name the character", "[parse]") {
  auto p = parse("policy p;\nrole r @;\n");
  const Diagnostic& d = p->only();
  CHECK(d.code == DiagCode::InvalidCharacter);
  CHECK(p->where(d) == "2:8");
  CHECK(d.message == "invalid character `@`");

  auto control = parse(std::string("policy p;\nrole r\x01;\n"));
  CHECK(control->only().message == "invalid character `\\x01`");
  // A NUL byte makes the whole file binary: one E0016 without a location.
  auto nul = parse(std::string("policy p;\nrole r;\0", 18));
  CHECK(nul->only().code == DiagCode::NotPolicyText);
  CHECK(nul->only().message == "file `test.authz` is not text: byte 17 is NUL");
  CHECK_FALSE(nul->only().span.valid());
  auto quote = parse("policy p;\nuse 'x';\n");
  CHECK(quote->diagnostics.at(0).code == DiagCode::InvalidCharacter);
  CHECK(quote->diagnostics.at(0).help == "strings are written in double quotes: `\"text\"`");
  auto unicode = parse("policy p;\nrole r\xE2\x80\x9C;\n");
  CHECK(unicode->only().message == "invalid character `\xE2\x80\x9C` (U+201C)");
  CHECK(unicode->where(unicode->only()) == "2:7");
  auto amp = parse_condition("a & b");
  CHECK(amp->diagnostics.at(0).help == "write `&&` for a logical and");
}

TEST_CASE("an unterminated string is E0002 from the quote to the end of the line", "[parse]") {
  auto p = parse("policy p;\ngrant g: user \"u-ann may t;\nrole r;\n");
  INFO(describe(*p));
  const Diagnostic& d = p->only();
  CHECK(d.code == DiagCode::UnterminatedString);
  CHECK(p->where(d) == "2:15");
  CHECK(p->text(d.span) == "\"u-ann may t;");
  CHECK(d.help == "add the closing `\"` before the end of the line");

  auto at_eof = parse("policy p;\nuse \"common.authz");
  CHECK(at_eof->only().code == DiagCode::UnterminatedString);
  CHECK(at_eof->where(at_eof->only()) == "2:5");
  auto backslash = parse("policy p;\nuse \"abc\\");
  CHECK(backslash->only().code == DiagCode::UnterminatedString);
  auto escape_before_eol = parse("policy p;\nuse \"abc\\\"\n;");
  CHECK(escape_before_eol->codes() == std::vector<DiagCode>{DiagCode::UnterminatedString});
}

TEST_CASE("an unterminated block comment is E0007 at its start", "[parse]") {
  auto p = parse("policy p;\nrole r;\n  /* never closed\nrole s;\n");
  const Diagnostic& d = p->only();
  CHECK(d.code == DiagCode::UnterminatedComment);
  CHECK(p->where(d) == "3:3");
  CHECK(p->text(d.span) == "/*");
  CHECK(p->file->roles.size() == 1);
}

TEST_CASE("empty and comment-only files are E0011", "[parse]") {
  for (const char* text : {"", "   \n\t\r\n", "// nothing\n/* here */\n", "/// just a doc\n"}) {
    auto p = parse(text);
    INFO(text);
    const Diagnostic& d = p->only();
    CHECK(d.code == DiagCode::EmptyFile);
    CHECK(d.span.begin == 0);
    CHECK(d.help.find("`policy NAME;`") != std::string::npos);
  }
}

TEST_CASE("invalid UTF-8 is E0004 at the first bad byte, saying why", "[parse]") {
  struct Case {
    std::string text;
    std::uint32_t offset;
    std::string why;  // after "file is not valid UTF-8: "
  };
  const std::vector<Case> cases = {
      {"policy p;\n// \xC0\x80 overlong\n", 13, "byte `\\xC0` starts an overlong encoding"},
      {"policy p;\n// \xE0\x80\x80 overlong\n", 13, "overlong encoding"},
      {"policy p;\n// \xED\xA0\x80 surrogate\n", 13, "encoded UTF-16 surrogate"},
      {"policy p;\n// \xF4\x90\x80\x80 too big\n", 13, "code point above U+10FFFF"},
      {"policy p;\n// \xF8\x88\x80\x80\x80\n", 13, "byte `\\xF8` never occurs in UTF-8"},
      {"policy p;\n// \x80 stray\n", 13, "byte `\\x80` continues a character that never started"},
      {"policy p;\n// \xC3 cut\n", 13, "character starting with `\\xC3` is cut short"},
      {"policy p;\nrole r; // \xE2\x82", 21, "the file ends in the middle of a character"},
      {"\xFF", 0, "byte `\\xFF` never occurs in UTF-8"},
  };
  for (const Case& c : cases) {
    auto p = parse(c.text);
    INFO(describe(*p));
    const Diagnostic& d = p->only();
    CHECK(d.code == DiagCode::InvalidUtf8);
    CHECK(d.span.begin == c.offset);
    CHECK(d.message == "file is not valid UTF-8: " + c.why);
    CHECK(p->file->roles.empty());
  }
  // Valid multi-byte text in strings and comments is fine, and columns count code points.
  auto ok = parse("policy p;\n// caf\xC3\xA9 \xF0\x9F\x98\x80\nuse \"\xC3\xA9\"; @\n");
  CHECK(ok->only().code == DiagCode::InvalidCharacter);
  CHECK(ok->where(ok->only()) == "3:10");
  auto bom = parse("\xEF\xBB\xBFpolicy p;\nrole r @;\n");
  CHECK(bom->only().code == DiagCode::InvalidCharacter);
  CHECK(bom->only().span.begin == 20);
}

// ---- hostile inputs -------------------------------------------------------------------------

TEST_CASE("a 50 MB file is E0005 without being parsed", "[parse]") {
  std::string huge(50u << 20, 'a');
  auto p = parse(std::move(huge));
  const Diagnostic& d = p->only();
  CHECK(d.code == DiagCode::FileTooLarge);
  CHECK(d.span.begin == 0);
  CHECK(d.message == "file is 52428800 bytes, more than the limit of 8388608 bytes");
  CHECK(p->seconds < time_limit(1.0));
}

TEST_CASE("100,000 nested parentheses are E0006 without deep recursion", "[parse]") {
  const std::string text = "policy p;\n/// d\nallow r: a may t when " + std::string(100000, '(') + "x" +
                           std::string(100000, ')') + ";\n";
  auto p = parse(text);
  const Diagnostic& d = p->only();
  CHECK(d.code == DiagCode::NestingTooDeep);
  // The 201st `(` crosses the limit: column 23 is the first.
  CHECK(p->where(d) == "3:" + std::to_string(23 + ast::kMaxNesting));
  CHECK(p->seconds < time_limit(2.0));
  CHECK(p->printed.empty());
}

TEST_CASE("nesting exactly at the limit is accepted", "[parse]") {
  const int n = ast::kMaxNesting;
  auto parens = parse_condition(std::string(n, '(') + "x" + std::string(n, ')'));
  CHECK(parens->diagnostics.empty());
  auto lists = parse_condition("x in " + std::string(n - 1, '[') + std::string(n - 1, ']'));
  INFO(describe(*lists));
  CHECK(lists->diagnostics.empty());
  auto over = parse_condition(std::string(n + 1, '(') + "x" + std::string(n + 1, ')'));
  CHECK(over->only().code == DiagCode::NestingTooDeep);
}

TEST_CASE("100,000 prefix operators are E0006", "[parse]") {
  for (char op : {'!', '-'}) {
    auto p = parse_condition(std::string(100000, op) + "x");
    INFO(op);
    CHECK(p->only().code == DiagCode::NestingTooDeep);
    CHECK(p->where(p->only()) == "3:" + std::to_string(23 + ast::kMaxNesting));
    CHECK(p->seconds < time_limit(2.0));
  }
  auto mixed = parse_condition(std::string(60000, '!') + std::string(60000, '(') + "x" + std::string(60000, ')'));
  CHECK(mixed->only().code == DiagCode::NestingTooDeep);
  // Binary minus is not nesting: a long difference chain is bounded by the AST check instead.
  CHECK(parse_condition("a - -b")->diagnostics.empty());
}

TEST_CASE("deeply nested types are E0006", "[parse]") {
  std::string type;
  for (int i = 0; i < 100000; ++i) type += "Set<";
  auto p = parse("policy p;\nentity E { a: " + type + "Int }\n");
  CHECK(p->only().code == DiagCode::NestingTooDeep);
  CHECK(p->seconds < time_limit(2.0));
  std::string ok_type = "Int";
  for (int i = 0; i < 50; ++i) ok_type = "List<" + ok_type + ">";
  CHECK(parse("policy p;\nrecord R { a: " + ok_type + " }\n")->diagnostics.empty());
  // `<` in a rule compares and costs nothing.
  std::string comparisons;
  for (int i = 0; i < 500; ++i) comparisons += (i ? " && a < b" : "a < b");
  CHECK(parse_condition(comparisons)->diagnostics.empty());
}

TEST_CASE("long left-nested chains are E0006 instead of a deep AST", "[parse]") {
  std::string sum = "1";
  for (int i = 0; i < 10000; ++i) sum += " + 1";
  auto p = parse_condition(sum + " == 2");
  CHECK(p->only().code == DiagCode::NestingTooDeep);
  std::string members = "user";
  for (int i = 0; i < 10000; ++i) members += ".a";
  auto m = parse_condition(members);
  CHECK(m->only().code == DiagCode::NestingTooDeep);
  // Flat n-ary chains are not nesting.
  std::string chain = "a";
  for (int i = 0; i < 20000; ++i) chain += " && a";
  auto flat = parse_condition(chain);
  CHECK(flat->diagnostics.empty());
  CHECK(flat->file->rules[0].when->children.size() == 20001);
}

TEST_CASE("binary garbage gives bounded diagnostics and no crash", "[parse]") {
  std::mt19937 random(12345);
  for (int round = 0; round < 20; ++round) {
    std::string bytes(20000, '\0');
    for (char& c : bytes) c = static_cast<char>(random() & 0xFF);
    auto p = parse(bytes);
    CHECK_FALSE(p->diagnostics.empty());
    CHECK(p->diagnostics.size() <= authz::DiagnosticSink::kMaxErrors + 1);
    CHECK(p->printed.empty());
  }
  // ASCII garbage (valid UTF-8, NULs and controls included) goes through the lexer and parser.
  for (int round = 0; round < 20; ++round) {
    std::string bytes(20000, '\0');
    for (char& c : bytes) c = static_cast<char>(random() & 0x7F);
    auto p = parse(bytes);
    CHECK_FALSE(p->diagnostics.empty());
    CHECK(p->diagnostics.size() <= authz::DiagnosticSink::kMaxErrors + 1);
    CHECK(p->printed.empty());
    CHECK(p->seconds < time_limit(2.0));
  }
  // Token soup: real tokens in random order exercise parser recovery.
  const char* const words[] = {"policy", "tool", "(", ")", "{", "}", "[", "]", ";", ":", ",", "allow", "deny",
                               "when", "&&", "||", "!", "-", "+", "x", "\"s\"", "1", "1h", "may", "user", ".",
                               "///d\n", "grant", "because", "2026-01-01T00:00:00Z", "<", ">", "?", "=", "=="};
  for (int round = 0; round < 50; ++round) {
    std::string text;
    for (int i = 0; i < 2000; ++i) text += std::string(words[random() % std::size(words)]) + " ";
    auto p = parse(text);
    CHECK(p->printed.empty());
    CHECK(p->diagnostics.size() <= authz::DiagnosticSink::kMaxErrors + 1);
  }
}

TEST_CASE("too many errors stop at the sink's limit with E0014", "[parse]") {
  auto p = parse("policy p;\n" + std::string(100000, '@'));
  CHECK(p->diagnostics.size() == authz::DiagnosticSink::kMaxErrors + 1);
  CHECK(p->diagnostics.back().code == DiagCode::TooManyErrors);
  CHECK(p->seconds < time_limit(2.0));
  std::string errors;
  for (int i = 0; i < 5000; ++i) errors += "role ;\n";
  auto q = parse("policy p;\n" + errors);
  CHECK(q->diagnostics.size() == authz::DiagnosticSink::kMaxErrors + 1);
}

TEST_CASE("a large valid file parses within the caps", "[parse]") {
  std::string text = "policy p;\n";
  int rules = 0;
  while (text.size() < (2u << 20)) {
    text += "/// rule\nallow r" + std::to_string(rules++) +
            ": rep may get_account when args.account.owner == user.id && args.n < 10;\n";
  }
  auto p = parse(text);
  CHECK(p->diagnostics.empty());
  CHECK(p->file->rules.size() == static_cast<std::size_t>(rules));
  CHECK(p->seconds < time_limit(20.0));
}

TEST_CASE("token and tree caps are E0005", "[parse]") {
  // More tokens than the cap: every `;` is a token.
  auto tokens = parse("policy p;\n" + std::string(authz::kMaxFileBytes - 16, ';'));
  CHECK(tokens->only().code == DiagCode::FileTooLarge);
  CHECK(tokens->only().message == "file has more than " + std::to_string(authz::kMaxFileBytes / 2) + " tokens");
  CHECK(tokens->seconds < time_limit(20.0));

  // One declaration of more than 2^18 tokens is refused before parsing.
  std::string huge = "policy p;\n/// d\nallow r: a may t when a";
  for (int i = 0; i < 150000; ++i) huge += "&&a";
  auto declaration = parse(huge + ";\n");
  CHECK(declaration->only().code == DiagCode::FileTooLarge);
  CHECK(declaration->only().message == "declaration is too large: more than 262144 tokens");

  // Under the declaration's token cap, but a tree of more than a million
  // rule nodes (each list element is nine levels of the expression grammar).
  std::string dense = "policy p;\n/// d\nallow r: a may t when x in [a";
  for (int i = 0; i < 125000; ++i) dense += ",a";
  auto nodes = parse(dense + "];\n");
  CHECK(nodes->only().code == DiagCode::FileTooLarge);
  CHECK(nodes->only().message == "declaration is too large: more than 1000000 syntax nodes");
  CHECK(nodes->seconds < time_limit(10.0));

  // Many declarations are parsed in chunks; every one arrives, in order.
  std::string roles = "policy p;\n";
  for (int i = 0; i < 30000; ++i) roles += "role r" + std::to_string(i) + ";\n";
  auto chunked = parse(roles);
  CHECK(chunked->diagnostics.empty());
  REQUIRE(chunked->file->roles.size() == 30000);
  CHECK(chunked->file->roles[29999].name.text == "r29999");
  CHECK(chunked->where(chunked->file->roles[29999].span) == "30001:1");
}
