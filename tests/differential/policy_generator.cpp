// policy_generator.cpp — see policy_generator.h. Expressions are generated
// by type: every operator gets operands of a type the checker accepts for it,
// and an optional value (`T?`) is only read inside `(guard && ...)`, where the
// guard is the chain of `has` tests that establishes it. Every composite
// expression is printed in parentheses, so precedence never matters.
#include "tests/differential/policy_generator.h"

#include <algorithm>
#include <limits>
#include <set>

namespace authz::differential {
namespace {

using reference::Json;

// ---- drawing ----------------------------------------------------------------------

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Only the engine's raw output and `%` are used, so draws are the same everywhere.
struct Draw {
  std::mt19937_64 rng;
  explicit Draw(std::uint64_t seed) : rng(seed) {}
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng() % n); }
  bool chance(int percent) { return below(100) < static_cast<std::size_t>(percent); }
  template <class T>
  const T& pick(const std::vector<T>& items) { return items[below(items.size())]; }
};

// ---- the fixed vocabulary -------------------------------------------------------------

enum class G { Bool, Int, Number, String, Timestamp, Duration, Role, SetString, ListString, SetRole, Account, Team, Edit, Map };

struct Spec {
  const char* name;
  const char* type_text;
  G type;
  bool optional;
};

// One type per parameter name across every target.
const std::vector<Spec> kParams = {
    {"account", "Account", G::Account, false},   {"other", "Account?", G::Account, true},
    {"team", "Team?", G::Team, true},            {"n", "Int", G::Int, false},
    {"limit", "Int?", G::Int, true},             {"ratio", "Number?", G::Number, true},
    {"path", "String", G::String, false},        {"name", "String", G::String, false},
    {"label", "String?", G::String, true},       {"flag", "Bool?", G::Bool, true},
    {"tags", "Set<String>", G::SetString, false}, {"ids", "List<String>?", G::ListString, true},
    {"at", "Timestamp?", G::Timestamp, true},    {"wait", "Duration?", G::Duration, true},
    {"edit", "Edit?", G::Edit, true},            {"role", "Role?", G::Role, true},
    {"fields", "Map<String, String>?", G::Map, true},
};

const std::vector<Spec> kPrincipal = {
    {"level", "Int", G::Int, false},          {"dept", "String?", G::String, true},
    {"manages", "Set<String>", G::SetString, false}, {"tags", "Set<String>", G::SetString, false},
    {"since", "Timestamp?", G::Timestamp, true}, {"score", "Number?", G::Number, true},
};

const std::vector<Spec> kAccount = {
    {"owner", "String", G::String, false},     {"team", "String", G::String, false},
    {"level", "Int", G::Int, false},           {"region", "String?", G::String, true},
    {"tags", "Set<String>", G::SetString, false}, {"parent", "Account?", G::Account, true},
    {"squad", "Team?", G::Team, true},         {"score", "Number?", G::Number, true},
    {"opened", "Timestamp?", G::Timestamp, true}, {"last_edit", "Edit?", G::Edit, true},
};

const std::vector<Spec> kTeam = {
    {"lead", "String", G::String, false},
    {"members", "Set<String>", G::SetString, false},
    {"budget", "Int", G::Int, false},
    {"grade", "Role?", G::Role, true},
    {"cadence", "Duration?", G::Duration, true},
};

const Spec& param_spec(const std::string& name) {
  for (const Spec& spec : kParams) {
    if (spec.name == name) return spec;
  }
  return kParams[0];
}

const std::vector<std::string> kUsers = {"u-0", "u-1", "u-2", "u-3"};
const std::vector<std::string> kStrings = {"u-0", "u-1", "u-2", "east", "west", "team-0", "acc-0", "a", "b", "",
                                           "/data/public/a.md", "/data/x/../public/b.txt", "notes.md", "a-b"};
const std::vector<std::string> kSetElements = {"a", "b", "c", "east", "west", "u-0", "u-1"};
const std::vector<std::string> kPaths = {"/data/public/a.md", "/data/public", "/data/./public//x/../b.txt",
                                         "/data/public/../secret/c.md", "/data/public2/a.md", "/../data/public/a.md",
                                         "data/public/a.md", "/", "/data/docs/a/b.md", "/x/.env", "a.md",
                                         std::string("/data/public/a\0.md", 18), "/data/public/na\xc3\xafve.md", "u-\xc3\xa9"};
const std::vector<std::string> kGlobs = {"*.md", "**.md", "/data/**", "/data/*/a.md", "u-?", "*", "**", "east*",
                                         "**/.env", "?*", "a-*", "/data/public/*"};
const std::vector<std::string> kBases = {"/data", "/data/public", "/", "/data/public/", "/data/docs", "data",
                                         "/../x"};
// Prefixes and suffixes for startsWith / endsWith: path-like, empty, one
// byte of a UTF-8 sequence's text, case variants.
const std::vector<std::string> kAffixes = {"/data/", "/data/public", "/", "", ".md", ".env", "u-", "east", "a",
                                           "\xc3\xa9", "/DATA/", "MD"};

constexpr std::int64_t kBase = 1796083200000;  // 2026-12-01T00:00:00Z
constexpr std::int64_t kHour = 3600000;
constexpr std::int64_t kDay = 24 * kHour;

struct DurationLiteral {
  const char* text;
  std::int64_t millis;
};
const std::vector<DurationLiteral> kDurations = {{"1h", kHour}, {"30m", 1800000}, {"1d", kDay},   {"250ms", 250},
                                                 {"1h30m", 5400000}, {"90s", 90000}, {"0s", 0}, {"7d", 7 * kDay}};

std::string quote(const std::string& text) { return Json::of_string(text).dump(); }

// A negative number is `-` applied to a literal (callers never ask for INT64_MIN).
std::string int_literal(std::int64_t value) {
  if (value < 0) return "(-" + std::to_string(-value) + ")";
  return std::to_string(value);
}

// ---- expressions ----------------------------------------------------------------------

