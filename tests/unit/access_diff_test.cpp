// access_diff_test.cpp — the permission documentation's role folding and
// matrix, and the access diff's classification of changes, on real policies
// compiled in-process. [access_diff] [permission_doc]
#include <algorithm>
#include <string>

#include <catch2/catch.hpp>

#include "compiler/access_diff/access_diff.h"
#include "compiler/permission_doc/access_matrix.h"
#include "compiler/permission_doc/permission_doc.h"
#include "compiler/permission_doc/role_residual.h"
#include "runtime/internal/time_text.h"
#include "tests/unit/compiled_policy_for_tests.h"

namespace {

namespace rt = authz::runtime;
namespace pd = authz::permission_doc;
namespace ad = authz::access_diff;

const rt::Model& sales() {
  static rt::Engine engine = authz::testing::compile_policy_path(std::string(AUTHZ_SOURCE_DIR) + "/examples/sales");
  return engine.model();
}

std::size_t rule_index(const rt::Model& model, const std::string& id) {
  for (std::size_t i = 0; i < model.rules.size(); ++i) {
    if (model.rules[i].id == id) return i;
  }
  FAIL("no rule " << id);
  return 0;
}

std::size_t role_index(const rt::Model& model, const std::string& name) {
  for (std::size_t i = 0; i < model.roles.size(); ++i) {
    if (model.roles[i].name == name) return i;
  }
  FAIL("no role " << name);
  return 0;
}

std::string folded_unless(const std::string& rule, const std::string& role) {
  const rt::Model& model = sales();
  pd::RoleKnowledge roles;
  if (!role.empty()) roles.held = model.roles[role_index(model, role)].includes;
  return pd::render_condition(model, pd::simplify_condition(model, model.rules[rule_index(model, rule)].unless, roles));
}

const char* cell_kind(const std::string& subject, const std::string& target) {
  const rt::Model& model = sales();
  pd::AccessMatrix matrix = pd::build_access_matrix(model);
  for (std::size_t s = 0; s < matrix.subjects.size(); ++s) {
    if (matrix.subjects[s].name != subject) continue;
    for (std::size_t t = 0; t < model.targets.size(); ++t) {
      if (model.targets[t].name == target) return pd::to_string(matrix.cells[s][t].kind);
    }
  }
  return "missing";
}

ad::AccessDiff diff_texts(const std::string& old_text, const std::string& new_text, const char* now = "2026-12-01T00:00:00Z") {
  rt::Engine old_engine = authz::testing::compile_policy_text(old_text);
  rt::Engine new_engine = authz::testing::compile_policy_text(new_text);
  return ad::diff_access(old_engine.model(), new_engine.model(), *rt::parse_timestamp(now));
}

// A one-tool policy whose single allow has condition `condition`.
std::string policy_with(const std::string& condition, const std::string& extra = "") {
  return "policy p;\nprincipal User {}\nrole rep;\ntool t(n: Int, region: String, path: String) read;\n"
         "/// doc\nallow a: rep may t when " + condition + ";\n" + extra;
}

}  // namespace

TEST_CASE("role folding decides `user is` for a role row and keeps it for an unknown caller", "[permission_doc]") {
  CHECK(folded_unless("no_cross_user_accounts", "admin") == "true");
  CHECK(folded_unless("no_cross_user_accounts", "rep") ==
        "args.account.owner == user.id || args.account.team in user.manages");
  CHECK(folded_unless("no_cross_user_accounts", "") ==
        "args.account.owner == user.id || args.account.team in user.manages || user is admin || user is support");
  CHECK(folded_unless("delete_admin_only", "manager") == "false");
}

TEST_CASE("the sales matrix classifies cells by role, inheritance and denies", "[permission_doc]") {
  CHECK(std::string(cell_kind("admin", "delete_records")) == "allowed");
  CHECK(std::string(cell_kind("manager", "delete_records")) == "denied");
  CHECK(std::string(cell_kind("rep", "get_account")) == "conditional");
  CHECK(std::string(cell_kind("analyst", "get_account")) == "denied");
  CHECK(std::string(cell_kind("support", "update_account")) == "not permitted");
  CHECK(std::string(cell_kind("u-alice", "update_account")) == "conditional");
  CHECK(std::string(cell_kind("admin", "sales_summary")) == "not permitted");
}

TEST_CASE("the HTML page escapes policy text and has no scripts", "[permission_doc]") {
  std::string html = pd::render_html(sales(), "abc");
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("://") == std::string::npos);  // no URLs (a checkout path may contain "http")
  CHECK(html.find("data-subject=\"role:admin\" data-target=\"delete_records\" data-kind=\"allowed\"") != std::string::npos);
  rt::Engine hostile = authz::testing::compile_policy_text(
      "policy h;\nprincipal User {}\nrole r;\n/// <script>x</script>\ntool \"<b>\"(q: String) read;\n"
      "/// a <i>doc</i> & `code`\nallow a: r may \"<b>\" when args.q == \"</code><script>\";\n");
  std::string page = pd::render_html(hostile.model(), "h");
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("<code><b></code>") == std::string::npos);  // the page's own stats use <b>; the tool name must not
  CHECK(page.find("<code>&lt;b&gt;</code>") != std::string::npos);
  CHECK(page.find("data-target=\"&lt;b&gt;\"") != std::string::npos);
  CHECK(page.find("a &lt;i&gt;doc&lt;/i&gt; &amp; <code>code</code>") != std::string::npos);
  CHECK(page.find("&lt;/code&gt;&lt;script&gt;") != std::string::npos);
  std::string markdown = pd::render_markdown(hostile.model(), "h");
  CHECK(markdown.find("> a &lt;i&gt;doc&lt;/i&gt; &amp; `code`") != std::string::npos);
}

