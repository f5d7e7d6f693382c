// checker_test.cpp — name resolution, types and policy rules of the checker:
// one case per diagnostic code it emits (code and the exact spanned text),
// the CheckedPolicy shape (role inclusion, group expansion, shared target
// sets), and `has` guard flow.
#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "bench/policy_generator.h"
#include "compiler/checker.h"
#include "compiler/parse.h"
#include "compiler/types.h"

using namespace authz;

namespace {

struct Checked {
  SourceManager sources;
  DiagnosticSink sink;
  std::unique_ptr<CheckedPolicy> policy;

  std::vector<std::string> codes() const {
    std::vector<std::string> out;
    for (const Diagnostic& d : sink.diagnostics()) out.emplace_back(code_string(d.code));
    return out;
  }
  // The one diagnostic with this code (fails the test when there is not exactly one).
  const Diagnostic& only(std::string_view code) const {
    const Diagnostic* found = nullptr;
    int count = 0;
    for (const Diagnostic& d : sink.diagnostics())
      if (code_string(d.code) == code) { found = &d; ++count; }
    INFO("diagnostics: " << dump());
    REQUIRE(count == 1);
    return *found;
  }
  std::string text(const Span& span) const { return std::string(sources.slice(span)); }
  std::string dump() const {
    std::string out;
    for (const Diagnostic& d : sink.diagnostics())
      out += std::string(code_string(d.code)) + " [" + (d.span.valid() ? std::string(sources.slice(d.span)) : "") +
             "] " + d.message + " | " + d.help + "\n";
    return out;
  }
};

std::unique_ptr<Checked> check_files(const std::vector<std::pair<std::string, std::string>>& files) {
  auto out = std::make_unique<Checked>();
  Program program;
  for (const auto& [path, text] : files) {
    FileId id = out->sources.add(path, text);
    program.files.push_back(parse_file(out->sources, id, out->sink));
  }
  out->policy = check_program(std::move(program), out->sink);
  return out;
}

std::unique_ptr<Checked> check_text(const std::string& text) { return check_files({{"test.authz", text}}); }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A small valid policy most error cases extend.
const std::string kBase = R"(policy test;
principal User { manages: Set<String>, dept: String? }
entity Account { owner: String, team: String, region: String? }
role rep;
role analyst;
role manager : rep;
role admin : manager;
/// Reads one account.
tool get_account(account: Account) read;
/// Lists accounts.
tool list_accounts(region: String?, limit: Int?) read;
/// Changes an account.
tool update_account(account: Account, fields: Map<String, String>) write;
/// Deletes records.
tool delete_records(account: Account, ids: List<String>) write;
/// Sales totals.
tool sales_summary(region: String, group_by: String?) read;
obligation aggregate_only(min_group: Int);
group account_tools = get_account, update_account, delete_records;
)";

// kBase plus one rule line: `/// Doc.\n<rule>`.
std::unique_ptr<Checked> check_rule(const std::string& rule) { return check_text(kBase + "/// Doc.\n" + rule + "\n"); }

// Asserts exactly one diagnostic overall, with this code and spanned text.
void expect_one(const Checked& checked, std::string_view code, std::string_view spanned) {
  INFO(checked.dump());
  REQUIRE(checked.sink.diagnostics().size() == 1);
  const Diagnostic& d = checked.only(code);
  CHECK(checked.text(d.span) == spanned);
}

}  // namespace

// ---- types ------------------------------------------------------------------------

TEST_CASE("types are interned and spelled in language terms", "[checker][types]") {
  TypeContext types;
  const Type* set_string = types.set_of(types.string_type());
  CHECK(set_string == types.set_of(types.string_type()));
  CHECK(set_string != types.list_of(types.string_type()));
  CHECK(to_string(set_string) == "Set<String>");
  CHECK(to_string(types.map_of(types.list_of(types.int_type()))) == "Map<String, List<Int>>");
  CHECK(to_string(types.set_of(types.role_type())) == "Set<Role>");
  const Type* account = types.declare_nominal(TypeKind::Entity, "Account", Span{});
  const Type* maybe_account = types.optional(account);
  CHECK(to_string(maybe_account) == "Account?");
  CHECK(maybe_account == types.optional(account));
  CHECK(maybe_account->required == account);
  CHECK(TypeContext::required(account) == account);
  CHECK(types.optional(maybe_account) == maybe_account);
  CHECK(types.optional(types.error_type()) == types.error_type());
  CHECK(types.set_of(types.error_type())->is_error());
  CHECK(to_string(types.empty_list_type()) == "[]");
  CHECK(to_string(types.timestamp_type()) == "Timestamp");
  CHECK(to_string(types.duration_type()) == "Duration");
  CHECK(to_string(types.number_type()) == "Number");
  CHECK(to_string(types.bool_type()) == "Bool");
}

TEST_CASE("nominal types carry attributes, also through their optional form", "[checker][types]") {
  TypeContext types;
  const Type* account = types.declare_nominal(TypeKind::Entity, "Account", Span{});
  AttributeList attributes;
  CHECK(attributes.add({"owner", types.string_type(), Span{}, false, false}));
  CHECK(attributes.add({"team", types.optional(types.string_type()), Span{}, false, false}));
  CHECK_FALSE(attributes.add({"owner", types.int_type(), Span{}, false, false}));
  types.set_attributes(account, std::move(attributes));
  REQUIRE(account->find_attribute("owner") != nullptr);
  CHECK(account->find_attribute("owner")->type == types.string_type());
  CHECK(account->find_attribute("team")->optional());
  CHECK(to_string(account->find_attribute("team")->type) == "String?");
  CHECK(account->find_attribute("nope") == nullptr);
  CHECK(types.optional(account)->find_attribute("owner") != nullptr);
  CHECK(types.string_type()->attributes().empty());
}

