// main.cpp — a C++ consumer of the installed package: loads a table, decides
// bob's get_account on his own account and on carol's, prints both.
// Exit 0 when they are allow and deny, 1 when not, 2 on a load failure.
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "runtime/engine.h"
#include "runtime/entity_store.h"
#include "runtime/trace_render.h"

int main(int argc, char** argv) {
  using namespace authz::runtime;
  if (argc != 2) return 2;
  std::ifstream file(argv[1], std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  auto engine = Engine::load(bytes);
  if (!engine.ok()) {
    std::cerr << engine.error() << "\n";
    return 2;
  }
  auto accounts = JsonEntityStore::from_json(
      R"({"Account": {"acc-1": {"owner": "u-bob", "team": "east", "region": "europe"},
                      "acc-7": {"owner": "u-carol", "team": "east", "region": "europe"}}})");
  if (!accounts.ok()) return 2;
  EvaluateOptions options;
  options.entities = &accounts.value();
  auto decide = [&](const char* account) {
    Request request;
    request.principal = {"u-bob", {"rep"}, R"({"manages": []})"};
    request.target = "get_account";
    request.arguments_json = std::string(R"({"account": ")") + account + "\"}";
    request.now_ms = 1764547200000;  // 2026-12-01T00:00:00Z
    Decision decision = engine.value().evaluate(request, options);
    std::cout << render_json(decision, Audience::EndUser) << "\n";
    return decision.allowed();
  };
  bool own = decide("acc-1");
  bool other = decide("acc-7");
  return own && !other ? 0 : 1;
}