// A value reachable from `user` or `args`; `guards` are the `has` tests that
// must hold, in order, before it may be read.
struct Path {
  std::string text;
  G type;
  std::vector<std::string> guards;
};

class ExprGen {
 public:
  ExprGen(Draw& draw, const std::vector<std::string>& roles, const std::vector<std::int64_t>& instants,
          std::vector<Path> paths)
      : draw_(draw), roles_(roles), instants_(instants), paths_(std::move(paths)) {}

  std::string condition() { return boolean(3); }

 private:
  bool usable(const Path& path) const {
    for (const std::string& guard : path.guards) {
      if (std::find(guards_.begin(), guards_.end(), guard) == guards_.end()) return false;
    }
    return true;
  }
  std::vector<const Path*> usable_of(G type) const {
    std::vector<const Path*> out;
    for (const Path& path : paths_) {
      if (path.type == type && usable(path)) out.push_back(&path);
    }
    return out;
  }
  const Path* maybe_path(G type, int percent) {
    auto candidates = usable_of(type);
    if (candidates.empty() || !draw_.chance(percent)) return nullptr;
    return candidates[draw_.below(candidates.size())];
  }

  std::string role() { return draw_.pick(roles_); }

  std::string boolean(int depth) {
    std::size_t r = draw_.below(100);
    if (depth <= 0 || r < 35) return atom(depth);
    if (r < 52) {
      std::size_t count = 2 + draw_.below(2);
      std::string out = "(" + boolean(depth - 1);
      for (std::size_t i = 1; i < count; ++i) out += " && " + boolean(depth - 1);
      return out + ")";
    }
    if (r < 67) return "(" + boolean(depth - 1) + " || " + boolean(depth - 1) + ")";
    if (r < 75) return "(!" + boolean(depth - 1) + ")";
    if (r < 81) return quantifier(depth);
    return guarded(depth);
  }

  // `all(eN in LIST: body)` / `any(...)` over a list or set of strings or
  // roles; the body may read the element (a fresh name, so nothing is hidden).
  std::string quantifier(int depth) {
    if (bound_depth_ >= 3) return atom(depth);
    static const std::vector<G> kLists = {G::SetString, G::ListString, G::ListString, G::SetRole};
    G list_type = draw_.pick(kLists);
    std::string list = value(list_type, depth - 1);
    Path element{"e" + std::to_string(next_bound_++), list_type == G::SetRole ? G::Role : G::String, {}};
    paths_.push_back(element);
    ++bound_depth_;
    std::string body = draw_.chance(60) ? compare(depth - 1, &element) : boolean(depth - 1);
    --bound_depth_;
    paths_.pop_back();
    return std::string(draw_.chance(50) ? "all" : "any") + "(" + element.text + " in " + list + ": " + body + ")";
  }

  // `(has-guards && body)`: the body may read the guarded optional value.
  std::string guarded(int depth) {
    std::vector<const Path*> optional;
    for (const Path& path : paths_) {
      if (!path.guards.empty() && !usable(path) && path.type != G::Edit) optional.push_back(&path);
    }
    if (optional.empty()) return atom(depth);
    const Path* focus = optional[draw_.below(optional.size())];
    std::size_t mark = guards_.size();
    std::string out = "(";
    for (const std::string& guard : focus->guards) {
      if (std::find(guards_.begin(), guards_.end(), guard) != guards_.end()) continue;
      out += guard + " && ";
      guards_.push_back(guard);
    }
    out += draw_.chance(70) ? compare(depth - 1, focus) : boolean(depth - 1);
    if (draw_.chance(25)) out += " && " + boolean(depth - 1);
    guards_.resize(mark);
    return out + ")";
  }

  std::string atom(int depth) {
    std::size_t r = draw_.below(100);
    if (r < 8) return "(user is " + role() + ")";
    if (r < 13) {
      // A `has` test on its own, where everything before it is established.
      std::vector<const Path*> testable;
      for (const Path& path : paths_) {
        if (path.guards.empty()) continue;
        bool ready = true;
        for (std::size_t i = 0; i + 1 < path.guards.size(); ++i) {
          if (std::find(guards_.begin(), guards_.end(), path.guards[i]) == guards_.end()) ready = false;
        }
        if (ready) testable.push_back(&path);
      }
      if (!testable.empty()) return "(" + testable[draw_.below(testable.size())]->guards.back() + ")";
    }
    if (r < 16) return draw_.chance(50) ? "true" : "false";
    if (r < 17) {
      // `has id` on an entity: always true once the entity is found (warning W0002, not an error).
      std::vector<const Path*> entities;
      for (const Path& path : paths_) {
        if ((path.type == G::Account || path.type == G::Team) && usable(path)) entities.push_back(&path);
      }
      if (!entities.empty()) return "(" + entities[draw_.below(entities.size())]->text + " has id)";
    }
    return compare(depth, nullptr);
  }

  G comparable_type() {
    std::vector<G> types = {G::String, G::String, G::Int, G::Int, G::Timestamp, G::Duration,
                            G::SetString, G::SetRole, G::Role};
    for (G type : {G::Number, G::Account, G::Team, G::ListString, G::Bool}) {
      if (!usable_of(type).empty()) {
        types.push_back(type);
        types.push_back(type);
      }
    }
    return draw_.pick(types);
  }