// ---- clean policies ----------------------------------------------------------------

TEST_CASE("a sales-like policy checks clean", "[checker]") {
  auto checked = check_text(kBase + R"(
/// Reps read the accounts they own.
allow rep_reads_own: rep, user "u-ann" may get_account
  when args.account.owner == user.id
  unless args.account has region && args.account.region == "mars"
  from 2026-01-01T00:00:00Z until 2027-01-01T00:00:00Z;
/// Managers read and update their teams' accounts.
allow manager_team: manager may get_account, update_account
  when args.account.team in user.manages;
/// Analysts in sales see totals.
allow analyst_totals: analyst may sales_summary
  when user has dept && user.dept == "sales"
  unless args has group_by && args.group_by in ["account", "owner"]
  with aggregate_only(min_group: 5);
/// Deleting is for admins only.
deny delete_admin_only: delete_records unless user is admin;
/// No cross-user access.
deny no_cross_user: account_tools
  unless args.account.owner == user.id || args.account.team in user.manages || user is admin;
/// A freeze.
deny freeze: write from 2026-12-28T00:00:00Z until 2027-01-04T00:00:00Z;
/// Time arithmetic and role sets.
allow misc: rep may list_accounts
  when now - 1h < now && now + 7d - now > 1h && user.roles contains admin
    && (args has limit && args.limit + 1 > 2) && !(admin in user.roles)
    && user.manages containsAny ["east"] && user.roles containsAll [] && args.limit != 5;
grant inc_4521: user "u-alice" may update_account
  until 2027-12-01T00:00:00Z because "INC-4521 data repair";
)");
  INFO(checked->dump());
  CHECK(checked->sink.diagnostics().empty());
  const CheckedPolicy& policy = *checked->policy;
  CHECK(policy.name == "test");
  REQUIRE(policy.rules.size() == 7);
  REQUIRE(policy.grants.size() == 1);

  const CheckedRule& first = policy.rules[0];
  CHECK(first.id == "rep_reads_own");
  CHECK(checked->text(first.span) == "rep_reads_own");
  CHECK(first.effect == ast::Effect::Allow);
  CHECK(first.users == std::vector<std::string>{"u-ann"});
  CHECK(first.roles == std::vector<RoleIndex>{policy.find_role("rep")->index});
  CHECK(first.matching_roles ==
        std::vector<RoleIndex>{policy.find_role("rep")->index, policy.find_role("manager")->index,
                               policy.find_role("admin")->index});
  CHECK_FALSE(first.anyone);
  REQUIRE(first.targets.size() == 1);
  CHECK(policy.targets[first.targets[0]].name == "get_account");
  CHECK(first.from == 1767225600000);
  CHECK(first.until == 1798761600000);
  REQUIRE(first.when != nullptr);
  CHECK(first.when->type == policy.types->bool_type());
  // Typed sub-expressions: `args.account.owner` is a String, `args.account` an Account.
  const ast::Expr& owner = *first.when->children[0];
  CHECK(to_string(owner.type) == "String");
  CHECK(to_string(owner.children[0]->type) == "Account");
  CHECK(owner.children[0]->children[0]->type->kind == TypeKind::Args);

  // The guarded optional is typed without `?`.
  const CheckedRule& analyst = policy.rules[2];
  CHECK(to_string(analyst.when->children[1]->children[0]->type) == "String");
  REQUIRE(analyst.obligations.size() == 1);
  CHECK(policy.obligations[analyst.obligations[0].obligation].name == "aggregate_only");
  REQUIRE(analyst.obligations[0].arguments.size() == 1);
  CHECK(analyst.obligations[0].arguments[0].name == "min_group");
  CHECK(analyst.obligations[0].arguments[0].value.int_value == 5);
  CHECK(analyst.obligations[0].arguments[0].value.type == policy.types->int_type());

  const CheckedRule& deny_delete = policy.rules[3];
  CHECK(deny_delete.effect == ast::Effect::Deny);
  CHECK(deny_delete.anyone);  // no subjects written on a deny: applies to anyone
  CHECK(deny_delete.when == nullptr);
  CHECK(deny_delete.unless != nullptr);

  // `write` and the group resolve to shared, precomputed sets.
  CHECK(policy.rules[5].targets.data() == policy.write_targets.data());
  CHECK(policy.rules[4].targets.data() == policy.find_group("account_tools")->targets.data());

  const CheckedGrant& grant = policy.grants[0];
  CHECK(grant.id == "inc_4521");
  CHECK(grant.user == "u-alice");
  CHECK(grant.reason == "INC-4521 data repair");
  CHECK(grant.until == 1827619200000);
  CHECK_FALSE(grant.from.has_value());
  REQUIRE(grant.targets.size() == 1);
  CHECK(policy.targets[grant.targets[0]].name == "update_account");
}

