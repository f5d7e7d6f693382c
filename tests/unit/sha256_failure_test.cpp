// sha256_failure_test.cpp — when libcrypto cannot compute a SHA-256 (it
// fails only when memory runs out), everything that relies on one fails
// closed: no digest, no table load (small tables and the large ones hashed on
// a second thread), no Engine from a model, no C ABI engine, no audit record
// written (the log stays usable and verifiable), no verdict from the verifier.
//
// The failure is injected by interposing EVP_DigestInit_ex2: this program's
// definition wins over libcrypto's (the runtime library is linked into it
// statically) and forwards to the real one unless a test holds Sha256Outage.
#include <catch2/catch.hpp>

#include <dlfcn.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "compiled_policy_for_tests.h"
#include "runtime/audit_log.h"
#include "runtime/c_api/authz.h"
#include "runtime/engine.h"
#include "runtime/internal/sha256.h"
#include "runtime/internal/table_reader.h"
#include "runtime/internal/table_writer.h"

namespace {

std::atomic<bool> sha256_outage{false};

}  // namespace

extern "C" int EVP_DigestInit_ex2(EVP_MD_CTX* context, const EVP_MD* type, const OSSL_PARAM params[]) {
  if (sha256_outage.load()) return 0;
  using Real = int (*)(EVP_MD_CTX*, const EVP_MD*, const OSSL_PARAM[]);
  static const Real real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "EVP_DigestInit_ex2"));
  return real(context, type, params);
}

namespace {

using namespace authz::runtime;
namespace fs = std::filesystem;

struct Sha256Outage {
  Sha256Outage() { sha256_outage = true; }
  ~Sha256Outage() { sha256_outage = false; }
  Sha256Outage(const Sha256Outage&) = delete;
  Sha256Outage& operator=(const Sha256Outage&) = delete;
};

const Engine& sales_engine() {
  static const Engine engine =
      authz::testing::compile_policy_path(std::string(AUTHZ_SOURCE_DIR) + "/examples/sales");
  return engine;
}

std::string file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

AuditRecord hand_made_record() {
  AuditRecord record;
  record.time = "2026-12-06T12:00:00.000Z";
  record.decision_id = "0123456789abcdef0123456789abcdef";
  record.user = "alice";
  record.method = "tools/call";
  record.target = "get_sum";
  record.arguments_json = "{}";
  record.effect = "allow";
  record.reason = "allowed";
  record.policy_hash = sales_engine().policy_hash();
  return record;
}

}  // namespace

TEST_CASE("without SHA-256, no digest is returned", "[sha256][fail-closed]") {
  Sha256Outage outage;
  CHECK_FALSE(sha256("abc").has_value());
  Sha256 hasher;
  hasher.update("abc");
  CHECK_FALSE(hasher.finish().has_value());
}

TEST_CASE("without SHA-256, no table loads and no Engine is built", "[sha256][fail-closed]") {
  const std::string table = serialize(sales_engine().model());
  REQUIRE(read_table(table).ok());
  // A body past the size hashed on a second thread: junk, so its decoding
  // fails too, but the checksum's failure is what is reported.
  std::string large = table.substr(0, 56) + std::string(2u << 20, 'x');
  const std::uint64_t length = large.size() - 56;
  for (int i = 0; i < 8; ++i) large[16 + i] = static_cast<char>((length >> (8 * i)) & 0xFF);

  Sha256Outage outage;
  for (const std::string* bytes : {&table, static_cast<const std::string*>(&large)}) {
    auto read = read_table(*bytes);
    REQUIRE_FALSE(read.ok());
    CHECK(read.error() == "cannot verify the table checksum: SHA-256 failed (out of memory?)");
    auto engine = Engine::load(*bytes);
    REQUIRE_FALSE(engine.ok());
    CHECK(engine.error() == read.error());
  }
  auto from_model = Engine::from_model(sales_engine().model());
  REQUIRE_FALSE(from_model.ok());
  CHECK(from_model.error() == "cannot compute the policy hash: SHA-256 failed (out of memory?)");

  authz_engine* engine = nullptr;
  authz_error* error = nullptr;
  CHECK(authz_engine_load(table.data(), table.size(), &engine, &error) != AUTHZ_OK);
  CHECK(engine == nullptr);
  REQUIRE(error != nullptr);
  CHECK(std::string(authz_error_message(error)).find("SHA-256 failed") != std::string::npos);
  authz_error_free(error);
}

TEST_CASE("without SHA-256, no audit record is written and the chain survives", "[sha256][fail-closed][audit]") {
  fs::path dir = fs::temp_directory_path() / ("authz_sha256_failure_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "audit.jsonl").string();
  auto log = AuditLog::open(path);
  REQUIRE(log.ok());
  AuditRecord first = hand_made_record();
  REQUIRE(log.value().append(first).ok());
  const std::string before = file_text(path);

  {
    Sha256Outage outage;
    AuditRecord second = hand_made_record();
    auto appended = log.value().append(second);
    REQUIRE_FALSE(appended.ok());
    CHECK(appended.error() == "cannot hash the audit record for `" + path + "`: SHA-256 failed (out of memory?)");
    CHECK(file_text(path) == before);
    CHECK(log.value().records() == 1);

    auto verified = verify_audit_log(path);
    CHECK(verified.status == AuditVerifyStatus::Unreadable);
    CHECK(verified.line == 1);
    CHECK(verified.problem == "cannot check the record: SHA-256 failed (out of memory?)");
    // A copy, since the open log is locked against a second writer.
    const std::string copy = (dir / "copy.jsonl").string();
    fs::copy_file(path, copy);
    auto reopened = AuditLog::open(copy);
    REQUIRE_FALSE(reopened.ok());
    CHECK(reopened.error() == "cannot check the last record of audit log `" + copy +
                                  "`: SHA-256 failed (out of memory?)");
    CHECK(compute_audit_hash(first).empty());
  }

  // libcrypto is back: the same log takes the next record and verifies.
  AuditRecord second = hand_made_record();
  REQUIRE(log.value().append(second).ok());
  CHECK(second.seq == 2);
  CHECK(compute_audit_hash(second) == second.hash);
  auto verified = verify_audit_log(path);
  CHECK(verified.ok());
  CHECK(verified.records == 2);
  fs::remove_all(dir);
}
