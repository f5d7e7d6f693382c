// runtime_table_test.cpp — the table file: round trip, canonical dump, and
// every way untrusted bytes can be wrong (truncation at every length, byte
// flips, wrong magic / version, checksum-valid but structurally invalid
// bodies), each with its own clear error and never a crash.
#include <catch2/catch.hpp>

#include <cstring>
#include <functional>
#include <random>

#include <fmt/format.h>

#include "runtime/engine.h"
#include "runtime/internal/model_validation.h"
#include "runtime/internal/sha256.h"
#include "runtime/internal/table_dump.h"
#include "runtime/internal/table_reader.h"
#include "runtime/internal/table_writer.h"
#include "runtime_test_models.h"

using namespace authz::runtime;
using namespace authz::runtime::testing;

namespace {

constexpr std::size_t kHeader = 56;

// Recomputes length and checksum after a test edited the body, so the reader
// gets past the checksum and must catch the problem structurally.
std::string reseal(std::string bytes) {
  std::string body = bytes.substr(kHeader);
  std::uint64_t length = body.size();
  for (int i = 0; i < 8; ++i) bytes[16 + i] = static_cast<char>((length >> (8 * i)) & 0xFF);
  Sha256Digest digest = sha256(body).value();
  std::memcpy(bytes.data() + 24, digest.data(), digest.size());
  return bytes;
}

std::string read_error(const std::string& bytes) {
  auto result = read_table(bytes);
  return result.ok() ? std::string("ok") : result.error();
}

// A Model that serialises fine but breaks one structural rule.
std::string invalid_table(const std::function<void(Model&)>& break_it) {
  Model model = sales_model().model;
  break_it(model);
  return serialize(model);
}

}  // namespace

TEST_CASE("a table round-trips: serialize, read, dump are equal", "[runtime]") {
  SalesModel sales = sales_model();
  std::string bytes = serialize(sales.model);
  CHECK(bytes.substr(0, 8) == "AUTHZTBL");
  auto read = read_table(bytes);
  REQUIRE(read.ok());
  CHECK(read.value().model == sales.model);
  CHECK(dump(read.value().model) == dump(sales.model));
  CHECK(read.value().policy_hash == policy_hash(sales.model));
  CHECK(serialize(read.value().model) == bytes);  // canonical
  auto engine = Engine::load(bytes);
  REQUIRE(engine.ok());
  CHECK(engine.value().policy_hash() == read.value().policy_hash);
}

TEST_CASE("role sets are padded to the canonical width", "[runtime]") {
  ModelBuilder b;
  for (int i = 0; i < 70; ++i) b.role("r" + std::to_string(i));
  TargetIndex tool = b.tool("t", Action::Read);
  b.rule({.id = "low", .roles = {3}, .targets = {tool}});  // one word given, two canonical
  b.rule({.id = "high", .roles = {69}, .targets = {tool}});
  auto read = read_table(serialize(b.model));
  REQUIRE(read.ok());
  CHECK(read.value().model.rules[0].subjects.roles.words.size() == 2);
  CHECK(dump(read.value().model) == dump(b.model));
  Request request;
  request.principal = {"u", {"r69"}, ""};
  request.target = "t";
  Decision decision = Engine::load(serialize(b.model)).value().evaluate(request);
  CHECK(decision.determining_rules == std::vector<std::string_view>{"high"});
}

TEST_CASE("the dump is the canonical, readable text of a table", "[runtime]") {
  const char* expected = R"(policy sales

principal User
  id: String
  roles: Set<Role>
  manages: Set<String>
entity Account
  owner: String
  team: String

role rep
role analyst
role manager includes rep
role admin includes rep, manager

tool get_account(account: Account) read
tool update_account(account: Account, fields: Map<String, String>) write
tool delete_records(account: Account, ids: List<String>) write
tool sales_summary(region: String) read

obligation aggregate_only(min_group: Int)

allow rep_reads_own  # test.authz:1:1
  /// rule rep_reads_own
  subjects: rep
  targets: get_account
  when: args.account.owner == user.id

allow manager_team  # test.authz:2:1
  /// rule manager_team
  subjects: manager
  targets: get_account, update_account
  when: args.account.team in user.manages

allow analyst_totals  # test.authz:3:1
  /// rule analyst_totals
  subjects: analyst
  targets: sales_summary
  with: aggregate_only(min_group: 5)

deny delete_admin_only  # test.authz:4:1
  /// rule delete_admin_only
  subjects: anyone
  targets: delete_records
  unless: user is admin

grant inc_4521  # test.authz:100:1
  user: "u-alice"
  targets: update_account
  until: 2026-12-01T00:00:00Z
  because: "INC-4521 data repair"
)";
  CHECK(dump(sales_model().model) == expected);
}