TEST_CASE("the sales example and its stdlib check clean", "[checker]") {
  const std::string root = AUTHZ_SOURCE_DIR;
  auto checked = check_files({{"sales.authz", read_file(root + "/examples/sales/sales.authz")},
                              {"tools.authz", read_file(root + "/examples/sales/tools.authz")},
                              {"obligations.authz", read_file(root + "/stdlib/std/obligations.authz")}});
  INFO(checked->dump());
  CHECK(checked->sink.diagnostics().empty());
  const CheckedPolicy& policy = *checked->policy;
  CHECK(policy.name == "sales");
  CHECK(policy.rules.size() == 13);
  CHECK(policy.grants.size() == 1);
  // `owners_list_own` carries two obligations with constant arguments, in order.
  const CheckedRule* list_own = nullptr;
  for (const CheckedRule& rule : policy.rules)
    if (rule.id == "owners_list_own") list_own = &rule;
  REQUIRE(list_own != nullptr);
  REQUIRE(list_own->obligations.size() == 2);
  CHECK(policy.obligations[list_own->obligations[0].obligation].name == "rows_owned_by_caller");
  CHECK(list_own->obligations[0].arguments[0].value.string_value == "owner");
  CHECK(list_own->obligations[1].arguments[0].value.int_value == 100);
}

TEST_CASE("the filesystem and everything examples check clean", "[checker]") {
  const std::string root = AUTHZ_SOURCE_DIR;
  auto filesystem = check_files({{"policy.authz", read_file(root + "/examples/filesystem/policy.authz")},
                                 {"filesystem.authz", read_file(root + "/stdlib/mcp/filesystem.authz")}});
  INFO(filesystem->dump());
  CHECK(filesystem->sink.diagnostics().empty());
  auto everything =
      check_files({{"clean.authz", read_file(root + "/tests/golden/check/clean_everything_resources_prompts.authz")},
                   {"everything.authz", read_file(root + "/stdlib/mcp/everything.authz")},
                   {"obligations.authz", read_file(root + "/stdlib/std/obligations.authz")}});
  INFO(everything->dump());
  CHECK(everything->sink.diagnostics().empty());
  const CheckedTarget* dynamic = everything->policy->find_target("dynamic_text");
  REQUIRE(dynamic != nullptr);
  CHECK(dynamic->kind == TargetKind::Resource);
  CHECK(dynamic->action == ast::Action::Read);
  CHECK(dynamic->uri_is_template);
  CHECK(dynamic->uri == "demo://resource/dynamic/text/{resourceId}");
  REQUIRE(dynamic->params.find("resourceId") != nullptr);
  CHECK(dynamic->params.find("resourceId")->type == everything->policy->types->string_type());
  CHECK(everything->text(dynamic->params.find("resourceId")->span) == "resourceId");
  const CheckedTarget* prompt = everything->policy->find_target("args-prompt");
  REQUIRE(prompt != nullptr);
  CHECK(prompt->kind == TargetKind::Prompt);
  CHECK(prompt->action == ast::Action::Read);
}

// ---- the CheckedPolicy shape --------------------------------------------------------

TEST_CASE("roles include themselves and their transitive parents", "[checker]") {
  auto checked = check_text(R"(policy test;
role rep;
role auditor;
role manager : rep;
role admin : manager, auditor;
role intern;
)");
  INFO(checked->dump());
  REQUIRE(checked->sink.diagnostics().empty());
  const CheckedPolicy& policy = *checked->policy;
  REQUIRE(policy.roles.size() == 5);
  auto index = [&](const char* name) { return policy.find_role(name)->index; };
  CHECK(index("rep") == 0);
  CHECK(index("intern") == 4);
  CHECK(policy.find_role("nobody") == nullptr);
  CHECK(policy.roles[index("admin")].includes ==
        std::vector<RoleIndex>{index("rep"), index("auditor"), index("manager"), index("admin")});
  CHECK(policy.roles[index("admin")].parents == std::vector<RoleIndex>{index("manager"), index("auditor")});
  CHECK(policy.roles[index("manager")].includes == std::vector<RoleIndex>{index("rep"), index("manager")});
  CHECK(policy.roles[index("intern")].includes == std::vector<RoleIndex>{index("intern")});
  CHECK(policy.roles[index("rep")].included_by ==
        std::vector<RoleIndex>{index("rep"), index("manager"), index("admin")});
  CHECK(policy.roles[index("auditor")].included_by == std::vector<RoleIndex>{index("auditor"), index("admin")});
  CHECK(checked->text(policy.roles[index("admin")].span) == "admin");
}

