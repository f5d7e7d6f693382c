// policy_generator.h — deterministic synthetic policies for benchmarks.
//
// Contract: generate_policy(rules) returns the files of one valid policy:
// the declarations, then the rules in files of at most 10,000 rules each (a
// single file would pass the compiler's 8 MiB per-file cap at 100k rules).
// Rules are spread over max(10, rules / 10) tools and 32 roles (a few levels
// of inheritance); each has a doc comment and a condition over entity
// attributes, arguments and the principal, so that checking exercises
// resolution, `has` guards and type rules at scale. Half the conditions hold
// a literal of their own (a limit, a department), as real rules differ, so
// the compiled table cannot share every node between rules.
#pragma once

#include <string>
#include <vector>

namespace authz::bench {

inline std::vector<std::string> generate_policy(int rules) {
  const int tools = rules / 10 > 10 ? rules / 10 : 10;
  const int roles = 32;
  std::string text;
  text.reserve(static_cast<std::size_t>(rules) * 160 + static_cast<std::size_t>(tools) * 120);
  text += "policy generated;\n\n";
  text += "principal User { manages: Set<String>, level: Int, dept: String? }\n";
  text += "entity Account { owner: String, team: String, tier: Int }\n";
  text += "obligation aggregate_only(min_group: Int);\n";
  for (int r = 0; r < roles; ++r) {
    text += "role r" + std::to_string(r);
    if (r > 0) text += " : r" + std::to_string((r - 1) / 2);
    text += ";\n";
  }
  for (int t = 0; t < tools; ++t) {
    text += "tool t" + std::to_string(t) + "(account: Account, region: String, limit: Int?) ";
    text += (t % 3 == 0) ? "write;\n" : "read;\n";
  }
  std::vector<std::string> files{std::move(text)};
  for (int i = 0; i < rules; ++i) {
    if (i % 10000 == 0) files.push_back("policy generated;\n");
    std::string& text = files.back();
    const std::string n = std::to_string(i);
    const std::string tool = "t" + std::to_string(i % tools);
    const std::string role = "r" + std::to_string(i % roles);
    text += "/// Generated rule " + n + ".\n";
    switch (i % 4) {
      case 0:
        text += "allow a" + n + ": " + role + " may " + tool + " when args.account.owner == user.id;\n";
        break;
      case 1:
        text += "allow a" + n + ": " + role + " may " + tool +
                " when args.account.team in user.manages && (args has limit && args.limit < " + n + ")\n"
                "  until 2030-01-01T00:00:00Z;\n";
        break;
      case 2:
        text += "allow a" + n + ": " + role + " may " + tool +
                " when user has dept && user.dept == \"dept" + n + "\" with aggregate_only(min_group: 5);\n";
        break;
      default:
        text += "deny d" + n + ": " + tool + " unless user is " + role + " || args.account.tier >= 3;\n";
        break;
    }
  }
  return files;
}

}  // namespace authz::bench