  std::string compare(int depth, const Path* focus) {
    G type = focus ? focus->type : comparable_type();
    std::string a = focus ? focus->text : value(type, depth - 1);
    auto order_op = [&]() {
      static const std::vector<std::string> ops = {"==", "!=", "<", "<=", ">", ">="};
      return draw_.pick(ops);
    };
    switch (type) {
      case G::String: {
        std::size_t r = draw_.below(100);
        if (r < 35) return "(" + a + (draw_.chance(70) ? " == " : " != ") + value(G::String, depth - 1) + ")";
        if (r < 55) return "(" + a + " in " + value(draw_.chance(80) ? G::SetString : G::ListString, depth - 1) + ")";
        if (r < 65) return "(" + value(G::SetString, depth - 1) + " contains " + a + ")";
        if (r < 74) return "(" + a + " matches " + quote(draw_.pick(kGlobs)) + ")";
        if (r < 77) return "(" + a + " matches " + value(G::String, depth - 1) + ")";  // a pattern known only at run time
        if (r < 84) {
          const char* op = draw_.chance(50) ? " startsWith " : " endsWith ";
          std::string affix = draw_.chance(75) ? quote(draw_.pick(kAffixes)) : value(G::String, depth - 1);
          return draw_.chance(85) ? "(" + a + op + affix + ")" : "(" + affix + op + a + ")";
        }
        return "(" + a + " under " + (draw_.chance(85) ? quote(draw_.pick(kBases)) : value(G::String, depth - 1)) + ")";
      }
      case G::Int:
      case G::Number:
        if (draw_.chance(12)) return "(" + a + " in [1, 2, " + int_literal(static_cast<std::int64_t>(draw_.below(5))) + "])";
        return "(" + a + " " + order_op() + " " + value(draw_.chance(70) ? G::Int : G::Number, depth - 1) + ")";
      case G::Timestamp:
        if (draw_.chance(8)) return "(" + a + " in [" + value(G::Timestamp, 0) + ", " + value(G::Timestamp, 0) + "])";
        return "(" + a + " " + order_op() + " " + value(G::Timestamp, depth - 1) + ")";
      case G::Duration:
        if (draw_.chance(8)) return "(" + a + " in [" + draw_.pick(kDurations).text + ", " + value(G::Duration, 0) + "])";
        return "(" + a + " " + order_op() + " " + value(G::Duration, depth - 1) + ")";
      case G::Role: {
        std::size_t r = draw_.below(4);
        if (r == 3) return "(" + a + " in [" + role() + ", " + role() + "])";
        if (r == 0) return "(" + a + (draw_.chance(70) ? " == " : " != ") + value(G::Role, depth - 1) + ")";
        if (r == 1) return "(" + a + " in user.roles)";
        return "(user.roles contains " + a + ")";
      }
      case G::SetString:
      case G::ListString: {
        std::size_t r = draw_.below(100);
        if (r < 25) return "(" + a + " contains " + value(G::String, depth - 1) + ")";
        if (r < 45) return "(" + a + " containsAll " + value(draw_.chance(70) ? G::SetString : G::ListString, depth - 1) + ")";
        if (r < 65) return "(" + a + " containsAny " + value(draw_.chance(70) ? G::SetString : G::ListString, depth - 1) + ")";
        if (r < 80) {
          // `==` needs the same type on both sides: a Set never equals a list literal.
          auto sets = usable_of(G::SetString);
          bool set_side = focus ? type == G::SetString : !sets.empty() && draw_.chance(60);
          std::string b;
          if (set_side) {
            if (!focus) a = sets[draw_.below(sets.size())]->text;
            b = draw_.chance(75) ? sets[draw_.below(sets.size())]->text : "[]";
          } else {
            if (!focus) a = value(G::ListString, depth - 1);
            b = draw_.chance(80) ? value(G::ListString, depth - 1) : "[]";
          }
          return "(" + a + (draw_.chance(70) ? " == " : " != ") + b + ")";
        }
        if (r < 88) return "(" + a + " == [])";
        return "(" + value(G::String, depth - 1) + " in " + a + ")";
      }
      case G::SetRole: {
        std::size_t r = draw_.below(4);
        if (r == 0) return "(" + a + " contains " + value(G::Role, depth - 1) + ")";
        if (r == 1) return "(" + a + " containsAny [" + role() + ", " + role() + "])";
        if (r == 2) return "(" + a + " containsAll [" + role() + "])";
        return "(" + a + " != [])";
      }
      case G::Account:
      case G::Team: {
        auto same = usable_of(type);
        if (!same.empty() && draw_.chance(40)) {
          return "(" + a + (draw_.chance(50) ? " == " : " != ") + same[draw_.below(same.size())]->text + ")";
        }
        static const std::vector<std::string> accounts = {"acc-0", "acc-1", "acc-2", "acc-missing"};
        static const std::vector<std::string> teams = {"team-0", "team-1"};
        return "(" + a + " == " + quote(draw_.pick(type == G::Account ? accounts : teams)) + ")";
      }
      case G::Bool:
        if (draw_.chance(50)) return "(" + a + ")";
        return "(" + a + " == " + value(G::Bool, depth - 1) + ")";
      case G::Edit:
      case G::Map: break;
    }
    return "true";
  }