TEST_CASE("groups expand nested groups, read and write into target sets", "[checker]") {
  auto checked = check_text(R"(policy test;
/// r1.
tool r1() read;
/// w1.
tool w1() write;
resource doc "demo://doc";
prompt p();
/// w2.
tool w2() write;
group inner = w2, r1;
group outer = inner, doc, r1;
group everything_read = read;
group all = outer, write, everything_read;
)");
  INFO(checked->dump());
  REQUIRE(checked->sink.diagnostics().empty());
  const CheckedPolicy& policy = *checked->policy;
  REQUIRE(policy.targets.size() == 5);
  auto t = [&](const char* name) { return policy.find_target(name)->index; };
  CHECK(t("r1") == 0);
  CHECK(t("w1") == 1);
  CHECK(t("doc") == 2);
  CHECK(t("p") == 3);
  CHECK(t("w2") == 4);
  CHECK(policy.targets[t("doc")].kind == TargetKind::Resource);
  CHECK_FALSE(policy.targets[t("doc")].uri_is_template);
  auto set = [](std::span<const TargetIndex> s) { return std::vector<TargetIndex>(s.begin(), s.end()); };
  CHECK(set(policy.read_targets) == std::vector<TargetIndex>{0, 2, 3});
  CHECK(set(policy.write_targets) == std::vector<TargetIndex>{1, 4});
  CHECK(set(policy.find_group("inner")->targets) == std::vector<TargetIndex>{0, 4});
  CHECK(set(policy.find_group("outer")->targets) == std::vector<TargetIndex>{0, 2, 4});
  CHECK(set(policy.find_group("everything_read")->targets) == std::vector<TargetIndex>{0, 2, 3});
  CHECK(set(policy.find_group("all")->targets) == std::vector<TargetIndex>{0, 1, 2, 3, 4});
  CHECK(policy.find_group("r1") == nullptr);
}

TEST_CASE("rules over the same targets share one target set", "[checker]") {
  auto checked = check_text(kBase + R"(
/// One.
allow one: rep may get_account, list_accounts;
/// Two.
allow two: rep may list_accounts, get_account, get_account;
/// Three.
allow three: rep may get_account;
/// Four.
allow four: rep may get_account;
)");
  INFO(checked->dump());
  REQUIRE(checked->sink.diagnostics().empty());
  const auto& rules = checked->policy->rules;
  CHECK(rules[0].targets.size() == 2);
  CHECK(rules[0].targets.data() == rules[1].targets.data());
  CHECK(rules[2].targets.data() == rules[3].targets.data());
}

// ---- `has` guards --------------------------------------------------------------------

TEST_CASE("`has` on the left of && guards the right side", "[checker]") {
  auto checked = check_rule("allow r: rep may list_accounts when args has limit && args.limit > 5 && (user has dept && user.dept == \"x\");");
  INFO(checked->dump());
  CHECK(checked->sink.diagnostics().empty());
}

TEST_CASE("a guard shared by every side of || carries on", "[checker]") {
  auto checked = check_rule(
      "allow r: rep may list_accounts when (args has limit && true || args has limit) && args.limit > 5;");
  INFO(checked->dump());
  CHECK(checked->sink.diagnostics().empty());
}

TEST_CASE("E0303 optional used without a guard", "[checker]") {
  expect_one(*check_rule("allow r: rep may list_accounts when args.limit > 5;"), "E0303", "args.limit");
  expect_one(*check_rule("allow r: rep may list_accounts when user.dept == \"x\" && user has dept;"), "E0303",
             "user.dept");
  expect_one(*check_rule("allow r: rep may list_accounts when user has dept || user.dept == \"x\";"), "E0303",
             "user.dept");
  expect_one(*check_rule("allow r: rep may get_account when args.account.region == \"eu\";"), "E0303",
             "args.account.region");
  auto unless = check_rule("allow r: rep may list_accounts when args has limit unless args.limit > 100;");
  expect_one(*unless, "E0303", "args.limit");
  CHECK(unless->only("E0303").help == "write `args has limit && ...` to use it only when it is present");
}

// ---- one case per diagnostic --------------------------------------------------------

TEST_CASE("E0104 files name different policies", "[checker]") {
  auto checked = check_files({{"a.authz", "policy sales;\nrole rep;\n"}, {"b.authz", "policy support;\nrole agent;\n"}});
  INFO(checked->dump());
  const Diagnostic& d = checked->only("E0104");
  CHECK(checked->text(d.span) == "policy support;");
  REQUIRE(d.notes.size() == 1);
  CHECK(checked->text(d.notes[0].span) == "policy sales;");
}

TEST_CASE("E0105 rule and grant in a module", "[checker]") {
  auto checked = check_files(
      {{"lib.authz",
        "module test.lib;\nrole rep;\n/// L.\ntool l() read;\n/// R.\nallow reps_list: rep may l;\n"
        "grant g: user \"u\" may l until 2027-01-01T00:00:00Z because \"x\";\n"},
       {"main.authz", "policy test;\n"}});
  INFO(checked->dump());
  REQUIRE(checked->codes() == std::vector<std::string>{"E0105", "E0105"});
  CHECK(checked->text(checked->sink.diagnostics()[0].span) == "reps_list");
  CHECK(checked->text(checked->sink.diagnostics()[1].span) == "g");
  CHECK(checked->text(checked->sink.diagnostics()[0].notes[0].span) == "module test.lib;");
  CHECK(checked->sink.diagnostics()[0].help == "move it into a file that starts with `policy test;`");
}

TEST_CASE("E0201 unknown target with a suggestion", "[checker]") {
  auto checked = check_rule("allow r: rep may get_acount;");
  expect_one(*checked, "E0201", "get_acount");
  CHECK(checked->only("E0201").help == "did you mean `get_account`?");
  expect_one(*check_text(kBase + "group g = get_account, nope;\n"), "E0201", "nope");
}

TEST_CASE("E0202 unknown role", "[checker]") {
  auto subject = check_rule("allow r: reps may list_accounts;");
  expect_one(*subject, "E0202", "reps");
  CHECK(subject->only("E0202").help == "did you mean `rep`?");
  expect_one(*check_text("policy test;\nrole rep;\nrole manager : rpe;\n"), "E0202", "rpe");
}

