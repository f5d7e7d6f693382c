// audit_log_test.cpp — the audit log: records built from real decisions
// (sensitive arguments redacted), the canonical line, the writer continuing a
// chain across reopenings and after a crash mid-line, and the verifier
// naming the first edited, dropped, inserted, reordered or cut record.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <random>
#include <fstream>
#include <sstream>

#include "compiler/driver.h"
#include "compiler/lower.h"
#include "runtime/audit_log.h"
#include "runtime/engine.h"
#include "runtime/internal/utf8.h"
#include "runtime/internal/value_text.h"

using namespace authz::runtime;
using authz::runtime::internal::utf8_sequence_length;
namespace fs = std::filesystem;

namespace {

constexpr const char* kPolicy = R"(policy audit_test;
principal User {}
role admin;
tool set_password(user_id: String, password: String sensitive) write;
tool "get-sum"(a: Number, b: Number) read;
/// Admins reset passwords.
allow admins_set: admin may set_password;
/// Anyone adds small numbers.
allow sums: anyone may "get-sum" when args.a < 100;
)";

fs::path scratch_dir() {
  static int counter = 0;
  fs::path dir = fs::temp_directory_path() /
                 ("authz_audit_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

const Engine& test_engine() {
  static Engine engine = [] {
    fs::path dir = scratch_dir();
    std::ofstream(dir / "policy.authz") << kPolicy;
    authz::SourceManager sources;
    authz::CheckOutcome outcome = authz::check_paths({(dir / "policy.authz").string()}, {}, sources);
    REQUIRE(outcome.ok());
    authz::LowerResult lowered = authz::lower(*outcome.policy, sources);
    REQUIRE(lowered.ok());
    auto loaded = Engine::from_model(std::move(lowered.model));
    REQUIRE(loaded.ok());
    return std::move(loaded.value());
  }();
  return engine;
}

AuditRecord record_for(const std::string& user, std::vector<std::string> roles, const std::string& tool,
                       const std::string& args) {
  Request request;
  request.principal = {user, std::move(roles), ""};
  request.target = tool;
  request.arguments_json = args;
  request.now_ms = 1795700000123;  // 2026-11-26T13:33:20.123Z
  Decision decision = test_engine().evaluate(request);
  return make_audit_record(request, decision, test_engine(), 1234);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void write_file(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

// A log of `count` records written by the real writer; returns its text.
std::string write_log(const fs::path& path, int count) {
  auto log = AuditLog::open(path.string());
  REQUIRE(log.ok());
  for (int i = 0; i < count; ++i) {
    AuditRecord record = record_for("u-" + std::to_string(i), {"admin"}, i % 2 ? "get-sum" : "set_password",
                                    i % 2 ? R"({"a": 1, "b": 2.5})" : R"({"user_id": "u-x", "password": "hunter2"})");
    auto appended = log.value().append(record);
    REQUIRE(appended.ok());
  }
  return read_file(path);
}

}  // namespace

TEST_CASE("records carry the decision and redact sensitive arguments", "[audit]") {
  AuditRecord record = record_for("u-alice", {"admin"}, "set_password", R"({"user_id": "u-bob", "password": "hunter2"})");
  CHECK(record.user == "u-alice");
  CHECK(record.method == "tools/call");
  CHECK(record.target == "set_password");
  CHECK(record.arguments_json == R"({"user_id":"u-bob","password":"[redacted]"})");
  CHECK(record.effect == "allow");
  CHECK(record.reason == "allowed");
  CHECK(record.rules == std::vector<std::string>{"admins_set"});
  CHECK(record.obligations_json == "[]");
  CHECK(record.policy_hash == test_engine().policy_hash());
  CHECK(record.policy_hash.size() == 64);
  CHECK(record.decision_id.size() == 32);
  CHECK(record.time == "2026-11-26T13:33:20.123Z");
  CHECK(record.evaluation_ns == 1234);
  CHECK(serialize_audit_record(record, false).find("hunter2") == std::string::npos);

  AuditRecord denied = record_for("u-bob", {}, "get-sum", R"({"a": 500, "b": 1})");
  CHECK(denied.effect == "deny");
  CHECK(denied.reason == "not_permitted");
  CHECK(denied.arguments_json == R"({"a":500,"b":1})");
}

TEST_CASE("unknown targets and unparsable arguments are redacted entirely", "[audit]") {
  AuditRecord unknown = record_for("u-bob", {}, "drop_tables", R"({"secret": "s3cr3t", "n": 1})");
  CHECK(unknown.reason == "unknown_target");
  CHECK(unknown.arguments_json == R"({"secret":"[redacted]","n":"[redacted]"})");
  CHECK(redact_arguments(nullptr, "not json") == R"({"[unparsed]":"[redacted]"})");
  CHECK(redact_arguments(nullptr, "") == "{}");
  CHECK(redact_arguments(nullptr, "[1,2]") == R"({"[unparsed]":"[redacted]"})");
}

TEST_CASE("the canonical line round-trips and rejects any other spelling", "[audit]") {
  AuditRecord record = record_for("u-\"quoted\"\n\x01", {"admin"}, "get-sum", R"({"a": 1, "b": 2})");
  record.seq = 7;
  record.previous = std::string(kAuditGenesisHash);
  record.hash = compute_audit_hash(record);
  std::string line = serialize_audit_record(record);
  CHECK(line.rfind(R"({"v":1,"seq":7,"time":"2026-11-26T13:33:20.123Z","decision_id":")", 0) == 0);
  CHECK(line.find(R"("user":"u-\"quoted\"\n\u0001")") != std::string::npos);
  auto parsed = parse_audit_record(line);
  REQUIRE(parsed.ok());
  CHECK(serialize_audit_record(parsed.value()) == line);
  CHECK(compute_audit_hash(parsed.value()) == record.hash);

  // Same content, another spelling: a space, a reordered field, a duplicate key.
  std::string spaced = line;
  spaced.insert(spaced.find("\"seq\""), " ");
  CHECK_FALSE(parse_audit_record(spaced).ok());
  std::string duplicated = line;
  duplicated.insert(1, R"("v":1,)");
  CHECK_FALSE(parse_audit_record(duplicated).ok());
  CHECK(parse_audit_record("").error() == "empty line");
  CHECK_FALSE(parse_audit_record("{}").ok());
  CHECK_FALSE(parse_audit_record("[1]").ok());
}

TEST_CASE("invalid UTF-8 in a user id is stored as U+FFFD and still verifies", "[audit]") {
  fs::path dir = scratch_dir();
  auto log = AuditLog::open((dir / "a.jsonl").string());
  REQUIRE(log.ok());
  AuditRecord record = record_for("u-\xff\xfe", {}, "get-sum", R"({"a": 1, "b": 2})");
  REQUIRE(log.value().append(record).ok());
  CHECK(read_file(dir / "a.jsonl").find("u-\xEF\xBF\xBD\xEF\xBF\xBD") != std::string::npos);
  CHECK(verify_audit_log((dir / "a.jsonl").string()).ok());
}

TEST_CASE("record strings are escaped and made valid UTF-8 in one pass, as quoting the repaired text would", "[audit]") {
  // The reference: each byte of an invalid sequence becomes U+FFFD, then
  // the text is quoted the way every other JSON writer here quotes.
  auto repaired = [](const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
      if (const std::size_t length = utf8_sequence_length(text, i); length != 0) {
        out.append(text, i, length);
        i += length;
      } else {
        out += "\xEF\xBF\xBD";
        ++i;
      }
    }
    return out;
  };
  static const char* pieces[] = {"a", "bcdefghij", "\"", "\\", "\n", "\x01", "\x1f", "\x7f", "\xC3\xA9", "\xE2\x82\xAC",
                                 "\xF0\x9F\x94\x91", "\xff", "\xC3", "\xE2\x82", "\xED\xA0\x80", "\xC0\xAF", " "};
  std::mt19937 random(5);
  for (int i = 0; i < 3000; ++i) {
    std::string user;
    const int count = std::uniform_int_distribution<int>(0, 12)(random);
    for (int k = 0; k < count; ++k) user += pieces[std::uniform_int_distribution<int>(0, 16)(random)];
    AuditRecord raw, fixed;
    raw.user = user;
    fixed.user = repaired(user);
    INFO(user);
    const std::string line = serialize_audit_record(raw, false);
    CHECK(line == serialize_audit_record(fixed, false));
    std::string quoted;
    append_quoted(quoted, fixed.user);
    CHECK(line.find(",\"user\":" + quoted + ",") != std::string::npos);
  }
}

TEST_CASE("the writer chains records and continues the chain after reopening", "[audit]") {
  fs::path dir = scratch_dir();
  fs::path path = dir / "audit.jsonl";
  std::string first_head;
  {
    auto log = AuditLog::open(path.string());
    REQUIRE(log.ok());
    CHECK(log.value().head_hash() == kAuditGenesisHash);
    AuditRecord record = record_for("u-a", {"admin"}, "set_password", R"({"user_id":"x","password":"p"})");
    auto head = log.value().append(record);
    REQUIRE(head.ok());
    CHECK(record.seq == 1);
    CHECK(record.previous == kAuditGenesisHash);
    CHECK(head.value() == record.hash);
    first_head = head.value();
    CHECK(log.value().records() == 1);
  }
  {
    auto log = AuditLog::open(path.string());
    REQUIRE(log.ok());
    CHECK(log.value().records() == 1);
    CHECK(log.value().head_hash() == first_head);
    CHECK(log.value().recovery_note().empty());
    AuditRecord record = record_for("u-b", {}, "get-sum", R"({"a":1,"b":2})");
    REQUIRE(log.value().append(record).ok());
    CHECK(record.seq == 2);
    CHECK(record.previous == first_head);
  }
  std::vector<std::string> lines = lines_of(read_file(path));
  REQUIRE(lines.size() == 2);
  AuditVerification verification = verify_audit_log(path.string());
  CHECK(verification.ok());
  CHECK(verification.records == 2);
  CHECK(verification.head_hash == parse_audit_record(lines[1]).value().hash);
}

TEST_CASE("a reused AuditRecord is replaced field by field, and the chain verifies", "[audit]") {
  fs::path dir = scratch_dir();
  fs::path path = dir / "audit.jsonl";
  struct Call {
    std::string user;
    std::vector<std::string> roles;
    std::string tool;
    std::string args;
  };
  const std::vector<Call> calls = {
      {"u-a", {"admin"}, "set_password", R"({"user_id":"u-b","password":"hunter2"})"},  // stored as is, one redacted
      {"u-b", {}, "get-sum", R"({"a":1,"b":2})"},
      {"u-a", {"admin"}, "drop_tables", R"({ "k" : [1, 2.5] })"},  // through the parser
      {"u-c", {"admin"}, "no_such_tool", R"({"x":"y"})"},          // unknown target: all redacted
      {"u-b", {}, "get-sum", ""},
      {"u-a", {"admin"}, "set_password", R"({"user_id": "u-\u0062", "password": "x"})"},
  };
  AuditRecord reused;
  {
    auto log = AuditLog::open(path.string());
    REQUIRE(log.ok());
    for (int round = 0; round < 2; ++round) {
      for (const Call& call : calls) {
        Request request;
        request.principal = {call.user, call.roles, ""};
        request.target = call.tool;
        request.arguments_json = call.args;
        request.now_ms = 1795700000123 + round;
        Decision decision = test_engine().evaluate(request);
        make_audit_record(reused, request, decision, test_engine(), 99);
        AuditRecord fresh = make_audit_record(request, decision, test_engine(), 99);
        INFO(call.tool << " " << call.args);
        CHECK(serialize_audit_record(reused) == serialize_audit_record(fresh));
        CHECK(reused.canonical_fragments == fresh.canonical_fragments);
        REQUIRE(log.value().append(reused).ok());
      }
    }
  }
  AuditVerification verification = verify_audit_log(path.string());
  INFO(verification.problem);
  CHECK(verification.ok());
  CHECK(verification.records == 2 * calls.size());
  std::string text = read_file(path);
  CHECK(text.find("hunter2") == std::string::npos);
  CHECK(text.find(R"("arguments":{"user_id":"u-b","password":"[redacted]"})") != std::string::npos);
}

TEST_CASE("records from make_audit_record skip the re-parse and still verify, whatever the arguments' spelling", "[audit]") {
  fs::path dir = scratch_dir();
  fs::path path = dir / "audit.jsonl";
  const std::vector<std::pair<std::string, std::string>> calls = {
      {"set_password", R"({"user_id": "u-\u0062ob\n\t\u0001\"\\/é😀", "password": "x"})"},
      {"set_password", R"({"us\u0065r_id" : "u", "password" : {"nested": [1, 2.50, 1e2, -0, true, null]}})"},
      {"get-sum", R"({ "a" : 1.0 , "b" : 2E-3 })"},
      {"get-sum", R"({"a": 1, "b": 2, "\u0000key\u001f": "\ud83d\ude00"})"},
      {"drop_tables", R"({"k\"ey": [ {"x" : "\u00e9"} ] })"},
  };
  {
    auto log = AuditLog::open(path.string());
    REQUIRE(log.ok());
    for (const auto& [tool, args] : calls) {
      AuditRecord record = record_for("u-a", {"admin"}, tool, args);
      CHECK(record.canonical_fragments != 0);
      REQUIRE(log.value().append(record).ok());
    }
    // A record whose fragment was edited after make_audit_record is checked
    // again and refused (the digest no longer matches).
    AuditRecord edited = record_for("u-a", {"admin"}, "get-sum", R"({"a":1,"b":2})");
    edited.arguments_json = R"({"a": 1})";
    CHECK_FALSE(log.value().append(edited).ok());
  }
  AuditVerification verification = verify_audit_log(path.string());
  CHECK(verification.ok());
  CHECK(verification.records == calls.size());
  CHECK(read_file(path).find("hunter2") == std::string::npos);
}

TEST_CASE("a second writer on the same file is refused", "[audit]") {
  fs::path dir = scratch_dir();
  auto first = AuditLog::open((dir / "a.jsonl").string());
  REQUIRE(first.ok());
  auto second = AuditLog::open((dir / "a.jsonl").string());
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().find("in use by another writer") != std::string::npos);
}

TEST_CASE("write failures are reported, never swallowed", "[audit]") {
  fs::path dir = scratch_dir();
  auto missing = AuditLog::open((dir / "no" / "such" / "dir.jsonl").string());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().find("cannot open audit log") == 0);
  auto directory = AuditLog::open(dir.string());
  CHECK_FALSE(directory.ok());

  if (fs::exists("/dev/full")) {
    // /dev/full is not a regular file: refused at open, before any decision.
    auto full = AuditLog::open("/dev/full");
    CHECK_FALSE(full.ok());
  }
  // A record whose arguments are not a JSON object is refused before writing.
  auto log = AuditLog::open((dir / "a.jsonl").string());
  REQUIRE(log.ok());
  AuditRecord bad = record_for("u-a", {}, "get-sum", R"({"a":1,"b":2})");
  bad.arguments_json = "{broken";
  auto appended = log.value().append(bad);
  REQUIRE_FALSE(appended.ok());
  CHECK(appended.error().find("would not verify") != std::string::npos);
  CHECK(read_file(dir / "a.jsonl").empty());
  CHECK(log.value().records() == 0);
}