  std::string value(G type, int depth) {
    switch (type) {
      case G::String:
        if (const Path* path = maybe_path(G::String, 55)) return path->text;
        return quote(draw_.pick(kStrings));
      case G::Int: {
        if (const Path* path = maybe_path(G::Int, 40)) return path->text;
        std::size_t r = draw_.below(100);
        if (depth > 0 && r < 25) {
          if (r < 5) return "(-" + value(G::Int, depth - 1) + ")";
          return "(" + value(G::Int, depth - 1) + (r < 15 ? " + " : " - ") + value(G::Int, depth - 1) + ")";
        }
        if (r < 33) return int_literal(std::numeric_limits<std::int64_t>::max() - static_cast<std::int64_t>(draw_.below(2)));
        return int_literal(static_cast<std::int64_t>(draw_.below(24)) - 3);
      }
      case G::Number:
        if (const Path* path = maybe_path(G::Number, 70)) {
          if (depth > 0 && draw_.chance(20)) return "(" + path->text + (draw_.chance(50) ? " + " : " - ") + value(G::Int, 0) + ")";
          return path->text;
        }
        return value(G::Int, depth);
      case G::Timestamp: {
        if (const Path* path = maybe_path(G::Timestamp, 25)) return path->text;
        std::size_t r = draw_.below(100);
        if (depth > 0 && r < 25) {
          if (r < 4) return "(" + value(G::Duration, depth - 1) + " + " + value(G::Timestamp, depth - 1) + ")";
          return "(" + value(G::Timestamp, depth - 1) + (r < 15 ? " + " : " - ") + value(G::Duration, depth - 1) + ")";
        }
        if (r < 55) return "now";
        return PolicyGenerator::format_timestamp(draw_.pick(instants_));
      }
      case G::Duration: {
        if (const Path* path = maybe_path(G::Duration, 25)) return path->text;
        std::size_t r = draw_.below(100);
        if (depth > 0 && r < 20) return "(" + value(G::Timestamp, depth - 1) + " - " + value(G::Timestamp, depth - 1) + ")";
        if (depth > 0 && r < 32) return "(" + value(G::Duration, depth - 1) + (r < 26 ? " + " : " - ") + value(G::Duration, depth - 1) + ")";
        if (depth > 0 && r < 38) return "(-" + value(G::Duration, depth - 1) + ")";
        return draw_.pick(kDurations).text;
      }
      case G::Role:
        if (const Path* path = maybe_path(G::Role, 30)) return path->text;
        return role();
      case G::SetString:
      case G::ListString: {
        if (const Path* path = maybe_path(type, 55)) return path->text;
        if (type == G::SetString) {
          if (const Path* path = maybe_path(G::ListString, 20)) return path->text;
        }
        std::size_t count = 1 + draw_.below(3);
        std::string out = "[";
        for (std::size_t i = 0; i < count; ++i) {
          out += (i ? ", " : "") + (draw_.chance(15) ? value(G::String, 0) : quote(draw_.pick(kSetElements)));
        }
        return out + "]";
      }
      case G::SetRole: return "user.roles";
      case G::Bool:
        if (const Path* path = maybe_path(G::Bool, 50)) return path->text;
        return draw_.chance(50) ? "true" : "false";
      case G::Account:
      case G::Team:
        if (const Path* path = maybe_path(type, 100)) return path->text;
        return quote(type == G::Account ? "acc-0" : "team-0");
      case G::Edit:
      case G::Map: break;
    }
    return "true";
  }

  Draw& draw_;
  const std::vector<std::string>& roles_;
  const std::vector<std::int64_t>& instants_;
  std::vector<Path> paths_;
  std::vector<std::string> guards_;  // `has` tests established where the next expression stands
  int bound_depth_ = 0;               // quantifiers around the next expression
  int next_bound_ = 0;                // the next element's name: e0, e1, ...
};

// The fields of an `Edit` record (`newText` is optional).
void add_edit_paths(std::vector<Path>& paths, const std::string& prefix, const std::vector<std::string>& guards) {
  paths.push_back({prefix + ".oldText", G::String, guards});
  auto inner = guards;
  inner.push_back(prefix + " has newText");
  paths.push_back({prefix + ".newText", G::String, inner});
}

void add_entity_paths(std::vector<Path>& paths, const std::string& prefix, G type, std::vector<std::string> guards,
                      int depth) {
  paths.push_back({prefix, type, guards});
  paths.push_back({prefix + ".id", G::String, guards});
  for (const Spec& attribute : type == G::Account ? kAccount : kTeam) {
    std::vector<std::string> attribute_guards = guards;
    if (attribute.optional) attribute_guards.push_back(prefix + " has " + attribute.name);
    std::string text = prefix + "." + attribute.name;
    if (attribute.type == G::Account || attribute.type == G::Team) {
      if (depth < 1) add_entity_paths(paths, text, attribute.type, attribute_guards, depth + 1);
      continue;
    }
    if (attribute.type == G::Edit) {
      add_edit_paths(paths, text, attribute_guards);
      continue;
    }
    paths.push_back({text, attribute.type, attribute_guards});
  }
}

std::vector<Path> scope_paths(const std::vector<std::string>& principal, const std::vector<std::string>& params) {
  std::vector<Path> paths;
  paths.push_back({"user.id", G::String, {}});
  paths.push_back({"user.roles", G::SetRole, {}});
  for (const Spec& spec : kPrincipal) {
    if (std::find(principal.begin(), principal.end(), spec.name) == principal.end()) continue;
    std::vector<std::string> guards;
    if (spec.optional) guards.push_back(std::string("user has ") + spec.name);
    paths.push_back({std::string("user.") + spec.name, spec.type, guards});
  }
  for (const std::string& name : params) {
    const Spec& spec = param_spec(name);
    std::vector<std::string> guards;
    if (spec.optional) guards.push_back("args has " + name);
    std::string text = "args." + name;
    switch (spec.type) {
      case G::Account:
      case G::Team: add_entity_paths(paths, text, spec.type, guards, 0); break;
      case G::Edit: add_edit_paths(paths, text, guards); break;
      case G::Map: break;
      default: paths.push_back({text, spec.type, guards});
    }
  }
  return paths;
}

// Days since 1970-01-01 -> civil date (H. Hinnant's algorithm).
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

}  // namespace

std::string PolicyGenerator::format_timestamp(std::int64_t millis) {
  std::int64_t days = millis / kDay;
  std::int64_t rest = millis % kDay;
  if (rest < 0) {
    rest += kDay;
    --days;
  }
  std::int64_t year;
  unsigned month, day;
  civil_from_days(days, year, month, day);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", static_cast<long long>(year), month, day,
                static_cast<long long>(rest / kHour), static_cast<long long>(rest / 60000 % 60),
                static_cast<long long>(rest / 1000 % 60));
  std::string out = buffer;
  if (rest % 1000 != 0) {
    std::snprintf(buffer, sizeof buffer, ".%03lld", static_cast<long long>(rest % 1000));
    out += buffer;
  }
  return out + "Z";
}

std::string PolicyGenerator::entities_json(const reference::Entities& entities) {
  Json root = Json::object();
  for (const auto& [type, by_id] : entities) {
    Json of_type = Json::object();
    for (const auto& [id, entity] : by_id) of_type.set(id, entity);
    root.set(type, of_type);
  }
  return root.dump();
}

PolicyGenerator::PolicyGenerator(std::uint64_t seed) : seed_(seed) { build(); }