TEST_CASE("E0203 unknown type", "[checker]") {
  auto checked = check_text("policy test;\n/// L.\ntool l(region: Strng) read;\n");
  expect_one(*checked, "E0203", "Strng");
  CHECK(checked->only("E0203").help == "did you mean `String`?");
}

TEST_CASE("E0204 unknown attribute or parameter", "[checker]") {
  auto entity = check_rule("allow r: rep may get_account when args.account.ownr == user.id;");
  expect_one(*entity, "E0204", "ownr");
  CHECK(entity->only("E0204").help == "did you mean `owner`?");
  expect_one(*check_rule("allow r: rep may sales_summary when args.region == user.region;"), "E0204", "region");
  expect_one(*check_rule("allow r: rep may sales_summary when args.team == \"east\";"), "E0204", "team");
  expect_one(*check_rule("allow r: rep may sales_summary when user has nope;"), "E0204", "nope");
}

TEST_CASE("E0205 unknown obligation", "[checker]") {
  auto checked = check_rule("allow r: rep may sales_summary with agregate_only(min_group: 5);");
  expect_one(*checked, "E0205", "agregate_only");
  CHECK(checked->only("E0205").help == "did you mean `aggregate_only`?");
  auto prefix = check_rule("allow r: rep may sales_summary with aggregate(min_group: 5);");
  expect_one(*prefix, "E0205", "aggregate");
  CHECK(prefix->only("E0205").help == "did you mean `aggregate_only`?");
}

TEST_CASE("E0206 name declared twice", "[checker]") {
  auto role = check_text("policy test;\nrole rep;\nrole rep;\n");
  INFO(role->dump());
  const Diagnostic& d = role->only("E0206");
  CHECK(d.span.begin == 28);
  CHECK(role->text(d.span) == "rep");
  REQUIRE(d.notes.size() == 1);
  CHECK(d.notes[0].span.begin == 18);
  auto group = check_text("policy test;\n/// L.\ntool list_accounts() read;\ngroup list_accounts = list_accounts;\n");
  expect_one(*group, "E0206", "list_accounts");
  CHECK(group->only("E0206").span.begin > 40);
  expect_one(*check_text("policy test;\nentity A {}\nrecord A {}\n"), "E0206", "A");
  expect_one(*check_text("policy test;\nobligation o();\nobligation o();\n"), "E0206", "o");
}

TEST_CASE("E0207 rule or grant id used twice", "[checker]") {
  auto checked = check_rule(
      "allow r: rep may list_accounts;\ngrant r: user \"u\" may list_accounts until 2027-01-01T00:00:00Z because \"x\";");
  expect_one(*checked, "E0207", "r");
  const Diagnostic& d = checked->only("E0207");
  CHECK(d.span.begin > d.notes.at(0).span.begin);
}

TEST_CASE("E0208 role inheritance cycle", "[checker]") {
  auto checked = check_text("policy test;\nrole rep : admin;\nrole manager : rep;\nrole admin : manager;\n");
  INFO(checked->dump());
  const Diagnostic& d = checked->only("E0208");
  CHECK(checked->text(d.span) == "rep");  // the reference that closes the cycle rep -> admin -> manager -> rep
  CHECK(d.message == "role inheritance cycle: `rep` -> `admin` -> `manager` -> `rep`");
  REQUIRE(d.notes.size() == 2);
  CHECK(checked->text(d.notes[0].span) == "admin");
  CHECK(checked->text(d.notes[1].span) == "manager");
  expect_one(*check_text("policy test;\nrole rep : rep;\n"), "E0208", "rep");
}

TEST_CASE("E0209 unknown bare name", "[checker]") {
  auto checked = check_rule("allow r: rep may list_accounts when user.roles contains admn;");
  expect_one(*checked, "E0209", "admn");
  CHECK(checked->only("E0209").help == "did you mean `admin`?");
  auto tool = check_rule("allow r: rep may list_accounts when user.roles contains get_account;");
  expect_one(*tool, "E0209", "get_account");
  CHECK(tool->only("E0209").help == "`get_account` is a tool; only role names can stand alone in a condition");
}

TEST_CASE("E0210 attribute or parameter declared twice", "[checker]") {
  auto checked = check_text("policy test;\nentity Account { owner: String, team: String, owner: String }\n");
  expect_one(*checked, "E0210", "owner");
  const Diagnostic& d = checked->only("E0210");
  CHECK(d.span.begin > d.notes.at(0).span.begin);
  expect_one(*check_text("policy test;\n/// L.\ntool l(region: String, region: String) read;\n"), "E0210", "region");
}

TEST_CASE("E0211 more than one principal", "[checker]") {
  auto checked = check_text("policy test;\nprincipal User { manages: Set<String> }\nprincipal Agent { model: String }\n");
  expect_one(*checked, "E0211", "Agent");
  CHECK(checked->text(checked->only("E0211").notes.at(0).span) == "User");
}