TEST_CASE("diff: a loosened integer bound is widening, with a witness", "[access_diff]") {
  ad::AccessDiff diff = diff_texts(policy_with("args.n > 5"), policy_with("args.n > 3"));
  REQUIRE(diff.changes.size() == 1);
  CHECK(diff.changes[0].kind == ad::ChangeKind::Loosened);
  CHECK(diff.changes[0].widening);
  CHECK(diff.changes[0].witness == "newly allowed for n = 4");
  CHECK(diff.widening());
}

TEST_CASE("diff: an added conjunct is proven to only tighten", "[access_diff]") {
  ad::AccessDiff diff = diff_texts(policy_with("args.region == \"eu\""), policy_with("args.region == \"eu\" && args.n < 10"));
  REQUIRE(diff.changes.size() == 1);
  CHECK(diff.changes[0].kind == ad::ChangeKind::Tightened);
  CHECK_FALSE(diff.changes[0].widening);
  CHECK_FALSE(diff.widening());
}

TEST_CASE("diff: an equivalent rewrite is not widening; glob changes it cannot decide are", "[access_diff]") {
  ad::AccessDiff same = diff_texts(policy_with("args.region == \"eu\" || args.region == \"us\""),
                                   policy_with("args.region in [\"eu\", \"us\"]"));
  CHECK_FALSE(same.widening());
  for (const ad::AccessChange& change : same.changes) CHECK(change.kind == ad::ChangeKind::SameAccessRewritten);

  ad::AccessDiff glob = diff_texts(policy_with("args.path matches \"docs/*\""), policy_with("args.path matches \"docs/**\""));
  REQUIRE(glob.changes.size() == 1);
  CHECK(glob.changes[0].kind == ad::ChangeKind::Undecided);
  CHECK(glob.changes[0].widening);
}

TEST_CASE("diff: new roles, removed denies and windows", "[access_diff]") {
  std::string base = policy_with("args.n > 5");
  ad::AccessDiff role = diff_texts(base, base + "role auditor;\n/// d\nallow b: auditor may t;\n");
  REQUIRE(role.changes.size() == 1);
  CHECK(role.changes[0].subject == "auditor");
  CHECK(role.changes[0].kind == ad::ChangeKind::NewlyAllowed);
  CHECK(role.changes[0].after == "always allowed");

  std::string with_deny = base + "/// d\ndeny d: t when args.region == \"cn\";\n";
  ad::AccessDiff removed = diff_texts(with_deny, base);
  REQUIRE(removed.changes.size() == 1);
  CHECK(removed.changes[0].kind == ad::ChangeKind::Loosened);
  REQUIRE(removed.rule_changes.size() == 1);
  CHECK(removed.rule_changes[0].what == "removed");
  CHECK(removed.rule_changes[0].widening);

  std::string grant = "/// g\ngrant g: user \"u-x\" may t until 2027-01-01T00:00:00Z because \"why\";\n";
  std::string later = "/// g\ngrant g: user \"u-x\" may t until 2027-06-01T00:00:00Z because \"why\";\n";
  std::string sooner = "/// g\ngrant g: user \"u-x\" may t until 2026-12-15T00:00:00Z because \"why\";\n";
  ad::AccessDiff extended = diff_texts(base + grant, base + later);
  CHECK(extended.changes.empty());
  REQUIRE(extended.rule_changes.size() == 1);
  CHECK(extended.rule_changes[0].what == "expiry extended");
  CHECK(extended.widening());
  ad::AccessDiff shortened = diff_texts(base + grant, base + sooner);
  REQUIRE(shortened.rule_changes.size() == 1);
  CHECK(shortened.rule_changes[0].what == "expiry brought forward");
  CHECK_FALSE(shortened.widening());
  // After the new expiry, the user row shows the grant's access gone.
  ad::AccessDiff expired = diff_texts(base + grant, base + sooner, "2026-12-20T00:00:00Z");
  REQUIRE(expired.changes.size() == 1);
  CHECK(expired.changes[0].subject == "u-x");
  CHECK(expired.changes[0].kind == ad::ChangeKind::NewlyDenied);
}

TEST_CASE("diff: principal attributes stay symbolic in conditions and witnesses", "[access_diff]") {
  std::string old_text =
      "policy p;\nprincipal User { teams: Set<String>, }\nrole rep;\ntool t(owner: String, team: String) read;\n"
      "/// doc\nallow a: rep may t when args.owner == user.id;\n";
  std::string new_text =
      "policy p;\nprincipal User { teams: Set<String>, }\nrole rep;\ntool t(owner: String, team: String) read;\n"
      "/// doc\nallow a: rep may t when args.owner == user.id || args.team in user.teams;\n";
  ad::AccessDiff diff = diff_texts(old_text, new_text);
  REQUIRE(diff.changes.size() == 1);
  CHECK(diff.changes[0].before == "allowed when owner == user.id");
  CHECK(diff.changes[0].after == "allowed when owner == user.id || team in user.teams");
  CHECK(diff.changes[0].kind == ad::ChangeKind::Loosened);
  CHECK(diff.changes[0].witness.find("team = one of user.teams") != std::string::npos);
}