void PolicyGenerator::build() {
  Draw draw(mix(seed_ * 2 + 1));
  std::string out = "policy generated_" + std::to_string(seed_) + ";\n\n";

  // Instants: around 2026-12-01, sometimes before 1970.
  for (std::int64_t offset : {-7 * kDay, -kDay, -3 * kHour, -kHour, std::int64_t{0}, kHour, 2 * kHour, kDay, 7 * kDay,
                              std::int64_t{500}}) {
    instants_.push_back(kBase + offset);
  }
  if (draw.chance(20)) {
    instants_.push_back(-kDay);
    instants_.push_back(-365 * kDay + 1);
  }

  // The principal, the entities and the record.
  out += "/// The caller.\nprincipal User {";
  for (const Spec& spec : kPrincipal) {
    if (!draw.chance(60)) continue;
    principal_attributes_.push_back(spec.name);
    out += std::string(principal_attributes_.size() == 1 ? " " : ", ") + spec.name + ": " + spec.type_text;
  }
  out += " }\n";
  out += "/// An account.\nentity Account {";
  for (std::size_t i = 0; i < kAccount.size(); ++i) out += std::string(i ? ", " : " ") + kAccount[i].name + ": " + kAccount[i].type_text;
  out += " }\n/// A team.\nentity Team {";
  for (std::size_t i = 0; i < kTeam.size(); ++i) out += std::string(i ? ", " : " ") + kTeam[i].name + ": " + kTeam[i].type_text;
  out += " }\n/// One edit.\nrecord Edit { oldText: String, newText: String? }\n\n";

  // Roles: each may include earlier ones.
  // Sometimes more than 64 roles, so role sets span several words.
  std::size_t role_count = draw.chance(8) ? 60 + draw.below(80) : 1 + draw.below(5);
  int parent_percent = static_cast<int>(std::min<std::size_t>(30, 200 / role_count + 1));
  for (std::size_t i = 0; i < role_count; ++i) {
    std::string name = "r" + std::to_string(i);
    out += "role " + name;
    std::vector<std::string> parents;
    for (const std::string& earlier : roles_) {
      if (draw.chance(parent_percent)) parents.push_back(earlier);
    }
    for (std::size_t k = 0; k < parents.size(); ++k) out += (k ? ", " : " : ") + parents[k];
    out += ";\n";
    roles_.push_back(name);
  }
  out += "\n";

  // Targets.
  std::size_t tool_count = 1 + draw.below(5);
  for (std::size_t i = 0; i < tool_count; ++i) {
    Target tool;
    tool.name = draw.chance(25) ? "t-" + std::to_string(i) : "t" + std::to_string(i);
    tool.write = draw.chance(40);
    for (const Spec& spec : kParams) {
      if (draw.chance(spec.name == std::string("account") ? 50 : 22)) tool.params.push_back(spec.name);
    }
    targets_.push_back(tool);
  }
  static const std::vector<std::pair<const char*, std::vector<std::string>>> kResources = {
      {"demo://files/{path}", {"path"}},
      {"demo://named/{name}/{path}", {"name", "path"}},
      {"demo://pair/{name}-{path}", {"name", "path"}},
      {"demo://static/readme", {}},
      {"demo://files/readme.md", {}},   // an exact URI that the first template also matches
      {"demo://pair/{name}", {"name"}},  // overlaps the pair template: declaration order decides
      {"demo://tree/{+path}", {"path"}},  // RFC 6570 reserved: the value may span `/`
      {"demo://find{?name,path}", {"name", "path"}},  // query parameters, in template order
  };
  for (std::size_t i = 0; i < kResources.size(); ++i) {
    if (!draw.chance(30)) continue;
    Target resource;
    resource.kind = Target::Kind::Resource;
    resource.name = "res" + std::to_string(i);
    resource.uri = kResources[i].first;
    resource.params = kResources[i].second;
    targets_.push_back(resource);
  }
  std::size_t prompt_count = draw.below(3);
  for (std::size_t i = 0; i < prompt_count; ++i) {
    Target prompt;
    prompt.kind = Target::Kind::Prompt;
    prompt.name = "p-" + std::to_string(i);
    for (const char* name : {"name", "label", "path"}) {
      if (draw.chance(45)) prompt.params.push_back(name);
    }
    targets_.push_back(prompt);
  }
  auto target_ref = [](const Target& target) {
    bool plain = target.name.find('-') == std::string::npos;
    return plain ? target.name : quote(target.name);
  };
  for (const Target& target : targets_) {
    out += "/// A target.\n";
    std::string params;
    for (std::size_t k = 0; k < target.params.size(); ++k) {
      params += (k ? ", " : "") + target.params[k] + ": " + param_spec(target.params[k]).type_text;
    }
    switch (target.kind) {
      case Target::Kind::Tool:
        out += "tool " + target_ref(target) + "(" + params + ") " + (target.write ? "write" : "read") + ";\n";
        break;
      case Target::Kind::Resource: out += "resource " + target.name + " " + quote(target.uri) + ";\n"; break;
      case Target::Kind::Prompt: out += "prompt " + target_ref(target) + "(" + params + ");\n"; break;
    }
  }

  // Groups: of targets, earlier groups, `read`, `write`.
  struct Reference {
    std::string text;
    std::set<std::size_t> targets;
  };
  std::vector<Reference> references;
  std::set<std::size_t> all_read, all_write;
  for (std::size_t t = 0; t < targets_.size(); ++t) {
    references.push_back({target_ref(targets_[t]), {t}});
    bool write = targets_[t].kind == Target::Kind::Tool && targets_[t].write;
    (write ? all_write : all_read).insert(t);
  }
  std::vector<Reference> specials = {{"read", all_read}, {"write", all_write}};
  std::size_t group_count = draw.below(3);
  for (std::size_t g = 0; g < group_count; ++g) {
    Reference group{"g" + std::to_string(g), {}};
    std::size_t members = 1 + draw.below(3);
    std::string text = "/// A group.\ngroup " + group.text + " =";
    std::set<std::string> named;
    for (std::size_t k = 0; k < members; ++k) {
      const Reference& member = draw.chance(10) ? draw.pick(specials) : draw.pick(references);
      if (!named.insert(member.text).second) continue;
      text += (named.size() > 1 ? ", " : " ") + member.text;
      group.targets.insert(member.targets.begin(), member.targets.end());
    }
    out += text + ";\n";
    references.push_back(group);
  }
  out += "\n/// A limit.\nobligation ob_limit(max: Int);\n/// A note.\nobligation ob_note(text: String, tags: Set<String>);\n\n";

  // Rules and grants.
  auto window = [&](bool until_required) {
    std::string text;
    std::vector<std::int64_t> sorted = instants_;
    std::sort(sorted.begin(), sorted.end());
    std::size_t a = draw.below(sorted.size());
    std::size_t b = draw.below(sorted.size());
    if (a > b) std::swap(a, b);
    if (a == b) {
      if (b + 1 < sorted.size()) ++b; else --a;
    }
    std::size_t r = draw.below(100);
    if (until_required) {
      if (r < 50) text += " from " + format_timestamp(sorted[a]);
      text += " until " + format_timestamp(sorted[b]);
    } else if (r < 12) {
      text += " from " + format_timestamp(sorted[a]) + " until " + format_timestamp(sorted[b]);
    } else if (r < 18) {
      text += " from " + format_timestamp(sorted[a]);
    } else if (r < 24) {
      text += " until " + format_timestamp(sorted[b]);
    }
    return text;
  };
  auto pick_targets = [&](std::set<std::size_t>& expanded) {
    std::size_t count = 1 + draw.below(2);
    std::string text;
    std::set<std::string> named;
    for (std::size_t k = 0; k < count; ++k) {
      const Reference& chosen = draw.chance(8) ? draw.pick(specials) : draw.pick(references);
      if (!named.insert(chosen.text).second) continue;
      text += (text.empty() ? "" : ", ") + chosen.text;
      expanded.insert(chosen.targets.begin(), chosen.targets.end());
    }
    return text;
  };

  std::size_t rule_count = 2 + draw.below(8);
  for (std::size_t i = 0; i < rule_count; ++i) {
    bool allow = draw.chance(65);
    std::string id = (allow ? "allow_" : "deny_") + std::to_string(i);
    std::string subjects;
    if (allow || draw.chance(50)) {
      std::size_t count = 1 + draw.below(2);
      std::vector<std::string> chosen;
      for (std::size_t k = 0; k < count; ++k) {
        std::size_t r = draw.below(100);
        std::string subject = r < 70 ? draw.pick(roles_) : r < 88 ? "user " + quote(draw.pick(kUsers)) : "anyone";
        if (std::find(chosen.begin(), chosen.end(), subject) == chosen.end()) chosen.push_back(subject);
      }
      for (std::size_t k = 0; k < chosen.size(); ++k) subjects += (k ? ", " : "") + chosen[k];
      subjects += " may ";
    }
    std::set<std::size_t> expanded;
    std::string targets = pick_targets(expanded);
    // `args.x` is readable when every target declares `x`.
    std::vector<std::string> params;
    bool first = true;
    for (std::size_t t : expanded) {
      if (first) {
        params = targets_[t].params;
        first = false;
        continue;
      }
      std::vector<std::string> kept;
      for (const std::string& p : params) {
        if (std::find(targets_[t].params.begin(), targets_[t].params.end(), p) != targets_[t].params.end()) kept.push_back(p);
      }
      params = kept;
    }
    std::vector<Path> paths = scope_paths(principal_attributes_, params);
    std::string rule = "/// Rule " + std::to_string(i) + ".\n" + (allow ? "allow " : "deny ") + id + ": " + subjects + targets;
    bool when = draw.chance(75) || (allow && subjects.find("anyone") != std::string::npos);
    if (when) rule += "\n  when " + ExprGen(draw, roles_, instants_, paths).condition();
    if (draw.chance(30)) rule += "\n  unless " + ExprGen(draw, roles_, instants_, paths).condition();
    rule += window(false);
    if (allow && draw.chance(30)) {
      rule += "\n  with ob_limit(max: " + std::to_string(draw.below(100)) + ")";
      if (draw.chance(40)) rule += ", ob_note(text: " + quote(draw.pick(kSetElements)) + ", tags: [\"a\", \"b\"])";
    }
    out += rule + ";\n";
  }
  std::size_t grant_count = draw.below(3);
  for (std::size_t i = 0; i < grant_count; ++i) {
    std::set<std::size_t> expanded;
    out += "grant grant_" + std::to_string(i) + ": user " + quote(draw.pick(kUsers)) + " may " + pick_targets(expanded) +
           window(true) + " because \"reason " + std::to_string(i) + "\";\n";
  }
  text_ = out;

  // Entity worlds.
  for (int w = 0; w < 3; ++w) {
    reference::Entities world;
    auto set_of_users = [&]() {
      std::vector<Json> items;
      for (const std::string& element : kSetElements) {
        if (draw.chance(30)) items.push_back(Json::of_string(element));
      }
      return Json::array(items);
    };
    for (int a = 0; a < 4; ++a) {
      if (draw.chance(10)) continue;  // an id the host does not know
      Json account = Json::object();
      if (!draw.chance(4)) account.set("owner", draw.chance(3) ? Json::of_int(42) : Json::of_string(draw.pick(kUsers)));
      if (!draw.chance(4)) account.set("team", Json::of_string(draw.chance(50) ? "east" : "west"));
      account.set("level", draw.chance(3) ? Json::of_string("x") : Json::of_int(static_cast<std::int64_t>(draw.below(10))));
      std::size_t r = draw.below(100);
      if (r < 45) account.set("region", Json::of_string(draw.chance(50) ? "eu" : "us"));
      else if (r < 60) account.set("region", Json::null());
      account.set("tags", set_of_users());
      if (draw.chance(40)) {
        static const std::vector<std::string> parents = {"acc-0", "acc-1", "acc-2", "acc-3", "acc-missing"};
        account.set("parent", Json::of_string(draw.pick(parents)));
      }
      if (draw.chance(40)) {
        static const std::vector<std::string> squads = {"team-0", "team-1", "team-missing"};
        account.set("squad", Json::of_string(draw.pick(squads)));
      }
      if (draw.chance(40)) account.set("score", Json::of_double(static_cast<double>(draw.below(20)) / 4.0 - 1.0));
      if (draw.chance(30)) {
        std::int64_t opened = draw.pick(instants_) + (static_cast<std::int64_t>(draw.below(3)) - 1);
        account.set("opened", draw.chance(50) ? Json::of_int(opened) : Json::of_string(format_timestamp(opened)));
      }
      if (draw.chance(30)) {
        Json edit = Json::object().set("oldText", Json::of_string(draw.pick(kStrings)));
        if (draw.chance(50)) edit.set("newText", draw.chance(90) ? Json::of_string(draw.pick(kPaths)) : Json::null());
        if (draw.chance(5)) edit.set("extra", Json::of_int(1));  // not a field of Edit: the attribute is mistyped
        account.set("last_edit", edit);
      }
      world["Account"]["acc-" + std::to_string(a)] = account;
    }
    for (int t = 0; t < 2; ++t) {
      if (draw.chance(10)) continue;
      Json team = Json::object();
      team.set("lead", Json::of_string(draw.pick(kUsers)));
      team.set("members", set_of_users());
      team.set("budget", Json::of_int(static_cast<std::int64_t>(draw.below(1000))));
      if (draw.chance(50)) team.set("grade", Json::of_string(draw.chance(85) ? draw.pick(roles_) : "ghost"));
      if (draw.chance(50)) {
        const DurationLiteral& cadence = draw.pick(kDurations);
        team.set("cadence", draw.chance(50) ? Json::of_int(cadence.millis) : Json::of_string(cadence.text));
      }
      world["Team"]["team-" + std::to_string(t)] = team;
    }
    worlds_.push_back(world);
  }
}