TEST_CASE("E0212 argument not declared by every target", "[checker]") {
  auto missing = check_rule("allow r: rep may get_account, sales_summary when args.account.owner == user.id;");
  expect_one(*missing, "E0212", "account");
  CHECK(missing->text(missing->only("E0212").notes.at(0).span) == "sales_summary");
  auto differ = check_text(R"(policy test;
role rep;
/// L.
tool list_accounts(region: String) read;
/// S.
tool sales_summary(region: Int) read;
/// D.
allow r: rep may list_accounts, sales_summary when args.region == "east";
)");
  expect_one(*differ, "E0212", "region");
  CHECK(differ->only("E0212").notes.size() == 2);
  // Differing only in `?` is fine: the guard covers both.
  auto optional_in_one = check_text(R"(policy test;
role rep;
/// L.
tool a(region: String) read;
/// S.
tool b(region: String?) read;
/// D.
allow r: rep may a, b when args has region && args.region == "east";
)");
  INFO(optional_in_one->dump());
  CHECK(optional_in_one->sink.diagnostics().empty());
}

TEST_CASE("E0213 group contains itself", "[checker]") {
  auto checked = check_text("policy test;\n/// L.\ntool l() read;\ngroup a = l, b;\ngroup b = a;\n");
  INFO(checked->dump());
  const Diagnostic& d = checked->only("E0213");
  CHECK(checked->text(d.span) == "a");
  CHECK(d.message == "group contains itself: `a` -> `b` -> `a`");
  CHECK(checked->text(d.notes.at(0).span) == "b");
}

TEST_CASE("E0301 type mismatch", "[checker]") {
  expect_one(*check_rule("allow r: rep may get_account when args.account.owner == 42;"), "E0301",
             "args.account.owner == 42");
  expect_one(*check_rule("allow r: rep may sales_summary when args.region && true;"), "E0301", "args.region");
  expect_one(*check_rule("allow r: rep may sales_summary when args.region < \"m\";"), "E0301",
             "args.region < \"m\"");
  expect_one(*check_rule("allow r: rep may sales_summary when args.region in [\"east\", 7];"), "E0301", "7");
  expect_one(*check_rule("allow r: rep may list_accounts when now < 1h;"), "E0301", "now < 1h");
  expect_one(*check_rule("allow r: rep may sales_summary when args.region in user.roles;"), "E0301",
             "args.region");
  expect_one(*check_rule("allow r: rep may sales_summary when args.region under 5;"), "E0301", "5");
  expect_one(*check_rule("allow r: rep may sales_summary when !args.region;"), "E0301", "args.region");
  expect_one(*check_rule("allow r: rep may sales_summary when \"x\" in args.region;"), "E0301", "args.region");
  auto quoted_role = check_rule("allow r: rep may sales_summary when user.roles contains \"admin\";");
  expect_one(*quoted_role, "E0301", "\"admin\"");
  CHECK(quoted_role->only("E0301").message == "`Set<Role>` holds `Role` values, not `String`");
  CHECK(quoted_role->only("E0301").help == "write the role name without quotes: `admin`");
  // Entity compared with a String compares the id; Int and Number mix; [] matches any collection.
  auto fine = check_rule(
      "allow r: rep may get_account when args.account == \"acc-1\" && user.manages == [] && [1] != [2];");
  INFO(fine->dump());
  CHECK(fine->sink.diagnostics().empty());
}

TEST_CASE("E0302 condition is not a Bool", "[checker]") {
  auto checked = check_rule("allow r: rep may sales_summary when args.region;");
  expect_one(*checked, "E0302", "args.region");
  CHECK(checked->only("E0302").message == "`when` condition must be a `Bool`, found `String`");
}

TEST_CASE("E0304 wrong type arguments", "[checker]") {
  expect_one(*check_text("policy test;\n/// U.\ntool u(fields: Map<Int, String>) write;\n"), "E0304", "Int");
  expect_one(*check_text("policy test;\nprincipal User { manages: Set<String?> }\n"), "E0304", "String?");
  expect_one(*check_text("policy test;\nprincipal User { manages: Set<String, Int> }\n"), "E0304",
             "Set<String, Int>");
  expect_one(*check_text("policy test;\n/// L.\ntool l(region: String<Int>) read;\n"), "E0304", "String<Int>");
  expect_one(*check_text("policy test;\n/// L.\ntool l(region: List) read;\n"), "E0304", "List");
}

TEST_CASE("E0305 member access on a value without attributes", "[checker]") {
  auto checked = check_rule("allow r: rep may sales_summary when args.region.name == \"east\";");
  expect_one(*checked, "E0305", "name");
  CHECK(checked->only("E0305").message == "a value of type `String` has no attribute `name`");
}

TEST_CASE("E0306 built-in attribute redeclared with another type", "[checker]") {
  auto id = check_text("policy test;\nprincipal User { id: Int, manages: Set<String> }\n");
  expect_one(*id, "E0306", "Int");
  CHECK(id->only("E0306").message == "`id` is built in as `String` and cannot be redeclared as `Int`");
  expect_one(*check_text("policy test;\nprincipal User { roles: Set<String> }\n"), "E0306", "Set<String>");
  expect_one(*check_text("policy test;\nentity A { id: Int }\n"), "E0306", "Int");
  auto same = check_text("policy test;\nprincipal User { id: String, roles: Set<Role> }\n");
  INFO(same->dump());
  CHECK(same->sink.diagnostics().empty());
}

TEST_CASE("E0307 `is` needs the principal and a role", "[checker]") {
  expect_one(*check_rule("allow r: rep may get_account when args.account.owner is admin;"), "E0307",
             "args.account.owner");
  auto not_role = check_rule("allow r: rep may get_account when user is admn;");
  expect_one(*not_role, "E0307", "admn");
  CHECK(not_role->only("E0307").help == "did you mean `admin`?");
}

