// fuzz_prepare.cpp — feeds a request and entity data to Engine::prepare and
// evaluate (runtime/engine.h) with examples/sales's table. The input is cut
// at 0x1e bytes into: method and target (first byte t, r or p, then the
// name or URI), principal id, roles (comma-separated), principal attributes
// JSON, arguments JSON, entities JSON (JsonEntityStore; absent: fixed sales
// accounts). Asserts: a decision is allow or deny and an allow has reason
// `allowed`; a request prepare() refuses is denied; preparing into a reused
// PreparedRequest (the principal cache) decides exactly like a fresh one.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.h"
#include "runtime/internal/time_text.h"

namespace rt = authz::runtime;

namespace {

std::string describe(const rt::Decision& d) {
  std::string out = std::to_string(static_cast<int>(d.effect)) + "/" + std::to_string(static_cast<int>(d.reason));
  for (const auto& rule : d.determining_rules) out += " " + std::string(rule);
  return out + " | " + d.message;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = authz::fuzz::split(std::string_view(reinterpret_cast<const char*>(data), size), '\x1e');
  auto part = [&](std::size_t i) { return i < parts.size() ? parts[i] : std::string_view{}; };

  rt::Request request;
  const std::string_view head = part(0);
  const char method = head.empty() ? 't' : head[0];
  request.method = method == 'r' ? rt::MethodKind::ResourceRead
                   : method == 'p' ? rt::MethodKind::PromptGet
                                   : rt::MethodKind::ToolCall;
  request.target = std::string(head.empty() ? head : head.substr(1));
  request.principal.id = std::string(part(1));
  for (std::string_view role : authz::fuzz::split(part(2), ',')) {
    if (!role.empty()) request.principal.roles.emplace_back(role);
  }
  request.principal.attributes_json = std::string(part(3));
  request.arguments_json = std::string(part(4));
  request.now_ms = *rt::parse_timestamp("2026-12-01T00:00:00Z");

  std::optional<rt::JsonEntityStore> own_entities;
  const rt::EntityResolver* entities = &authz::fuzz::fixture_entities();
  if (parts.size() > 5) {
    auto loaded = rt::JsonEntityStore::from_json(part(5));
    if (!loaded.ok()) {
      FUZZ_REQUIRE(!loaded.error().empty());
      return 0;
    }
    own_entities.emplace(std::move(loaded.value()));
    entities = &*own_entities;
  }

  const rt::Engine& engine = authz::fuzz::fixture_engine();
  rt::EvaluateOptions options;
  options.entities = entities;
  options.trace = true;
  rt::PreparedRequest prepared = engine.prepare(request);
  const rt::Decision decision = engine.evaluate(prepared, options);
  FUZZ_REQUIRE(decision.effect == rt::Effect::Allow || decision.effect == rt::Effect::Deny);
  FUZZ_REQUIRE(!decision.allowed() || decision.reason == rt::Reason::Allowed);
  if (!prepared.ready()) FUZZ_REQUIRE(!decision.allowed() && !prepared.problem().empty());

  // The same principal again into the same object: its attributes come from the cache.
  engine.prepare(request, prepared);
  const rt::Decision cached = engine.evaluate(prepared, options);
  if (describe(cached) != describe(decision)) {
    std::fprintf(stderr, "fresh: %s\ncached: %s\n", describe(decision).c_str(), describe(cached).c_str());
    FUZZ_REQUIRE(!"a reused PreparedRequest decides differently");
  }
  return 0;
}