namespace {

std::vector<Json> string_items(Draw& draw, bool allow_repeats) {
  std::vector<Json> items;
  for (const std::string& element : kSetElements) {
    if (draw.chance(30)) items.push_back(Json::of_string(element));
  }
  // Shuffle by swapping with drawn positions.
  for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[draw.below(i)]);
  // Lists may repeat elements; a Set argument that does is invalid (a few percent).
  if (!items.empty() && draw.chance(allow_repeats ? 20 : 3)) items.push_back(items[0]);
  return items;
}

Json wrong_value(Draw& draw, G type) {
  switch (type) {
    case G::String:
    case G::Account:
    case G::Team: return Json::of_int(5);
    case G::Int: return draw.chance(50) ? Json::of_string("5") : Json::of_double(1.5);
    case G::Number: return Json::of_string("1.5");
    case G::Bool: return Json::of_string("true");
    case G::SetString:
    case G::ListString: return draw.chance(50) ? Json::of_string("a") : Json::array({Json::of_int(1)});
    case G::Timestamp: return Json::of_string(draw.chance(50) ? "yesterday" : "2026-13-01T00:00:00Z");
    case G::Duration: return Json::of_string("soon");
    case G::Role: return Json::of_string("ghost");
    case G::Edit: return Json::object().set("newText", Json::of_string("x"));
    case G::Map: return Json::object().set("k", Json::of_int(1));
    case G::SetRole: break;
  }
  return Json::of_bool(true);
}