TEST_CASE("reopening refuses to extend a chain whose last record was edited", "[audit]") {
  fs::path dir = scratch_dir();
  fs::path path = dir / "audit.jsonl";
  std::vector<std::string> lines = lines_of(write_log(path, 3));
  std::string& last = lines.back();
  last.replace(last.find("\"effect\":\"allow\""), 16, "\"effect\":\"deny\" ");
  write_file(path, join_lines(lines));
  auto log = AuditLog::open(path.string());
  REQUIRE_FALSE(log.ok());
  CHECK(log.error().find("refusing to extend a broken chain") != std::string::npos);
}

TEST_CASE("after a crash mid-line the writer cuts the partial line and continues", "[audit]") {
  fs::path dir = scratch_dir();
  fs::path path = dir / "audit.jsonl";
  std::string text = write_log(path, 3);
  std::vector<std::string> lines = lines_of(text);
  // The crash: half of a fourth line, no newline.
  write_file(path, text + lines[1].substr(0, 40));
  AuditVerification broken = verify_audit_log(path.string());
  CHECK(broken.status == AuditVerifyStatus::Tampered);
  CHECK(broken.line == 4);
  CHECK(broken.problem.find("incomplete") != std::string::npos);

  AuditLogOptions strict;
  strict.cut_incomplete_tail = false;
  CHECK_FALSE(AuditLog::open(path.string(), strict).ok());

  auto log = AuditLog::open(path.string());
  REQUIRE(log.ok());
  CHECK(log.value().recovery_note().find("cut 40 bytes") != std::string::npos);
  CHECK(log.value().records() == 3);
  AuditRecord record = record_for("u-z", {}, "get-sum", R"({"a":1,"b":2})");
  REQUIRE(log.value().append(record).ok());
  CHECK(record.seq == 4);
  AuditVerification verification = verify_audit_log(path.string());
  CHECK(verification.ok());
  CHECK(verification.records == 4);
  CHECK(lines_of(read_file(path)).size() == 4);
}