TEST_CASE("dumped expressions get the parentheses precedence needs", "[runtime]") {
  ModelBuilder b;
  RoleIndex admin = b.role("admin");
  NodeIndex a = b.arg("a", b.int_type);
  NodeIndex c = b.arg("c", b.int_type);
  NodeIndex sum = b.binary(Opcode::Sub, a, b.binary(Opcode::Sub, c, b.integer(1), b.int_type), b.int_type);
  NodeIndex compare = b.binary(Opcode::Lt, sum, b.integer(5));
  NodeIndex either = b.any({compare, b.all({b.is(admin), b.unary(Opcode::Not, b.has_arg("x"), b.bool_type)})});
  NodeIndex negated = b.unary(Opcode::Not, either, b.bool_type);
  CHECK(dump_expression(b.model, negated) == "!(args.a - (args.c - 1) < 5 || user is admin && !args has x)");
  NodeIndex timed = b.binary(Opcode::Lt, b.now(), b.binary(Opcode::Add, b.timestamp(1796083200000), b.duration(5400000),
                                                            b.timestamp_type));
  CHECK(dump_expression(b.model, timed) == "now < 2026-12-01T00:00:00Z + 1h30m");
  NodeIndex listed = b.binary(Opcode::ContainsAny, b.user_attribute("roles"),
                              b.literal(Constant::of_list({add_constant(b.model, Constant::of_role(admin))}),
                                        b.collection(TypeKind::List, b.role_type)));
  CHECK(dump_expression(b.model, listed) == "user.roles containsAny [admin]");
  CHECK(dump_expression(b.model, 9999) == "?");
}

TEST_CASE("every truncation of a table is refused with a clear message", "[runtime]") {
  std::string bytes = serialize(sales_model().model);
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    std::string error = read_error(bytes.substr(0, length));
    INFO("length " << length << ": " << error);
    if (length < kHeader) {
      CHECK(error.rfind("truncated table: the header needs 56 bytes", 0) == 0);
    } else {
      CHECK(error.rfind("truncated table: the body should have", 0) == 0);
    }
  }
  CHECK(read_error(bytes) == "ok");
  CHECK(read_error(bytes + "x") == "corrupt table: 1 unexpected bytes after the body");
}

TEST_CASE("wrong magic, version and header fields each have their own message", "[runtime]") {
  std::string bytes = serialize(sales_model().model);
  CHECK(read_error("PK\x03\x04 something else entirely, long enough to hold a header....") ==
        "not an authz decision table (wrong magic)");
  CHECK(read_error("AUTHZTBX") == "not an authz decision table (wrong magic)");
  CHECK(read_error("AUTH") == "truncated table: the header needs 56 bytes, the file has 4");
  std::string version = bytes;
  version[8] = 3;
  CHECK(read_error(version) ==
        "unsupported table format version 3 (this runtime reads versions 1 and 2); rebuild the table with a matching "
        "authzc");
  std::string header_size = bytes;
  header_size[12] = 64;
  CHECK(read_error(header_size) == "corrupt table: header size field is 64, expected 56");
  std::string huge_length = bytes;
  huge_length[23] = static_cast<char>(0x7F);
  CHECK(read_error(huge_length).rfind("truncated table: the body should have", 0) == 0);
}

TEST_CASE("any flipped byte is caught", "[runtime]") {
  std::string bytes = serialize(sales_model().model);
  std::mt19937 random(12345);
  for (int trial = 0; trial < 400; ++trial) {
    std::string corrupted = bytes;
    std::size_t at = random() % corrupted.size();
    corrupted[at] = static_cast<char>(corrupted[at] ^ (1 + random() % 255));
    std::string error = read_error(corrupted);
    INFO("flipped byte " << at << ": " << error);
    CHECK(error != "ok");
    if (at >= kHeader) CHECK(error == "table checksum mismatch: the file is corrupt or was modified");
  }
  // Every single byte of the body, once.
  for (std::size_t at = kHeader; at < bytes.size(); ++at) {
    std::string corrupted = bytes;
    corrupted[at] = static_cast<char>(corrupted[at] ^ 0x01);
    CHECK(read_error(corrupted) == "table checksum mismatch: the file is corrupt or was modified");
  }
}