TEST_CASE("E0308 `args` where no arguments exist", "[checker]") {
  auto checked = check_text(R"(policy test;
role rep;
/// E.
tool get_env() read;
/// D.
allow r: rep may get_env when args has name;
)");
  expect_one(*checked, "E0308", "args");
  CHECK(checked->text(checked->only("E0308").notes.at(0).span) == "get_env");
  CHECK(checked->only("E0308").message == "`args` is used but `get_env` takes no arguments");
}

TEST_CASE("E0309 invalid arithmetic", "[checker]") {
  auto checked = check_rule("allow r: rep may list_accounts when now + now > now;");
  expect_one(*checked, "E0309", "now + now");
  CHECK(checked->only("E0309").message == "cannot add `Timestamp` to `Timestamp`");
  expect_one(*check_rule("allow r: rep may sales_summary when -args.region == \"x\";"), "E0309", "-args.region");
}

TEST_CASE("E0310 entity or principal where a value type is required", "[checker]") {
  expect_one(*check_text("policy test;\nentity A {}\nobligation o(a: A);\n"), "E0310", "A");
  expect_one(*check_text("policy test;\nprincipal User {}\nrecord R { u: User }\n"), "E0310", "User");
}

TEST_CASE("E0401 rule without doc comment", "[checker]") {
  expect_one(*check_text(kBase + "allow r: rep may list_accounts;\n"), "E0401", "r");
  expect_one(*check_text(kBase + "deny d: list_accounts;\n"), "E0401", "d");
}

TEST_CASE("E0402 E0403 E0412 E0417 grant problems", "[checker]") {
  expect_one(*check_text(kBase + "grant g: user \"u\" may list_accounts because \"x\";\n"), "E0402", "g");
  expect_one(*check_text(kBase + "grant g: user \"u\" may list_accounts until 2027-01-01T00:00:00Z;\n"), "E0403",
             "g");
  expect_one(*check_text(kBase + "grant g: user \"u\" may list_accounts until 2027-01-01T00:00:00Z because \" \";\n"),
             "E0412", "\" \"");
  expect_one(*check_text(kBase + "grant g: user \"\" may list_accounts until 2027-01-01T00:00:00Z because \"x\";\n"),
             "E0417", "\"\"");
  auto many = check_text("policy test;\n/// U.\ntool update_account(id: String) write;\ngrant g: user \"\" may update_acount;\n");
  CHECK(many->codes() == std::vector<std::string>{"E0417", "E0201", "E0402", "E0403"});
}

TEST_CASE("E0404 default allow and W0001 default deny", "[checker]") {
  auto allow = check_text("policy test;\ndefault allow;\n");
  expect_one(*allow, "E0404", "default allow;");
  expect_one(*check_text("policy test;\ndefault deny;\n"), "W0001", "default deny;");
}

TEST_CASE("E0405 E0406 E0407 E0408 E0414 obligation arguments", "[checker]") {
  auto missing = check_rule("allow r: rep may sales_summary with aggregate_only();");
  expect_one(*missing, "E0405", "aggregate_only");
  CHECK(missing->only("E0405").help == "write `aggregate_only(min_group: ...)`");
  auto unknown = check_rule("allow r: rep may sales_summary with aggregate_only(min_group: 5, max_group: 50);");
  expect_one(*unknown, "E0406", "max_group");
  expect_one(*check_rule("allow r: rep may sales_summary with aggregate_only(min_group: \"5\");"), "E0407", "\"5\"");
  expect_one(*check_rule("deny r: sales_summary with aggregate_only(min_group: 5);"), "E0408", "aggregate_only");
  expect_one(*check_rule("allow r: rep may list_accounts with aggregate_only(min_group: args.limit);"), "E0414",
             "args.limit");
}

TEST_CASE("obligation constants convert to the parameter type", "[checker]") {
  auto checked = check_text(R"(policy test;
role rep;
/// L.
tool l() read;
obligation o(ratio: Number, fields: Set<String>, who: Role, after: Timestamp, within: Duration, delta: Int, note: String?);
/// R.
allow r: rep may l with o(fields: ["a", "b"], ratio: 2, who: rep, after: 2026-01-01T00:00:00Z, within: 1h, delta: -3);
)");
  INFO(checked->dump());
  REQUIRE(checked->sink.diagnostics().empty());
  const ObligationCall& call = checked->policy->rules.at(0).obligations.at(0);
  REQUIRE(call.arguments.size() == 6);  // `note` is optional and omitted
  CHECK(call.arguments[0].name == "ratio");
  CHECK(call.arguments[0].value.number_value == 2.0);
  CHECK(call.arguments[0].value.type->kind == TypeKind::Number);
  CHECK(call.arguments[1].name == "fields");
  CHECK(to_string(call.arguments[1].value.type) == "Set<String>");
  REQUIRE(call.arguments[1].value.elements.size() == 2);
  CHECK(call.arguments[1].value.elements[1].string_value == "b");
  CHECK(call.arguments[2].value.string_value == "rep");
  CHECK(call.arguments[3].value.int_value == 1767225600000);
  CHECK(call.arguments[4].value.int_value == 3600000);
  CHECK(call.arguments[5].value.int_value == -3);
}

TEST_CASE("E0409 allow without subjects", "[checker]") {
  expect_one(*check_rule("allow r: list_accounts;"), "E0409", "r");
}