TEST_CASE("a crash before the first newline leaves an empty chain", "[audit]") {
  fs::path dir = scratch_dir();
  fs::path path = dir / "audit.jsonl";
  write_file(path, "{\"v\":1,\"seq\":1,\"ti");
  auto log = AuditLog::open(path.string());
  REQUIRE(log.ok());
  CHECK(log.value().records() == 0);
  CHECK(log.value().head_hash() == kAuditGenesisHash);
}

TEST_CASE("the verifier accepts an empty log and reports unreadable files", "[audit]") {
  CHECK(verify_audit_log_text("").ok());
  CHECK(verify_audit_log_text("").head_hash == kAuditGenesisHash);
  AuditVerification missing = verify_audit_log("/nonexistent/authz/audit.jsonl");
  CHECK(missing.status == AuditVerifyStatus::Unreadable);
  CHECK(missing.problem.find("cannot open") == 0);
}

TEST_CASE("the verifier finds every kind of tampering at the right line", "[audit]") {
  fs::path dir = scratch_dir();
  std::string text = write_log(dir / "audit.jsonl", 5);
  const std::vector<std::string> lines = lines_of(text);
  REQUIRE(lines.size() == 5);
  REQUIRE(verify_audit_log_text(text).ok());
  REQUIRE(verify_audit_log_text(text).records == 5);

  auto verify_lines = [](const std::vector<std::string>& edited) { return verify_audit_log_text(join_lines(edited)); };

  SECTION("editing any field of a record") {
    // Each pair: a value in line 3 and what to put there instead.
    const std::vector<std::pair<std::string, std::string>> edits = {
        {"\"seq\":3", "\"seq\":9"},
        {"\"time\":\"2026", "\"time\":\"2025"},
        {"\"user\":\"u-2\"", "\"user\":\"u-9\""},
        {"\"method\":\"tools/call\"", "\"method\":\"tools/list\""},
        {"\"target\":\"set_password\"", "\"target\":\"get-sum\"     "},
        {"\"user_id\":\"u-x\"", "\"user_id\":\"u-y\""},
        {"\"effect\":\"allow\"", "\"effect\":\"deny\""},
        {"\"reason\":\"allowed\"", "\"reason\":\"forbidden\""},
        {"\"message\":\"\"", "\"message\":\"x\""},
        {"\"rules\":[\"admins_set\"]", "\"rules\":[]"},
        {"\"obligations\":[]", "\"obligations\":[{}]"},
        {"\"evaluation_ns\":1234", "\"evaluation_ns\":1"},
        {"\"policy_hash\":\"", "\"policy_hash\":\"0"},
    };
    for (const auto& [from, to] : edits) {
      std::vector<std::string> edited = lines;
      std::size_t at = edited[2].find(from);
      INFO(from);
      REQUIRE(at != std::string::npos);
      edited[2].replace(at, from.size(), to);
      AuditVerification result = verify_lines(edited);
      CHECK(result.status == AuditVerifyStatus::Tampered);
      CHECK(result.line == 3);
      CHECK(result.records == 2);
      CHECK_FALSE(result.problem.empty());
    }
    // The decision id and the hash fields themselves.
    std::vector<std::string> edited = lines;
    std::size_t id_at = edited[2].find("\"decision_id\":\"") + 15;
    edited[2][id_at] = edited[2][id_at] == 'a' ? 'b' : 'a';
    CHECK(verify_lines(edited).line == 3);
    edited = lines;
    std::size_t hash_at = edited[2].find("\"hash\":\"") + 8;
    edited[2][hash_at] = edited[2][hash_at] == 'a' ? 'b' : 'a';
    CHECK(verify_lines(edited).problem == "the record's content does not match its `hash`: the record was edited");
    edited = lines;
    std::size_t previous_at = edited[2].find("\"previous\":\"") + 12;
    edited[2][previous_at] = edited[2][previous_at] == 'a' ? 'b' : 'a';
    CHECK(verify_lines(edited).line == 3);
  }

  SECTION("an edited record whose hash was recomputed breaks the next link") {
    std::vector<std::string> edited = lines;
    AuditRecord record = parse_audit_record(edited[2]).value();
    record.effect = "deny";
    record.hash = compute_audit_hash(record);
    edited[2] = serialize_audit_record(record);
    AuditVerification result = verify_lines(edited);
    CHECK(result.line == 4);
    CHECK(result.problem.find("`previous` does not match the hash of line 3") == 0);
  }

  SECTION("dropping a record") {
    std::vector<std::string> edited = lines;
    edited.erase(edited.begin() + 2);
    AuditVerification result = verify_lines(edited);
    CHECK(result.line == 3);
    CHECK(result.problem == "`seq` is 4 but 3 was expected: 1 record was dropped before this line");
  }

  SECTION("dropping the first records") {
    std::vector<std::string> edited(lines.begin() + 2, lines.end());
    AuditVerification result = verify_lines(edited);
    CHECK(result.line == 1);
    CHECK(result.problem == "`seq` is 3 but 1 was expected: 2 records were dropped before this line");
  }

  SECTION("reordering two records") {
    std::vector<std::string> edited = lines;
    std::swap(edited[1], edited[3]);
    AuditVerification result = verify_lines(edited);
    CHECK(result.line == 2);
    CHECK(result.problem == "`seq` is 4 but 2 was expected: 2 records were dropped before this line");
    std::vector<std::string> adjacent = lines;
    std::swap(adjacent[2], adjacent[3]);
    CHECK(verify_lines(adjacent).line == 3);
  }

  SECTION("duplicating a record") {
    std::vector<std::string> edited = lines;
    edited.insert(edited.begin() + 3, lines[2]);
    AuditVerification result = verify_lines(edited);
    CHECK(result.line == 4);
    CHECK(result.problem == "`seq` is 3 after 3: records were reordered or duplicated");
  }

  SECTION("inserting a forged record") {
    // The forged record itself chains onto line 2 correctly; the original
    // record after it no longer does. (A forger who also renumbers and
    // rehashes everything after the insertion makes a valid-looking chain:
    // only an anchored head catches that, see below.)
    std::vector<std::string> edited = lines;
    AuditRecord forged = parse_audit_record(lines[2]).value();
    forged.user = "u-forged";
    forged.hash = compute_audit_hash(forged);
    edited.insert(edited.begin() + 2, serialize_audit_record(forged));
    AuditVerification result = verify_lines(edited);
    CHECK(result.line == 4);
    CHECK(result.problem == "`seq` is 3 after 3: records were reordered or duplicated");

    std::vector<std::string> rewritten(lines.begin(), lines.begin() + 2);
    std::string previous = parse_audit_record(lines[1]).value().hash;
    AuditRecord inserted = forged;
    for (std::size_t i = 2; i <= lines.size(); ++i) {
      AuditRecord record = i == 2 ? inserted : parse_audit_record(lines[i - 1]).value();
      record.seq = i + 1;
      record.previous = previous;
      record.hash = compute_audit_hash(record);
      previous = record.hash;
      rewritten.push_back(serialize_audit_record(record));
    }
    CHECK(verify_lines(rewritten).ok());
    std::string real_head = parse_audit_record(lines[4]).value().hash;
    AuditVerification anchored = verify_audit_log_text(join_lines(rewritten), {.expected_head = real_head});
    CHECK(anchored.status == AuditVerifyStatus::Tampered);
  }

  SECTION("an empty line in the middle") {
    std::vector<std::string> edited = lines;
    edited.insert(edited.begin() + 1, "");
    AuditVerification result = verify_lines(edited);
    CHECK(result.line == 2);
    CHECK(result.problem.find("empty line") != std::string::npos);
  }

  SECTION("cutting the tail is detected only with an anchored head") {
    std::string head = parse_audit_record(lines[4]).value().hash;
    std::vector<std::string> cut(lines.begin(), lines.begin() + 3);
    CHECK(verify_lines(cut).ok());  // nothing in the file says it was longer
    AuditVerification anchored = verify_audit_log_text(join_lines(cut), {.expected_head = head});
    CHECK(anchored.status == AuditVerifyStatus::Tampered);
    CHECK(anchored.line == 0);
    CHECK(anchored.problem.find("no record has the expected head hash") == 0);
    // An older anchor stays valid as the log grows.
    std::string older = parse_audit_record(lines[1]).value().hash;
    CHECK(verify_audit_log_text(text, {.expected_head = older}).ok());
    CHECK(verify_audit_log_text(text, {.expected_head = head}).ok());
  }
}