TEST_CASE("large tables are checksummed while they decode; a mismatch still wins", "[runtime]") {
  Model model = sales_model().model;
  model.rules[0].doc = std::string(3u << 20, 'x');  // past the 1 MiB threshold of the second thread
  const std::string bytes = serialize(model);
  REQUIRE(bytes.size() > (3u << 20));
  auto loaded = read_table(bytes);
  REQUIRE(loaded.ok());
  CHECK(loaded.value().model == model);
  for (std::size_t at : {kHeader, kHeader + 3, bytes.size() / 2, bytes.size() - 1}) {
    std::string corrupted = bytes;
    corrupted[at] = static_cast<char>(corrupted[at] ^ 0x7F);
    INFO("flipped byte " << at);
    // kHeader + 3 also breaks decoding (the string count): the checksum is still what is reported.
    CHECK(read_error(corrupted) == "table checksum mismatch: the file is corrupt or was modified");
  }
  std::string many_strings = bytes;
  many_strings[kHeader + 3] = static_cast<char>(0x7F);
  CHECK(read_error(reseal(many_strings)).rfind("corrupt table body: string count", 0) == 0);
  CHECK(Engine::load(bytes).ok());
}

TEST_CASE("checksum-valid bodies that cannot be decoded are refused", "[runtime]") {
  std::string bytes = serialize(sales_model().model);
  // The string count claims more strings than the body can hold.
  std::string many_strings = bytes;
  many_strings[kHeader + 3] = static_cast<char>(0x7F);
  CHECK(read_error(reseal(many_strings)).rfind("corrupt table body: string count", 0) == 0);
  // The first string's length runs past the end.
  std::string long_string = bytes;
  long_string[kHeader + 4 + 3] = static_cast<char>(0x7F);
  CHECK(read_error(reseal(long_string)) == "corrupt table body: string runs past the end of the body at byte 8");
  // Trailing garbage inside the sealed body.
  CHECK(read_error(reseal(bytes + "zz")).rfind("corrupt table body: unexpected bytes after the last grant", 0) == 0);
  // Every truncation of the body, resealed: decoding must stop cleanly.
  for (std::size_t length = kHeader; length < bytes.size(); ++length) {
    std::string error = read_error(reseal(bytes.substr(0, length)));
    INFO("body length " << length - kHeader << ": " << error);
    CHECK((error.rfind("corrupt table body: ", 0) == 0 || error.rfind("invalid table: ", 0) == 0));
  }
  // Random flips, resealed: never a crash, always a decision.
  std::mt19937 random(777);
  int accepted = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string corrupted = bytes;
    for (int flips = 0; flips < 1 + trial % 3; ++flips) {
      std::size_t at = kHeader + random() % (corrupted.size() - kHeader);
      corrupted[at] = static_cast<char>(random() % 256);
    }
    auto result = read_table(reseal(corrupted));
    if (result.ok()) {
      ++accepted;  // e.g. a changed character in a doc comment: still a valid table
      auto engine = Engine::load(reseal(corrupted));
      REQUIRE(engine.ok());
      Request request;
      request.principal = {"u-bob", {"rep"}, ""};
      request.target = "get_account";
      request.arguments_json = R"({"account": "acc-1"})";
      (void)engine.value().evaluate(request, {.trace = true});
    }
  }
  CHECK(accepted < 3000);
}