Json good_value(Draw& draw, G type, const std::vector<std::string>& roles, const std::vector<std::int64_t>& instants) {
  switch (type) {
    case G::String: return Json::of_string(draw.pick(draw.chance(50) ? kPaths : kStrings));
    case G::Account: {
      static const std::vector<std::string> ids = {"acc-0", "acc-1", "acc-2", "acc-3", "acc-missing"};
      return Json::of_string(draw.pick(ids));
    }
    case G::Team: {
      static const std::vector<std::string> ids = {"team-0", "team-1", "team-missing"};
      return Json::of_string(draw.pick(ids));
    }
    case G::Int: {
      std::size_t r = draw.below(100);
      if (r < 8) return Json::of_int(std::numeric_limits<std::int64_t>::max() - static_cast<std::int64_t>(draw.below(3)));
      if (r < 12) return Json::of_int(std::numeric_limits<std::int64_t>::min() + static_cast<std::int64_t>(draw.below(3)));
      if (r < 16) return Json::of_double(static_cast<double>(draw.below(5)));  // integral, written as a fraction
      return Json::of_int(static_cast<std::int64_t>(draw.below(24)) - 3);
    }
    case G::Number:
      if (draw.chance(3)) return Json::of_double(9223372036854775808.0);  // 2^63: just above every Int
      if (draw.chance(30)) return Json::of_int(static_cast<std::int64_t>(draw.below(10)));
      return Json::of_double(static_cast<double>(draw.below(40)) / 8.0 - 1.0);
    case G::Bool: return Json::of_bool(draw.chance(50));
    case G::SetString: return Json::array(string_items(draw, false));
    case G::ListString: return Json::array(string_items(draw, true));
    case G::Timestamp: {
      if (draw.chance(3)) return Json::of_int(std::numeric_limits<std::int64_t>::max() - static_cast<std::int64_t>(draw.below(2)));
      std::int64_t at = draw.pick(instants) + static_cast<std::int64_t>(draw.below(3)) - 1;
      return draw.chance(50) ? Json::of_int(at) : Json::of_string(PolicyGenerator::format_timestamp(at));
    }
    case G::Duration: {
      if (draw.chance(3)) return Json::of_int(std::numeric_limits<std::int64_t>::min() + static_cast<std::int64_t>(draw.below(2)));
      const DurationLiteral& literal = draw.pick(kDurations);
      return draw.chance(50) ? Json::of_int(literal.millis) : Json::of_string(literal.text);
    }
    case G::Role: return Json::of_string(draw.pick(roles));
    case G::Edit: {
      Json edit = Json::object().set("oldText", Json::of_string(draw.pick(kStrings)));
      if (draw.chance(50)) edit.set("newText", Json::of_string(draw.pick(kPaths)));
      return edit;
    }
    case G::Map: return Json::object().set("k", Json::of_string("v"));
    case G::SetRole: break;
  }
  return Json::null();
}

}  // namespace

