// reference_interpreter.cpp — see reference_interpreter.h. Written from
// docs/language.md; shares no code with runtime/. Slow on purpose: every
// step is the plainest code that states the rule.
#include "tests/differential/reference_interpreter.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <set>

namespace authz::reference {

// ---- JSON ---------------------------------------------------------------------------

Json Json::of_bool(bool value) {
  Json json;
  json.kind = Kind::Bool;
  json.boolean = value;
  return json;
}

Json Json::of_int(std::int64_t value) {
  Json json;
  json.kind = Kind::Int;
  json.integer = value;
  return json;
}

Json Json::of_double(double value) {
  Json json;
  json.kind = Kind::Double;
  json.number = value;
  return json;
}

Json Json::of_string(std::string value) {
  Json json;
  json.kind = Kind::String;
  json.text = std::move(value);
  return json;
}

Json Json::array(std::vector<Json> items) {
  Json json;
  json.kind = Kind::Array;
  json.items = std::move(items);
  return json;
}

Json Json::object() {
  Json json;
  json.kind = Kind::Object;
  return json;
}

Json& Json::set(std::string key, Json value) {
  keys.push_back(std::move(key));
  values.push_back(std::move(value));
  return *this;
}

const Json* Json::find(std::string_view key) const {
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] == key) return &values[i];
  }
  return nullptr;
}

