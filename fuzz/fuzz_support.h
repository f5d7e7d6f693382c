// fuzz_support.h — what the fuzz targets share: a check that stops the run
// with a message (libFuzzer then saves the input as a crash), reading the
// fixture table the build compiles (AUTHZ_FUZZ_TABLE) and fixture entities, and
// splitting an input into parts.
//
// Contract: header-only; every function is safe on any bytes. A failed
// fuzz_require prints "fuzz invariant broken: <what>" and aborts.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/engine.h"
#include "runtime/entity_store.h"

namespace authz::fuzz {

[[noreturn]] inline void invariant_broken(const char* what, const char* file, int line) {
  std::fprintf(stderr, "fuzz invariant broken: %s (%s:%d)\n", what, file, line);
  std::abort();
}

#define FUZZ_REQUIRE(condition) \
  ((condition) ? (void)0 : ::authz::fuzz::invariant_broken(#condition, __FILE__, __LINE__))

inline std::string read_fixture(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "fuzz: cannot read fixture `%s`\n", path);
    std::abort();
  }
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// examples/sales compiled by the build (fuzz/CMakeLists.txt).
inline const runtime::Engine& fixture_engine() {
  static const runtime::Engine engine = [] {
    auto loaded = runtime::Engine::load(read_fixture(AUTHZ_FUZZ_TABLE));
    if (!loaded.ok()) {
      std::fprintf(stderr, "fuzz: the fixture table does not load: %s\n", loaded.error().c_str());
      std::abort();
    }
    return std::move(loaded.value());
  }();
  return engine;
}

// Accounts as in examples/sales/entities.json, in JsonEntityStore's form.
inline constexpr const char* kFixtureEntities = R"({"Account": {
  "acc-1": {"owner": "u-bob", "team": "east", "region": "north-america"},
  "acc-7": {"owner": "u-carol", "team": "east", "region": "europe"},
  "acc-9": {"owner": "u-erin", "team": "west", "region": "asia"}}})";

inline const runtime::JsonEntityStore& fixture_entities() {
  static const runtime::JsonEntityStore store = [] {
    auto loaded = runtime::JsonEntityStore::from_json(kFixtureEntities);
    if (!loaded.ok()) {
      std::fprintf(stderr, "fuzz: the fixture entities do not load: %s\n", loaded.error().c_str());
      std::abort();
    }
    return std::move(loaded.value());
  }();
  return store;
}

// `data` cut at every `separator` byte (an input without one is one part).
inline std::vector<std::string_view> split(std::string_view data, char separator) {
  std::vector<std::string_view> parts;
  std::size_t from = 0;
  while (true) {
    const std::size_t at = data.find(separator, from);
    if (at == std::string_view::npos) {
      parts.push_back(data.substr(from));
      return parts;
    }
    parts.push_back(data.substr(from, at - from));
    from = at + 1;
  }
}

}  // namespace authz::fuzz