TEST_CASE("E0410 empty validity window", "[checker]") {
  auto rule = check_rule("allow r: rep may list_accounts from 2027-01-01T00:00:00Z until 2026-01-01T00:00:00Z;");
  expect_one(*rule, "E0410", "2026-01-01T00:00:00Z");
  CHECK(rule->text(rule->only("E0410").notes.at(0).span) == "2027-01-01T00:00:00Z");
  expect_one(*check_text(kBase + "grant g: user \"u\" may list_accounts from 2027-01-01T00:00:00Z "
                                 "until 2027-01-01T00:00:00Z because \"x\";\n"),
             "E0410", "2027-01-01T00:00:00Z");
}

TEST_CASE("E0413 rule allows every call to everyone", "[checker]") {
  expect_one(*check_rule("allow r: anyone may read, write;"), "E0413", "r");
  auto group = check_text(kBase + "group all = read, write;\n/// A.\nallow r: anyone may all;\n");
  expect_one(*group, "E0413", "r");
  auto conditioned = check_rule("allow r: anyone may read, write when user is admin;");
  CHECK(conditioned->sink.diagnostics().empty());
}

TEST_CASE("E0415 tool without action", "[checker]") {
  expect_one(*check_text("policy test;\n/// L.\ntool list_accounts();\n"), "E0415", "list_accounts");
}

TEST_CASE("E0416 invalid resource URI template", "[checker]") {
  expect_one(*check_text("policy test;\nresource docs \"demo://doc/{}\";\n"), "E0416", "{}");
  expect_one(*check_text("policy test;\nresource docs \"demo://doc/{name\";\n"), "E0416", "{");
  expect_one(*check_text("policy test;\nresource docs \"demo://doc/}\";\n"), "E0416", "}");
  // What the runtime's matcher cannot match is refused here, never at build time (issue #20).
  expect_one(*check_text("policy test;\nresource docs \"demo://doc/{=x}\";\n"), "E0416", "{=x}");
  expect_one(*check_text("policy test;\nresource docs \"demo://doc/{x:3}\";\n"), "E0416", "x:3");
  expect_one(*check_text("policy test;\nresource docs \"demo://doc/{x*}\";\n"), "E0416", "x*");
  expect_one(*check_text("policy test;\nresource docs \"demo://{x}/{+x}\";\n"), "E0416", "x");
  auto fine = check_text("policy test;\nresource docs \"file:///{+path}/{?a,b}\";\n");
  INFO(fine->dump());
  REQUIRE(fine->sink.diagnostics().empty());
  const CheckedTarget* docs = fine->policy->find_target("docs");
  CHECK(docs->params.size() == 3);
  CHECK(fine->text(docs->params.find("path")->span) == "path");
  CHECK(fine->text(docs->params.find("b")->span) == "b");
}

TEST_CASE("E0417 rule for an empty user id", "[checker]") {
  expect_one(*check_rule("allow r: user \"\" may list_accounts;"), "E0417", "user \"\"");
}

TEST_CASE("W0002 has on an attribute that is always present", "[checker]") {
  auto checked = check_rule("allow r: rep may list_accounts when user has manages && user.manages contains \"east\";");
  expect_one(*checked, "W0002", "user has manages");
  CHECK(checked->sink.warning_count() == 1);
  CHECK_FALSE(checked->sink.has_errors());
}

TEST_CASE("one mistake gives one diagnostic", "[checker]") {
  // An unknown attribute poisons the comparison, the `&&` and the condition.
  auto checked = check_rule(
      "allow r: rep may get_account when args.account.ownr == 5 && args.account.ownr in user.manages;");
  CHECK(checked->codes() == std::vector<std::string>{"E0204", "E0204"});
  // An unknown target keeps `args` quiet.
  auto target = check_rule("allow r: rep may get_acount when args.account.owner == user.id;");
  CHECK(target->codes() == std::vector<std::string>{"E0201"});
  // An unknown type keeps the attribute's uses quiet.
  auto type = check_text("policy test;\nrole rep;\n/// L.\ntool l(a: Acount) read;\n/// R.\nallow r: rep may l when args.a.owner == 1;\n");
  CHECK(type->codes() == std::vector<std::string>{"E0203"});
}

TEST_CASE("checker: 100k generated rules check in well under two seconds", "[.perf]") {
  SourceManager sources;
  DiagnosticSink sink;
  Program program;
  for (std::string& text : bench::generate_policy(100000)) {
    FileId id = sources.add("generated" + std::to_string(program.files.size()) + ".authz", std::move(text));
    program.files.push_back(parse_file(sources, id, sink));
  }
  if (sink.has_errors()) FAIL(sink.diagnostics()[0].message);
  auto began = std::chrono::steady_clock::now();
  std::clock_t cpu_began = std::clock();
  auto policy = check_program(std::move(program), sink);
  double cpu_seconds = static_cast<double>(std::clock() - cpu_began) / CLOCKS_PER_SEC;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  INFO("check took " << seconds << " s");
  CHECK_FALSE(sink.has_errors());
  CHECK(policy->rules.size() == 100000);
  CHECK(seconds < 1.0);  // ~0.15 s CPU on a quiet machine; generous for a shared, loaded one
  WARN("checking 100k rules took " << seconds << " s (" << cpu_seconds << " s CPU)");
}
