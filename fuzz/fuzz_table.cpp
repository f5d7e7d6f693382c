// fuzz_table.cpp — feeds any bytes to Engine::load (runtime/internal/table_reader.h)
// as a decision table. Inputs that start like a table (the magic, at least
// the 56-byte header of runtime/internal/table_format.h) get their body
// length and SHA-256 recomputed first, so a mutated body reaches the decoder
// and the model validator instead of stopping at the checksum; the raw bytes
// are loaded too, for the header and checksum checks. Asserts: a refused
// table gives a message and no engine; an accepted one has the checksum as
// its policy hash, re-serializes to a table that loads, and can evaluate a
// request for each of its targets (a decision is allow or deny, never both).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.h"
#include "runtime/internal/table_format.h"
#include "runtime/internal/table_reader.h"
#include "runtime/internal/sha256.h"
#include "runtime/internal/table_writer.h"

namespace rt = authz::runtime;
namespace fmt_ = authz::runtime::internal;

namespace {

void put_le(std::string& bytes, std::size_t offset, std::uint64_t value, int width) {
  for (int i = 0; i < width; ++i) bytes[offset + i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

void exercise(const rt::Engine& engine) {
  const rt::Model& model = engine.model();
  FUZZ_REQUIRE(!engine.policy_hash().empty());
  auto again = rt::Engine::load(rt::serialize(model));
  if (!again.ok()) std::fprintf(stderr, "re-serialized table refused: %s\n", again.error().c_str());
  FUZZ_REQUIRE(again.ok() && again.value().model() == model);
  for (const rt::Target& target : model.targets) {
    rt::Request request;
    request.principal.id = "u-fuzz";
    request.principal.roles = {"rep", "admin"};
    request.method = target.kind == rt::TargetKind::Resource ? rt::MethodKind::ResourceRead
                     : target.kind == rt::TargetKind::Prompt ? rt::MethodKind::PromptGet
                                                             : rt::MethodKind::ToolCall;
    request.target = target.kind == rt::TargetKind::Resource ? target.uri : target.name;
    rt::EvaluateOptions options;
    options.trace = true;
    const rt::Decision decision = engine.evaluate(request, options);
    FUZZ_REQUIRE(decision.effect == rt::Effect::Allow || decision.effect == rt::Effect::Deny);
    FUZZ_REQUIRE(!decision.allowed() || decision.reason == rt::Reason::Allowed);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  {
    auto loaded = rt::Engine::load(raw);
    if (!loaded.ok()) FUZZ_REQUIRE(!loaded.error().empty());
  }
  if (size < fmt_::kTableHeaderSize || raw.substr(0, fmt_::kTableMagic.size()) != fmt_::kTableMagic) return 0;

  std::string fixed(raw);
  put_le(fixed, fmt_::kVersionOffset, fmt_::kTableFormatVersion, 4);
  put_le(fixed, fmt_::kHeaderSizeOffset, fmt_::kTableHeaderSize, 4);
  put_le(fixed, fmt_::kBodyLengthOffset, size - fmt_::kTableHeaderSize, 8);
  const std::optional<rt::Sha256Digest> digest = rt::sha256(std::string_view(fixed).substr(fmt_::kTableHeaderSize));
  FUZZ_REQUIRE(digest.has_value());  // libcrypto failing here is not the input's doing
  std::memcpy(fixed.data() + fmt_::kChecksumOffset, digest->data(), digest->size());

  auto loaded = rt::Engine::load(fixed);
  if (!loaded.ok()) {
    FUZZ_REQUIRE(!loaded.error().empty());
    // The fix-up worked: the refusal is not the checksum's. Compared whole:
    // every other refusal starts with its own words and may quote a name or
    // text from the table, even the checksum refusal's own words.
    FUZZ_REQUIRE(loaded.error() != rt::kChecksumMismatch);
    return 0;
  }
  exercise(loaded.value());
  return 0;
}