TEST_CASE("structurally invalid tables are refused, naming the problem", "[runtime]") {
  auto error_of = [](const std::function<void(Model&)>& break_it) { return read_error(invalid_table(break_it)); };
  CHECK(error_of([](Model& m) { m.nodes[4].operands[0] = 5; }) ==
        "invalid table: node 4: operand 5 is not defined before the node (operands come first, so expressions "
        "cannot be cyclic)");
  CHECK(error_of([](Model& m) { m.nodes[4].operands[0] = 4; }) ==
        "invalid table: node 4: operand 4 is not defined before the node (operands come first, so expressions "
        "cannot be cyclic)");
  CHECK(error_of([](Model& m) { m.nodes[0].type = 999; }) == "invalid table: node 0: type 999 does not exist");
  CHECK(error_of([](Model& m) { m.nodes.back().field = 40; }) == "invalid table: node 10: role 40 does not exist");
  CHECK(error_of([](Model& m) { m.nodes[4].operands.push_back(0); }) ==
        "invalid table: node 4: `==` takes 2 operands, not 3");
  CHECK(error_of([](Model& m) { m.nodes[2].operands.push_back(0); }) ==
        "invalid table: node 2: `user` takes 0 operands, not 1");
  CHECK(error_of([](Model& m) { m.types[0].element = 3; }) ==
        "invalid table: type 0: `String` has neither element type nor schema");
  CHECK(error_of([](Model& m) { m.types[7].element = 9; }) ==
        "invalid table: type 7: element type 9 is not defined before it");
  CHECK(error_of([](Model& m) { m.types[11].schema = 4; }) == "invalid table: type 11: entity schema 4 does not exist");
  CHECK(error_of([](Model& m) { m.targets[1].rules = {1, 7}; }) == "invalid table: tool `update_account`: rule 7 does not exist");
  CHECK(error_of([](Model& m) { m.targets[1].rules = {1, 1}; }) ==
        "invalid table: tool `update_account`: rule list is not strictly ascending");
  CHECK(error_of([](Model& m) { m.roles[3].includes.words[0] = 0b0111; }) ==
        "invalid table: role `admin` does not include itself");
  CHECK(error_of([](Model& m) { m.roles[3].includes.words[0] = 0b1100; }) ==
        "invalid table: role `admin` includes `manager` but not everything `manager` includes (inheritance must be "
        "expanded)");
  CHECK(error_of([](Model& m) { m.rules[0].subjects.roles.words[0] = 1u << 9; }) ==
        "invalid table: rule `rep_reads_own`: role set names a role beyond the 4 declared");
  CHECK(error_of([](Model& m) { m.rules[1].id = "rep_reads_own"; }) == "invalid table: rule id `rep_reads_own` is used twice");
  CHECK(error_of([](Model& m) { m.rules[0].when = 1; }) == "invalid table: rule `rep_reads_own`: a condition must be `Bool`, not `String`");
  CHECK(error_of([](Model& m) { m.rules[2].obligations[0].arguments.clear(); }) ==
        "invalid table: rule `analyst_totals`: `aggregate_only` takes 1 arguments, not 0");
  CHECK(error_of([](Model& m) { m.rules[0].window = {5, 5}; }) ==
        "invalid table: rule `rep_reads_own`: `from` must be before `until`");
  CHECK(error_of([](Model& m) { m.rules[3].subjects.anyone = false; }) ==
        "invalid table: rule `delete_admin_only` has no subjects (a rule for everyone sets `anyone`)");
  CHECK(error_of([](Model& m) { m.grants[0].reason.clear(); }) == "invalid table: grant `inc_4521` gives no reason");
  CHECK(error_of([](Model& m) { m.constants[0].kind = ConstantKind::Role; m.constants[0].int_value = 12; }) ==
        "invalid table: constant 0: role 12 does not exist");
  CHECK(error_of([](Model& m) { m.principal.attributes[0].type = 1; }).rfind(
            "invalid table: principal attribute `id` must have type `String`", 0) == 0);
  CHECK(error_of([](Model& m) { m.targets.push_back(m.targets[0]); m.targets.back().rules.clear(); }) ==
        "invalid table: tool `get_account` is declared twice");
  CHECK(error_of([](Model& m) {
          Target resource;
          resource.kind = TargetKind::Resource;
          resource.name = "docs";
          resource.uri = "demo://{name";
          m.targets.push_back(resource);
        }) == "invalid table: resource `docs`: invalid URI template `demo://{name`: unmatched `{` in resource URI template at byte 7");
  CHECK(error_of([](Model& m) { m.policy_name.clear(); }) == "invalid table: the policy has no name");
}

TEST_CASE("deep expressions are capped so evaluation cannot exhaust the stack", "[runtime]") {
  ModelBuilder b;
  TargetIndex tool = b.tool("t", Action::Read);
  NodeIndex node = b.boolean(true);
  for (int i = 0; i < 300; ++i) node = b.unary(Opcode::Not, node, b.bool_type);
  b.rule({.id = "deep", .anyone = true, .targets = {tool}, .when = node});
  std::string error = read_error(serialize(b.model));
  CHECK(error == "invalid table: node 256: expression nests deeper than 256");
}

TEST_CASE("shared nodes are allowed, but not an expression that is huge when written out", "[runtime]") {
  // x0 = true; x(k+1) = x(k) && x(k): 41 nodes, 2^41 - 1 written out. A table
  // like this would evaluate for hours; the loader refuses it.
  auto doubling = [](int levels) {
    ModelBuilder b;
    TargetIndex tool = b.tool("t", Action::Read);
    NodeIndex node = b.boolean(true);
    for (int i = 0; i < levels; ++i) node = b.all({node, node});
    b.rule({.id = "wide", .anyone = true, .targets = {tool}, .when = node});
    return serialize(b.model);
  };
  // 2^19 - 1 nodes written out: shared, and within the bound.
  auto shared = Engine::load(doubling(18));
  REQUIRE(shared.ok());
  Request request;
  request.principal = {"u-1", {}, "{}"};
  request.target = "t";
  request.now_ms = 0;
  CHECK(shared.value().evaluate(request).effect == Effect::Allow);
  CHECK(read_error(doubling(40)) ==
        fmt::format("invalid table: node {}: expression has more than {} nodes when written out", 20,
                    kMaxExpressionNodes));
}