namespace {

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      const char* digits = "0123456789abcdef";
      out += "\\u00";
      out += digits[byte >> 4];
      out += digits[byte & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

std::string Json::dump() const {
  switch (kind) {
    case Kind::Null: return "null";
    case Kind::Bool: return boolean ? "true" : "false";
    case Kind::Int: return std::to_string(integer);
    case Kind::Double: {
      char buffer[64];
      std::snprintf(buffer, sizeof buffer, "%.17g", number);
      std::string text = buffer;
      // Keep it a JSON number that does not read back as an integer.
      if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
      return text;
    }
    case Kind::String: return quote(text);
    case Kind::Array: {
      std::string out = "[";
      for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i].dump();
      return out + "]";
    }
    case Kind::Object: {
      std::string out = "{";
      for (std::size_t i = 0; i < keys.size(); ++i) out += (i ? "," : "") + quote(keys[i]) + ":" + values[i].dump();
      return out + "}";
    }
  }
  return "null";
}

std::string to_string(const Answer& answer) {
  std::string out = answer.allow ? "allow" : "deny";
  out += " reason=" + answer.reason + " rules=[";
  for (std::size_t i = 0; i < answer.determining.size(); ++i) out += (i ? ", " : "") + answer.determining[i];
  out += "]";
  if (!answer.obligations.empty()) {
    out += " obligations=[";
    for (std::size_t i = 0; i < answer.obligations.size(); ++i) out += (i ? "; " : "") + answer.obligations[i];
    out += "]";
  }
  return out;
}

namespace {

// ---- values ---------------------------------------------------------------------------

struct Value {
  enum class Kind { Absent, Bool, Int, Number, String, Timestamp, Duration, Role, Set, List, Map, Record };
  Kind kind = Kind::Absent;
  bool boolean = false;
  std::int64_t integer = 0;     // Int, Timestamp, Duration
  double number = 0;            // Number
  std::string text;             // String (entities are their id), Role (its name)
  std::vector<std::string> keys;  // Map keys, Record field names
  std::vector<Value> items;       // Set / List elements, Map / Record values
};

// nullopt: the evaluation failed (an error, not false).
using Result = std::optional<Value>;

Value make(Value::Kind kind) {
  Value value;
  value.kind = kind;
  return value;
}
Value make_bool(bool b) {
  Value value = make(Value::Kind::Bool);
  value.boolean = b;
  return value;
}
Value make_int(Value::Kind kind, std::int64_t i) {
  Value value = make(kind);
  value.integer = i;
  return value;
}
Value make_number(double d) {
  Value value = make(Value::Kind::Number);
  value.number = d;
  return value;
}
Value make_text(Value::Kind kind, std::string text) {
  Value value = make(kind);
  value.text = std::move(text);
  return value;
}

bool is_numeric(const Value& v) { return v.kind == Value::Kind::Int || v.kind == Value::Kind::Number; }
bool is_sequence(const Value& v) { return v.kind == Value::Kind::Set || v.kind == Value::Kind::List; }

// long double holds every int64 and every double exactly, so comparing in it
// is exact for any mix of Int and Number.
static_assert(std::numeric_limits<long double>::digits >= 64, "exact Int/Number comparison needs 64-bit mantissas");
long double numeric(const Value& v) {
  return v.kind == Value::Kind::Int ? static_cast<long double>(v.integer) : static_cast<long double>(v.number);
}

std::optional<bool> equal(const Value& a, const Value& b);

bool sequence_contains(const Value& sequence, const Value& element) {
  for (const Value& item : sequence.items) {
    if (equal(item, element) == std::optional<bool>(true)) return true;
  }
  return false;
}

// nullopt: the two values cannot be compared.
std::optional<bool> equal(const Value& a, const Value& b) {
  if (is_numeric(a) && is_numeric(b)) return numeric(a) == numeric(b);
  if (is_sequence(a) && is_sequence(b)) {
    if (a.kind == Value::Kind::Set || b.kind == Value::Kind::Set) {
      // Sets compare as sets: every element of each is in the other.
      for (const Value& item : a.items) {
        if (!sequence_contains(b, item)) return false;
      }
      for (const Value& item : b.items) {
        if (!sequence_contains(a, item)) return false;
      }
      return true;
    }
    if (a.items.size() != b.items.size()) return false;
    for (std::size_t i = 0; i < a.items.size(); ++i) {
      if (equal(a.items[i], b.items[i]) != std::optional<bool>(true)) return false;
    }
    return true;
  }
  if (a.kind != b.kind) return std::nullopt;
  switch (a.kind) {
    case Value::Kind::Bool: return a.boolean == b.boolean;
    case Value::Kind::String:
    case Value::Kind::Role: return a.text == b.text;
    case Value::Kind::Timestamp:
    case Value::Kind::Duration: return a.integer == b.integer;
    case Value::Kind::Map: {
      if (a.keys.size() != b.keys.size()) return false;
      for (std::size_t i = 0; i < a.keys.size(); ++i) {
        auto at = std::find(b.keys.begin(), b.keys.end(), a.keys[i]);
        if (at == b.keys.end()) return false;
        if (equal(a.items[i], b.items[static_cast<std::size_t>(at - b.keys.begin())]) != std::optional<bool>(true)) {
          return false;
        }
      }
      return true;
    }
    case Value::Kind::Record: {
      if (a.keys != b.keys) return false;
      for (std::size_t i = 0; i < a.items.size(); ++i) {
        bool both_absent = a.items[i].kind == Value::Kind::Absent && b.items[i].kind == Value::Kind::Absent;
        if (!both_absent && equal(a.items[i], b.items[i]) != std::optional<bool>(true)) return false;
      }
      return true;
    }
    default: return std::nullopt;
  }
}

// ---- time text ------------------------------------------------------------------------

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)`, to ms since the epoch.
std::optional<std::int64_t> parse_timestamp(std::string_view s) {
  auto digits = [&](std::size_t at, std::size_t count, int& out) {
    if (at + count > s.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + count; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int year, month, day, hour, minute, second;
  if (!digits(0, 4, year) || s.size() < 20 || s[4] != '-' || !digits(5, 2, month) || s[7] != '-' ||
      !digits(8, 2, day) || s[10] != 'T' || !digits(11, 2, hour) || s[13] != ':' || !digits(14, 2, minute) ||
      s[16] != ':' || !digits(17, 2, second)) {
    return std::nullopt;
  }
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return std::nullopt;
  if (day > kDays[month - 1] + (month == 2 && leap(year) ? 1 : 0)) return std::nullopt;
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  std::size_t pos = 19;
  std::int64_t millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t first = pos;
    int scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      millis += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == first) return std::nullopt;
  }
  std::int64_t offset_minutes = 0;
  if (pos < s.size() && s[pos] == 'Z') {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!digits(pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(pos + 4, 2, om)) {
      return std::nullopt;
    }
    if (oh > 23 || om > 59) return std::nullopt;
    offset_minutes = (s[pos] == '+' ? 1 : -1) * (oh * 60 + om);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return ((days * 24 + hour) * 60 + minute - offset_minutes) * 60000 + second * 1000 + millis;
}

// `7d`, `1h30m`, `250ms`: parts of digits and a unit, summed.
std::optional<std::int64_t> parse_duration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::int64_t total = 0;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::int64_t number = 0;
    std::size_t first = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (__builtin_mul_overflow(number, 10, &number) || __builtin_add_overflow(number, s[pos] - '0', &number)) {
        return std::nullopt;
      }
      ++pos;
    }
    if (pos == first || pos == s.size()) return std::nullopt;
    std::int64_t unit;
    if (s.substr(pos, 2) == "ms") {
      unit = 1;
      pos += 2;
    } else if (s[pos] == 'd') {
      unit = 86400000;
      ++pos;
    } else if (s[pos] == 'h') {
      unit = 3600000;
      ++pos;
    } else if (s[pos] == 'm') {
      unit = 60000;
      ++pos;
    } else if (s[pos] == 's') {
      unit = 1000;
      ++pos;
    } else {
      return std::nullopt;
    }
    std::int64_t part;
    if (__builtin_mul_overflow(number, unit, &part) || __builtin_add_overflow(total, part, &total)) return std::nullopt;
  }
  return total;
}

// ---- paths and globs --------------------------------------------------------------------

// The segments of an absolute path after dropping empty and `.` segments and
// letting `..` remove the segment before it; nullopt when the path is empty,
// relative, holds a NUL byte, or climbs above the root.
std::optional<std::vector<std::string>> normalise_path(const std::string& path) {
  if (path.empty() || path[0] != '/') return std::nullopt;
  if (path.find('\0') != std::string::npos) return std::nullopt;
  std::vector<std::string> segments;
  std::string segment;
  for (std::size_t i = 1; i <= path.size(); ++i) {
    if (i < path.size() && path[i] != '/') {
      segment += path[i];
      continue;
    }
    if (segment == "..") {
      if (segments.empty()) return std::nullopt;
      segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    segment.clear();
  }
  return segments;
}

// Whole-string glob match by plain recursion: `*` any run without `/`, `**`
// any run, `?` one byte other than `/`, anything else itself.
bool glob_from(const std::string& pattern, std::size_t p, const std::string& text, std::size_t t) {
  if (p == pattern.size()) return t == text.size();
  if (pattern[p] == '*') {
    bool twice = p + 1 < pattern.size() && pattern[p + 1] == '*';
    std::size_t next = p + (twice ? 2 : 1);
    for (std::size_t end = t;; ++end) {
      if (glob_from(pattern, next, text, end)) return true;
      if (end == text.size()) return false;
      if (!twice && text[end] == '/') return false;
    }
  }
  if (t == text.size()) return false;
  if (pattern[p] == '?') return text[t] != '/' && glob_from(pattern, p + 1, text, t + 1);
  return text[t] == pattern[p] && glob_from(pattern, p + 1, text, t + 1);
}

// ---- URI templates ------------------------------------------------------------------------

struct TemplatePiece {
  bool variable = false;
  std::string text;  // literal text or variable name
  std::string stops;  // variables: the bytes a value may not hold
  char explode = 0;   // `{/v*}`, `{.v*}`: the separator of the list's elements
};

// Lowers each expression the language documents ({v} {+v} {#v} {/v} {.v}
// {?a,b} {&a}) into its literal prefix / separators and variables. Only
// templates that check clean get here.
std::vector<TemplatePiece> template_pieces(const std::string& uri) {
  std::vector<TemplatePiece> pieces;
  auto literal = [&](const std::string& text) {
    if (!pieces.empty() && !pieces.back().variable) {
      pieces.back().text += text;
    } else {
      pieces.push_back({false, text, ""});
    }
  };
  std::size_t pos = 0;
  while (pos < uri.size()) {
    std::size_t open = uri.find('{', pos);
    if (open == std::string::npos) {
      literal(uri.substr(pos));
      break;
    }
    if (open > pos) literal(uri.substr(pos, open - pos));
    std::size_t close = uri.find('}', open);
    std::string body = uri.substr(open + 1, close - open - 1);
    char op = std::string("+#/.?&").find(body[0]) != std::string::npos ? body[0] : 0;
    if (op != 0) body.erase(0, 1);
    std::vector<std::string> names;
    for (std::size_t start = 0;;) {
      std::size_t comma = body.find(',', start);
      names.push_back(body.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (!names[i].empty() && names[i].back() == '*') {  // only after `/` and `.`
        names[i].pop_back();
        literal(std::string(1, op));
        pieces.push_back({true, names[i], op == '/' ? "?#" : "/?#", op});
        continue;
      }
      switch (op) {
        case 0: pieces.push_back({true, names[i], "/?#"}); break;
        case '+': pieces.push_back({true, names[i], "?#"}); break;
        case '#': literal("#"); pieces.push_back({true, names[i], ""}); break;
        case '/': literal("/"); pieces.push_back({true, names[i], "/?#"}); break;
        case '.': literal("."); pieces.push_back({true, names[i], "/?#."}); break;
        default:
          literal((op == '?' && i == 0 ? "?" : "&") + names[i] + "=");
          pieces.push_back({true, names[i], "&#"});
          break;
      }
    }
    pos = close + 1;
  }
  return pieces;
}

// A variable matches one or more bytes outside its `stops`. Shorter values
// for earlier variables are tried first.
bool template_match(const std::vector<TemplatePiece>& pieces, std::size_t k, const std::string& uri, std::size_t pos,
                    std::map<std::string, std::string>& captures) {
  if (k == pieces.size()) return pos == uri.size();
  const TemplatePiece& piece = pieces[k];
  if (!piece.variable) {
    if (uri.compare(pos, piece.text.size(), piece.text) != 0) return false;
    return template_match(pieces, k + 1, uri, pos + piece.text.size(), captures);
  }
  for (std::size_t end = pos + 1; end <= uri.size() && piece.stops.find(uri[end - 1]) == std::string::npos; ++end) {
    std::string value = uri.substr(pos, end - pos);
    if (piece.explode != 0) {  // elements are never empty
      std::string sep(1, piece.explode);
      if (value.front() == piece.explode || value.back() == piece.explode || value.find(sep + sep) != std::string::npos)
        continue;
    }
    captures[piece.text] = value;
    if (template_match(pieces, k + 1, uri, end, captures)) return true;
  }
  return false;
}

// ---- the interpreter ------------------------------------------------------------------------

enum class Source { Argument, Principal, EntityData };
constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxString = std::size_t{1} << 20;

enum class Applicability { Applies, NotApplicable, OutsideWindow, Error };

class Interpreter {
 public:
  Interpreter(const CheckedPolicy& policy, const Request& request, const Entities* entities)
      : policy_(policy), request_(request), entities_(entities) {}

  Answer run();

 private:
  // JSON -> a value of the declared type; nullopt when it does not fit.
  std::optional<Value> from_json(const Json& json, const Type* type, Source source, int depth) const;
  bool role_declared(const std::string& name) const { return policy_.find_role(name) != nullptr; }

  // Roles: does the user hold `role`, directly or through a role that includes it?
  std::set<std::string> includes(const std::string& role) const;
  bool holds(const std::string& role) const;

  std::set<TargetIndex> expand(const std::vector<ast::Target>& targets) const;
  void expand_into(const ast::Target& target, std::set<TargetIndex>& out, std::set<std::string>& groups_seen) const;

  static bool in_window(const std::optional<ast::TimeBound>& from, const std::optional<ast::TimeBound>& until,
                        std::int64_t now) {
    return (!from || from->millis <= now) && (!until || now < until->millis);
  }
  bool subject_matches(const ast::RuleDecl& rule) const;
  Applicability conditions(const ast::RuleDecl& rule);
  Applicability rule(const ast::RuleDecl& rule);

  Result eval(const ast::Expr& expr);
  Result eval_present(const ast::Expr& expr) {
    Result value = eval(expr);
    if (value && value->kind == Value::Kind::Absent) return std::nullopt;
    return value;
  }
  Result member(const ast::Expr& expr);
  Result has(const ast::Expr& expr);
  Result binary(const ast::Expr& expr);
  Result arithmetic(ast::BinaryOp op, const Value& a, const Value& b);
  const Json* find_entity(const Type* entity_type, const std::string& id) const;

  const CheckedPolicy& policy_;
  const Request& request_;
  const Entities* entities_;
  const CheckedTarget* target_ = nullptr;
  std::vector<std::pair<std::string, Value>> bound_;  // quantifiers' elements, innermost last
  // A principal attribute or an argument of a Set type repeats an element.
  // The runtime finds repeats only after every other check of the request
  // (principal first), so other invalid arguments take precedence over a
  // principal's repeated element; the docs do not say which comes first.
  mutable bool principal_set_repeats_ = false;
  mutable bool argument_set_repeats_ = false;
  std::vector<std::string> held_roles_;  // declared roles the request names, first mention first
  Value user_;
  Value args_;
};

std::optional<Value> Interpreter::from_json(const Json& json, const Type* type, Source source, int depth) const {
  if (depth > kMaxDepth) return std::nullopt;
  if (json.kind == Json::Kind::Null) {
    if (type->optional) return make(Value::Kind::Absent);
    return std::nullopt;
  }
  const Type* t = type->required;
  switch (t->kind) {
    case TypeKind::Bool:
      if (json.kind != Json::Kind::Bool) return std::nullopt;
      return make_bool(json.boolean);
    case TypeKind::Int:
      if (json.kind == Json::Kind::Int) return make_int(Value::Kind::Int, json.integer);
      if (json.kind == Json::Kind::Double && std::trunc(json.number) == json.number &&
          json.number >= -9223372036854775808.0 && json.number < 9223372036854775808.0) {
        return make_int(Value::Kind::Int, static_cast<std::int64_t>(json.number));
      }
      return std::nullopt;
    case TypeKind::Number:
      if (json.kind == Json::Kind::Int) return make_number(static_cast<double>(json.integer));
      if (json.kind == Json::Kind::Double) return make_number(json.number);
      return std::nullopt;
    case TypeKind::String:
    case TypeKind::Entity:
      if (json.kind != Json::Kind::String) return std::nullopt;
      if (json.text.size() > kMaxString) return std::nullopt;
      return make_text(Value::Kind::String, json.text);
    case TypeKind::Timestamp:
    case TypeKind::Duration: {
      auto kind = t->kind == TypeKind::Timestamp ? Value::Kind::Timestamp : Value::Kind::Duration;
      if (json.kind == Json::Kind::Int) return make_int(kind, json.integer);
      if (json.kind != Json::Kind::String) return std::nullopt;
      auto millis = kind == Value::Kind::Timestamp ? parse_timestamp(json.text) : parse_duration(json.text);
      if (!millis) return std::nullopt;
      return make_int(kind, *millis);
    }
    case TypeKind::Role:
      if (json.kind != Json::Kind::String || !role_declared(json.text)) return std::nullopt;
      return make_text(Value::Kind::Role, json.text);
    case TypeKind::Set:
    case TypeKind::List: {
      if (json.kind != Json::Kind::Array) return std::nullopt;
      Value out = make(t->kind == TypeKind::Set ? Value::Kind::Set : Value::Kind::List);
      for (const Json& item : json.items) {
        auto element = from_json(item, t->element, source, depth + 1);
        if (!element || element->kind == Value::Kind::Absent) return std::nullopt;
        // A set given in a request may not repeat an element; entity data may.
        if (out.kind == Value::Kind::Set && source != Source::EntityData && sequence_contains(out, *element)) {
          // Reported after every other check of the request, as the runtime does.
          (source == Source::Argument ? argument_set_repeats_ : principal_set_repeats_) = true;
        }
        out.items.push_back(std::move(*element));
      }
      return out;
    }
    case TypeKind::Map: {
      if (json.kind != Json::Kind::Object) return std::nullopt;
      Value out = make(Value::Kind::Map);
      for (std::size_t i = 0; i < json.keys.size(); ++i) {
        if (std::find(out.keys.begin(), out.keys.end(), json.keys[i]) != out.keys.end()) return std::nullopt;
        auto element = from_json(json.values[i], t->element, source, depth + 1);
        if (!element || element->kind == Value::Kind::Absent) return std::nullopt;
        out.keys.push_back(json.keys[i]);
        out.items.push_back(std::move(*element));
      }
      return out;
    }
    case TypeKind::Record: {
      if (json.kind != Json::Kind::Object) return std::nullopt;
      Value out = make(Value::Kind::Record);
      for (const Attribute& attribute : t->attributes()) {
        out.keys.push_back(attribute.name);
        out.items.push_back(make(Value::Kind::Absent));
      }
      std::set<std::string> seen;
      for (std::size_t i = 0; i < json.keys.size(); ++i) {
        if (!seen.insert(json.keys[i]).second) return std::nullopt;
        const Attribute* attribute = t->find_attribute(json.keys[i]);
        if (!attribute) return std::nullopt;
        auto value = from_json(json.values[i], attribute->type, source, depth + 1);
        if (!value) return std::nullopt;
        std::size_t at = static_cast<std::size_t>(std::find(out.keys.begin(), out.keys.end(), json.keys[i]) - out.keys.begin());
        out.items[at] = std::move(*value);
      }
      for (const Attribute& attribute : t->attributes()) {
        std::size_t at = static_cast<std::size_t>(std::find(out.keys.begin(), out.keys.end(), attribute.name) - out.keys.begin());
        if (out.items[at].kind == Value::Kind::Absent && !attribute.optional()) return std::nullopt;
      }
      return out;
    }
    default: return std::nullopt;
  }
}

std::set<std::string> Interpreter::includes(const std::string& role) const {
  std::set<std::string> seen;
  std::vector<std::string> work{role};
  while (!work.empty()) {
    std::string next = work.back();
    work.pop_back();
    if (!seen.insert(next).second) continue;
    const CheckedRole* declared = policy_.find_role(next);
    if (!declared) continue;
    for (RoleIndex parent : declared->parents) work.push_back(policy_.roles[parent].name);
  }
  return seen;
}

bool Interpreter::holds(const std::string& role) const {
  for (const std::string& held : held_roles_) {
    if (includes(held).count(role)) return true;
  }
  return false;
}

void Interpreter::expand_into(const ast::Target& target, std::set<TargetIndex>& out,
                              std::set<std::string>& groups_seen) const {
  switch (target.kind) {
    case ast::Target::Kind::AllRead:
      for (const CheckedTarget& t : policy_.targets) {
        if (t.kind != TargetKind::Tool || t.action == ast::Action::Read) out.insert(t.index);
      }
      return;
    case ast::Target::Kind::AllWrite:
      for (const CheckedTarget& t : policy_.targets) {
        if (t.kind == TargetKind::Tool && t.action == ast::Action::Write) out.insert(t.index);
      }
      return;
    case ast::Target::Kind::Named:
      if (const CheckedTarget* t = policy_.find_target(target.name)) {
        out.insert(t->index);
      } else if (const CheckedGroup* group = policy_.find_group(target.name)) {
        if (!groups_seen.insert(target.name).second) return;
        for (const ast::Target& member : group->decl->members) expand_into(member, out, groups_seen);
      }
      return;
  }
}

std::set<TargetIndex> Interpreter::expand(const std::vector<ast::Target>& targets) const {
  std::set<TargetIndex> out;
  std::set<std::string> groups_seen;
  for (const ast::Target& target : targets) expand_into(target, out, groups_seen);
  return out;
}

bool Interpreter::subject_matches(const ast::RuleDecl& rule) const {
  if (!rule.subjects_given) return true;  // a deny without subjects is for anyone
  for (const ast::Subject& subject : rule.subjects) {
    switch (subject.kind) {
      case ast::Subject::Kind::Anyone: return true;
      case ast::Subject::Kind::User:
        if (subject.name == request_.user_id) return true;
        break;
      case ast::Subject::Kind::Role:
        if (holds(subject.name)) return true;
        break;
    }
  }
  return false;
}

Applicability Interpreter::conditions(const ast::RuleDecl& rule) {
  if (rule.when) {
    Result value = eval_present(*rule.when);
    if (!value || value->kind != Value::Kind::Bool) return Applicability::Error;
    if (!value->boolean) return Applicability::NotApplicable;
  }
  if (rule.unless) {
    Result value = eval_present(*rule.unless);
    if (!value || value->kind != Value::Kind::Bool) return Applicability::Error;
    if (value->boolean) return Applicability::NotApplicable;
  }
  return Applicability::Applies;
}

Applicability Interpreter::rule(const ast::RuleDecl& rule) {
  if (!subject_matches(rule)) return Applicability::NotApplicable;
  if (!in_window(rule.from, rule.until, request_.now_ms)) return Applicability::OutsideWindow;
  return conditions(rule);
}

const Json* Interpreter::find_entity(const Type* entity_type, const std::string& id) const {
  if (!entities_) return nullptr;
  auto by_type = entities_->find(entity_type->required->name);
  if (by_type == entities_->end()) return nullptr;
  auto entity = by_type->second.find(id);
  if (entity == by_type->second.end() || entity->second.kind != Json::Kind::Object) return nullptr;
  return &entity->second;
}

Result Interpreter::member(const ast::Expr& expr) {
  const ast::Expr& object_expr = *expr.children[0];
  Result object = eval_present(object_expr);
  if (!object) return std::nullopt;
  const Type* object_type = object_expr.type->required;
  if (object_type->kind == TypeKind::Entity) {
    // Reading an attribute of an entity looks the entity up by its id.
    const Json* entity = find_entity(object_type, object->text);
    if (!entity) return std::nullopt;
    const Attribute* attribute = object_type->find_attribute(expr.text);
    if (!attribute) return std::nullopt;
    // The implicit `id` (also when written out) is the id the entity was looked up by.
    if (attribute->name == "id") return make_text(Value::Kind::String, object->text);
    const Json* raw = entity->find(expr.text);
    if (!raw || raw->kind == Json::Kind::Null) {
      if (attribute->optional()) return make(Value::Kind::Absent);
      return std::nullopt;
    }
    return from_json(*raw, attribute->type, Source::EntityData, 0);
  }
  // A principal, a record or `args`: a field of the value itself.
  for (std::size_t i = 0; i < object->keys.size(); ++i) {
    if (object->keys[i] == expr.text) return object->items[i];
  }
  return std::nullopt;
}

Result Interpreter::has(const ast::Expr& expr) {
  const ast::Expr& object_expr = *expr.children[0];
  Result object = eval_present(object_expr);
  if (!object) return std::nullopt;
  const Type* object_type = object_expr.type->required;
  if (object_type->kind == TypeKind::Entity) {
    const Json* entity = find_entity(object_type, object->text);
    if (!entity) return std::nullopt;
    if (expr.text == "id") return make_bool(true);  // the implicit id is always there
    const Json* raw = entity->find(expr.text);
    return make_bool(raw && raw->kind != Json::Kind::Null);
  }
  for (std::size_t i = 0; i < object->keys.size(); ++i) {
    if (object->keys[i] == expr.text) return make_bool(object->items[i].kind != Value::Kind::Absent);
  }
  return std::nullopt;
}

Result Interpreter::arithmetic(ast::BinaryOp op, const Value& a, const Value& b) {
  bool add = op == ast::BinaryOp::Add;
  auto checked = [&](std::int64_t x, std::int64_t y) -> std::optional<std::int64_t> {
    std::int64_t result;
    bool overflow = add ? __builtin_add_overflow(x, y, &result) : __builtin_sub_overflow(x, y, &result);
    if (overflow) return std::nullopt;
    return result;
  };
  using K = Value::Kind;
  if (a.kind == K::Int && b.kind == K::Int) {
    auto result = checked(a.integer, b.integer);
    if (!result) return std::nullopt;  // overflow is an evaluation error
    return make_int(K::Int, *result);
  }
  if (is_numeric(a) && is_numeric(b)) {
    double x = a.kind == K::Int ? static_cast<double>(a.integer) : a.number;
    double y = b.kind == K::Int ? static_cast<double>(b.integer) : b.number;
    double result = add ? x + y : x - y;
    if (!std::isfinite(result)) return std::nullopt;
    return make_number(result);
  }
  K result_kind;
  if (a.kind == K::Timestamp && b.kind == K::Duration) {
    result_kind = K::Timestamp;
  } else if (add && a.kind == K::Duration && b.kind == K::Timestamp) {
    result_kind = K::Timestamp;
  } else if (!add && a.kind == K::Timestamp && b.kind == K::Timestamp) {
    result_kind = K::Duration;
  } else if (a.kind == K::Duration && b.kind == K::Duration) {
    result_kind = K::Duration;
  } else {
    return std::nullopt;
  }
  auto result = checked(a.integer, b.integer);
  if (!result) return std::nullopt;
  return make_int(result_kind, *result);
}

Result Interpreter::binary(const ast::Expr& expr) {
  Result left = eval_present(*expr.children[0]);
  if (!left) return std::nullopt;
  Result right = eval_present(*expr.children[1]);
  if (!right) return std::nullopt;
  const Value& a = *left;
  const Value& b = *right;
  using K = Value::Kind;
  switch (expr.op) {
    case ast::BinaryOp::Eq:
    case ast::BinaryOp::Ne: {
      auto same = equal(a, b);
      if (!same) return std::nullopt;
      return make_bool(*same == (expr.op == ast::BinaryOp::Eq));
    }
    case ast::BinaryOp::Lt:
    case ast::BinaryOp::Le:
    case ast::BinaryOp::Gt:
    case ast::BinaryOp::Ge: {
      int order;
      if (is_numeric(a) && is_numeric(b)) {
        long double x = numeric(a), y = numeric(b);
        order = x < y ? -1 : x > y ? 1 : 0;
      } else if (a.kind == b.kind && (a.kind == K::Timestamp || a.kind == K::Duration)) {
        order = a.integer < b.integer ? -1 : a.integer > b.integer ? 1 : 0;
      } else {
        return std::nullopt;
      }
      switch (expr.op) {
        case ast::BinaryOp::Lt: return make_bool(order < 0);
        case ast::BinaryOp::Le: return make_bool(order <= 0);
        case ast::BinaryOp::Gt: return make_bool(order > 0);
        default: return make_bool(order >= 0);
      }
    }
    case ast::BinaryOp::In:
      if (!is_sequence(b)) return std::nullopt;
      return make_bool(sequence_contains(b, a));
    case ast::BinaryOp::Contains:
      if (!is_sequence(a)) return std::nullopt;
      return make_bool(sequence_contains(a, b));
    case ast::BinaryOp::ContainsAll:
    case ast::BinaryOp::ContainsAny: {
      if (!is_sequence(a) || !is_sequence(b)) return std::nullopt;
      bool all = true, any = false;
      for (const Value& item : b.items) {
        bool in = sequence_contains(a, item);
        all = all && in;
        any = any || in;
      }
      return make_bool(expr.op == ast::BinaryOp::ContainsAll ? all : any);
    }
    case ast::BinaryOp::Under: {
      if (a.kind != K::String || b.kind != K::String) return std::nullopt;
      auto path = normalise_path(a.text);
      auto base = normalise_path(b.text);
      if (!path || !base) return std::nullopt;  // cannot be compared: an error, not false
      if (base->size() > path->size()) return make_bool(false);
      return make_bool(std::equal(base->begin(), base->end(), path->begin()));
    }
    case ast::BinaryOp::Matches:
      if (a.kind != K::String || b.kind != K::String) return std::nullopt;
      return make_bool(glob_from(b.text, 0, a.text, 0));
    case ast::BinaryOp::StartsWith:
    case ast::BinaryOp::EndsWith: {
      // Byte by byte from the anchored end; no normalisation, case-sensitive.
      if (a.kind != K::String || b.kind != K::String) return std::nullopt;
      if (b.text.size() > a.text.size()) return make_bool(false);
      std::size_t offset = expr.op == ast::BinaryOp::StartsWith ? 0 : a.text.size() - b.text.size();
      for (std::size_t i = 0; i < b.text.size(); ++i) {
        if (a.text[offset + i] != b.text[i]) return make_bool(false);
      }
      return make_bool(true);
    }
    case ast::BinaryOp::Add:
    case ast::BinaryOp::Sub: return arithmetic(expr.op, a, b);
  }
  return std::nullopt;
}

Result Interpreter::eval(const ast::Expr& expr) {
  using K = Value::Kind;
  switch (expr.kind) {
    case ast::ExprKind::Bool: return make_bool(expr.bool_value);
    case ast::ExprKind::Int:
      // An Int literal the checker typed as Number (in a list of Numbers) is a Number.
      if (expr.type && expr.type->kind == TypeKind::Number) return make_number(static_cast<double>(expr.int_value));
      return make_int(K::Int, expr.int_value);
    case ast::ExprKind::String: return make_text(K::String, expr.text);
    case ast::ExprKind::Timestamp: return make_int(K::Timestamp, expr.int_value);
    case ast::ExprKind::Duration: return make_int(K::Duration, expr.int_value);
    case ast::ExprKind::Now: return make_int(K::Timestamp, request_.now_ms);
    case ast::ExprKind::User: return user_;
    case ast::ExprKind::Args: return args_;
    case ast::ExprKind::Name:
      for (auto it = bound_.rbegin(); it != bound_.rend(); ++it) {
        if (it->first == expr.text) return it->second;  // a quantifier's element
      }
      return make_text(K::Role, expr.text);
    case ast::ExprKind::All:
    case ast::ExprKind::Any: {
      // Every element in order; stops at the first that decides; an empty
      // list: all is true, any false. An error in any body is an error.
      Result list = eval_present(*expr.children[0]);
      if (!list || !is_sequence(*list)) return std::nullopt;
      bool is_all = expr.kind == ast::ExprKind::All;
      for (const Value& item : list->items) {
        bound_.emplace_back(expr.text, item);
        Result body = eval_present(*expr.children[1]);
        bound_.pop_back();
        if (!body || body->kind != K::Bool) return std::nullopt;
        if (body->boolean != is_all) return make_bool(!is_all);
      }
      return make_bool(is_all);
    }
    case ast::ExprKind::List: {
      Value list = make(K::List);
      for (const auto& child : expr.children) {
        Result element = eval_present(*child);
        if (!element) return std::nullopt;
        list.items.push_back(std::move(*element));
      }
      return list;
    }
    case ast::ExprKind::Member: return member(expr);
    case ast::ExprKind::Has: return has(expr);
    case ast::ExprKind::Is: return make_bool(holds(expr.text));
    case ast::ExprKind::Not: {
      Result operand = eval_present(*expr.children[0]);
      if (!operand || operand->kind != K::Bool) return std::nullopt;
      return make_bool(!operand->boolean);
    }
    case ast::ExprKind::Negate: {
      Result operand = eval_present(*expr.children[0]);
      if (!operand) return std::nullopt;
      if (operand->kind == K::Number) return make_number(-operand->number);
      if (operand->kind != K::Int && operand->kind != K::Duration) return std::nullopt;
      if (operand->integer == std::numeric_limits<std::int64_t>::min()) return std::nullopt;  // overflow
      return make_int(operand->kind, -operand->integer);
    }
    case ast::ExprKind::And:
    case ast::ExprKind::Or: {
      // Left to right; stops as soon as the result is known.
      bool is_and = expr.kind == ast::ExprKind::And;
      for (const auto& child : expr.children) {
        Result operand = eval_present(*child);
        if (!operand || operand->kind != K::Bool) return std::nullopt;
        if (operand->boolean != is_and) return make_bool(!is_and);
      }
      return make_bool(is_and);
    }
    case ast::ExprKind::Binary: return binary(expr);
  }
  return std::nullopt;
}

std::string constant_json(const Constant& constant) {
  switch (constant.type ? constant.type->kind : TypeKind::Error) {
    case TypeKind::Bool: return constant.bool_value ? "true" : "false";
    case TypeKind::Int: return std::to_string(constant.int_value);
    case TypeKind::String:
    case TypeKind::Role: return Json::of_string(constant.string_value).dump();
    case TypeKind::Set:
    case TypeKind::List:
    case TypeKind::EmptyList: {
      std::string out = "[";
      for (std::size_t i = 0; i < constant.elements.size(); ++i) {
        out += (i ? "," : "") + constant_json(constant.elements[i]);
      }
      return out + "]";
    }
    default: return "(unsupported constant)";
  }
}

Answer Interpreter::run() {
  Answer answer;
  answer.reason = "not_permitted";

  // The target.
  for (const CheckedTarget& t : policy_.targets) {
    bool kind_matches = (request_.method == Method::Tool && t.kind == TargetKind::Tool) ||
                        (request_.method == Method::Prompt && t.kind == TargetKind::Prompt);
    if (kind_matches && t.name == request_.target) target_ = &t;
  }
  std::map<std::string, std::string> captures;
  if (request_.method == Method::Resource) {
    for (const CheckedTarget& t : policy_.targets) {
      if (t.kind == TargetKind::Resource && !t.uri_is_template && t.uri == request_.target) target_ = &t;
    }
    for (const CheckedTarget& t : policy_.targets) {
      if (target_) break;
      if (t.kind != TargetKind::Resource || !t.uri_is_template) continue;
      captures.clear();
      if (template_match(template_pieces(t.uri), 0, request_.target, 0, captures)) target_ = &t;
    }
  }
  if (!target_) {
    answer.reason = "unknown_target";
    return answer;
  }

  // The principal: id and roles from the request, other attributes typed.
  for (const std::string& role : request_.roles) {
    if (role_declared(role) && std::find(held_roles_.begin(), held_roles_.end(), role) == held_roles_.end()) {
      held_roles_.push_back(role);
    }
  }
  user_ = make(Value::Kind::Record);
  std::set<std::string> attribute_keys;
  if (request_.attributes.kind == Json::Kind::Object) {
    for (const std::string& key : request_.attributes.keys) {
      if (!attribute_keys.insert(key).second && policy_.principal->find_attribute(key) && key != "id" && key != "roles") {
        answer.reason = "error";  // an attribute given twice
        return answer;
      }
    }
  } else if (request_.attributes.kind != Json::Kind::Null) {
    answer.reason = "error";
    return answer;
  }
  for (const Attribute& attribute : policy_.principal->attributes()) {
    user_.keys.push_back(attribute.name);
    if (attribute.name == "id") {
      user_.items.push_back(make_text(Value::Kind::String, request_.user_id));
    } else if (attribute.name == "roles") {
      Value roles = make(Value::Kind::Set);
      for (const std::string& role : held_roles_) roles.items.push_back(make_text(Value::Kind::Role, role));
      user_.items.push_back(roles);
    } else {
      const Json* given = request_.attributes.find(attribute.name);
      if (!given) {
        user_.items.push_back(make(Value::Kind::Absent));
        continue;
      }
      auto value = from_json(*given, attribute.type, Source::Principal, 1);
      if (!value) {
        answer.reason = "error";  // a principal attribute of the wrong type
        return answer;
      }
      user_.items.push_back(std::move(*value));
    }
  }

  // The arguments.
  args_ = make(Value::Kind::Record);
  if (target_->kind == TargetKind::Resource) {
    if (request_.arguments.kind != Json::Kind::Null &&
        !(request_.arguments.kind == Json::Kind::Object && request_.arguments.keys.empty())) {
      answer.reason = "invalid_arguments";
      return answer;
    }
    std::map<std::string, char> separators;
    for (const TemplatePiece& piece : template_pieces(target_->uri)) {
      if (piece.variable) separators[piece.text] = piece.explode;
    }
    for (const Attribute& param : target_->params) {
      args_.keys.push_back(param.name);
      if (separators[param.name] == 0) {
        args_.items.push_back(make_text(Value::Kind::String, captures[param.name]));
        continue;
      }
      Value list = make(Value::Kind::List);  // an exploded variable: its elements
      const std::string& text = captures[param.name];
      for (std::size_t start = 0;;) {
        std::size_t end = text.find(separators[param.name], start);
        list.items.push_back(make_text(Value::Kind::String, text.substr(start, end == std::string::npos ? std::string::npos : end - start)));
        if (end == std::string::npos) break;
        start = end + 1;
      }
      args_.items.push_back(std::move(list));
    }
  } else {
    Json arguments = request_.arguments.kind == Json::Kind::Null ? Json::object() : request_.arguments;
    if (arguments.kind != Json::Kind::Object) {
      answer.reason = "invalid_arguments";
      return answer;
    }
    std::set<std::string> seen;
    for (const std::string& key : arguments.keys) {
      if (!target_->params.find(key) || !seen.insert(key).second) {
        answer.reason = "invalid_arguments";  // unknown or repeated argument
        return answer;
      }
    }
    for (const Attribute& param : target_->params) {
      args_.keys.push_back(param.name);
      const Json* given = arguments.find(param.name);
      if (!given) {
        if (!param.optional()) {
          answer.reason = "invalid_arguments";  // a required argument is missing
          return answer;
        }
        args_.items.push_back(make(Value::Kind::Absent));
        continue;
      }
      auto value = from_json(*given, param.type, Source::Argument, 1);
      if (!value) {
        answer.reason = "invalid_arguments";
        return answer;
      }
      args_.items.push_back(std::move(*value));
    }
  }

  if (principal_set_repeats_ || argument_set_repeats_) {
    answer.reason = principal_set_repeats_ ? "error" : "invalid_arguments";
    return answer;
  }

  // Rules that name the target, in source order.
  std::vector<const CheckedRule*> denies, allows;
  for (const CheckedRule& rule : policy_.rules) {
    if (!expand(rule.decl->targets).count(target_->index)) continue;
    (rule.decl->effect == ast::Effect::Deny ? denies : allows).push_back(&rule);
  }
  std::vector<const CheckedGrant*> grants;
  for (const CheckedGrant& grant : policy_.grants) {
    if (expand(grant.decl->targets).count(target_->index)) grants.push_back(&grant);
  }

  // Deny wins; a deny that fails to evaluate denies too.
  std::vector<std::string> applied_denies, failed_denies;
  for (const CheckedRule* deny : denies) {
    Applicability outcome = rule(*deny->decl);
    if (outcome == Applicability::Applies) applied_denies.push_back(deny->decl->id.text);
    if (outcome == Applicability::Error) failed_denies.push_back(deny->decl->id.text);
  }
  if (!applied_denies.empty() || !failed_denies.empty()) {
    answer.reason = applied_denies.empty() ? "error" : "forbidden";
    answer.determining = applied_denies.empty() ? failed_denies : applied_denies;
    std::sort(answer.determining.begin(), answer.determining.end());
    return answer;
  }

  // Allows and grants.
  for (const CheckedRule* allow : allows) {
    if (rule(*allow->decl) != Applicability::Applies) continue;
    answer.determining.push_back(allow->decl->id.text);
    for (const ObligationCall& call : allow->obligations) {
      std::string text = allow->decl->id.text + ": " + policy_.obligations[call.obligation].name + "(";
      for (std::size_t i = 0; i < call.arguments.size(); ++i) {
        text += (i ? ", " : "") + call.arguments[i].name + "=" + constant_json(call.arguments[i].value);
      }
      answer.obligations.push_back(text + ")");
    }
  }
  for (const CheckedGrant* grant : grants) {
    if (grant->decl->user == request_.user_id && in_window(grant->decl->from, grant->decl->until, request_.now_ms)) {
      answer.determining.push_back(grant->decl->id.text);
    }
  }
  if (!answer.determining.empty()) {
    answer.allow = true;
    answer.reason = "allowed";
    std::sort(answer.determining.begin(), answer.determining.end());
    return answer;
  }

  // Nothing allows: would something have, but for the clock?
  for (const CheckedRule* allow : allows) {
    const ast::RuleDecl& decl = *allow->decl;
    if (!subject_matches(decl) || in_window(decl.from, decl.until, request_.now_ms)) continue;
    if (conditions(decl) == Applicability::Applies) answer.determining.push_back(decl.id.text);
  }
  for (const CheckedGrant* grant : grants) {
    if (grant->decl->user == request_.user_id && !in_window(grant->decl->from, grant->decl->until, request_.now_ms)) {
      answer.determining.push_back(grant->decl->id.text);
    }
  }
  answer.obligations.clear();
  std::sort(answer.determining.begin(), answer.determining.end());
  answer.reason = answer.determining.empty() ? "not_permitted" : "expired";
  return answer;
}

}  // namespace

Answer decide(const CheckedPolicy& policy, const Request& request, const Entities* entities) {
  return Interpreter(policy, request, entities).run();
}

}  // namespace authz::reference