GeneratedCase PolicyGenerator::request(std::uint64_t index) const {
  Draw draw(mix(mix(seed_) ^ (index * 0x2545f4914f6cdd1dull + 7)));
  GeneratedCase out;
  reference::Request& request = out.request;
  request.user_id = draw.pick(kUsers);
  int role_percent = roles_.size() > 10 ? 4 : 35;
  for (const std::string& role : roles_) {
    if (draw.chance(role_percent)) request.roles.push_back(role);
  }
  if (draw.chance(5)) request.roles.push_back("ghost");
  if (!request.roles.empty() && draw.chance(5)) request.roles.push_back(request.roles[0]);

  // Principal attributes: mostly right, sometimes missing, null or mistyped.
  request.attributes = Json::object();
  for (const Spec& spec : kPrincipal) {
    bool declared = std::find(principal_attributes_.begin(), principal_attributes_.end(), spec.name) !=
                    principal_attributes_.end();
    std::size_t r = draw.below(100);
    if (!declared) {
      if (r < 10) request.attributes.set(spec.name, good_value(draw, spec.type, roles_, instants_));  // ignored
      continue;
    }
    if (r < 88) {
      request.attributes.set(spec.name, good_value(draw, spec.type, roles_, instants_));
    } else if (r < 96) {
      // left out
    } else if (r < 99) {
      request.attributes.set(spec.name, Json::null());
    } else {
      request.attributes.set(spec.name, wrong_value(draw, spec.type));
    }
  }

  if (draw.chance(3)) request.attributes.set("id", Json::of_string("u-impostor"));  // ignored: id comes from the request
  if (draw.chance(3)) request.attributes.set("roles", Json::array({Json::of_string(roles_[0])}));  // ignored too

  // The target.
  std::size_t r = draw.below(100);
  if (targets_.empty() || r < 4) {
    request.method = reference::Method::Tool;
    request.target = "no_such_tool";
  } else if (r < 7) {
    request.method = reference::Method::Prompt;
    request.target = "t0";  // a tool name asked for as a prompt
  } else if (r < 10) {
    request.method = reference::Method::Resource;
    static const std::vector<std::string> uris = {"demo://files/a/b", "demo://named/x", "demo://other",
                                                  "demo://files/", "demo://pair/nodash"};
    request.target = draw.pick(uris);
  } else {
    const Target& target = draw.pick(targets_);
    request.method = target.kind == Target::Kind::Tool       ? reference::Method::Tool
                     : target.kind == Target::Kind::Resource ? reference::Method::Resource
                                                             : reference::Method::Prompt;
    request.target = target.name;
    if (target.kind == Target::Kind::Resource) {
      static const std::vector<std::string> names = {"a", "b", "x-y", "u-0", "public-1"};
      static const std::vector<std::string> paths = {"a.md", "x", "public-1", "a-b", ".env", "..", "readme.md"};
      static const std::vector<std::string> spans = {"a/b.md", "x", "../etc/passwd", "public-1/..", "a//b", "a?b"};
      std::string uri;
      for (std::size_t i = 0; i < target.uri.size(); ++i) {
        if (target.uri[i] != '{') {
          uri += target.uri[i];
          continue;
        }
        std::size_t close = target.uri.find('}', i);
        std::string expression = target.uri.substr(i + 1, close - i - 1);
        if (expression == "+path") {
          uri += draw.pick(spans);
        } else if (expression == "?name,path") {
          std::string name = "name=" + draw.pick(names);
          std::string path = "path=" + draw.pick(paths);
          std::size_t shape = draw.below(6);  // mostly as the template expands; sometimes hostile
          uri += shape == 0   ? "?" + path + "&" + name                      // reordered
                 : shape == 1 ? "?" + name + "&" + path + "&" + name         // repeated
                 : shape == 2 ? "?" + name                                   // missing
                              : "?" + name + "&" + path;
        } else {
          uri += draw.pick(expression == "name" ? names : paths);
        }
        i = close;
      }
      request.target = uri;
      request.arguments = draw.chance(3) ? Json::object().set("x", Json::of_int(1)) : Json::null();
    } else {
      request.arguments = Json::object();
      for (const std::string& name : target.params) {
        const Spec& spec = param_spec(name);
        std::size_t p = draw.below(100);
        if (spec.optional && p < 35) continue;
        if (spec.optional && p < 45) {
          request.arguments.set(name, Json::null());
          continue;
        }
        request.arguments.set(name, draw.chance(2) ? wrong_value(draw, spec.type)
                                                    : good_value(draw, spec.type, roles_, instants_));
      }
      std::size_t c = draw.below(100);
      if (c < 2) request.arguments.set("unknown_argument", Json::of_int(1));
      if (c >= 2 && c < 4 && !request.arguments.keys.empty()) {
        request.arguments.keys.erase(request.arguments.keys.begin());  // maybe a required one
        request.arguments.values.erase(request.arguments.values.begin());
      }
      if (c >= 4 && c < 6) request.arguments = Json::null();  // no arguments at all
    }
  }

  // The clock: on, just before and just after the instants the policy names.
  if (draw.chance(70)) {
    request.now_ms = draw.pick(instants_) + static_cast<std::int64_t>(draw.below(3)) - 1;
  } else {
    request.now_ms = kBase - 10 * kDay + static_cast<std::int64_t>(draw.below(static_cast<std::size_t>(20 * kDay)));
  }
  out.world = draw.chance(90) ? static_cast<int>(draw.below(worlds_.size())) : -1;
  return out;
}

}  // namespace authz::differential
