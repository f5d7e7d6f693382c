// reference_interpreter.h — a deliberately simple interpreter of checked
// policies, written from docs/language.md alone, to test the compiler's
// lowering and the runtime against (tests/differential/differential_test.cpp).
//
// Contract: decide() answers one request over a CheckedPolicy (the typed AST)
// without using anything from runtime/: its own JSON and value types, its own
// path normaliser, glob matcher, URI-template matcher and timestamp parser. It
// favours being obviously right over being fast: values are copied, entities
// are looked up by walking maps, globs match by plain recursion.
//
// Semantics (docs/language.md, "Evaluation"; reasons as runtime/decision.h
// names them):
//   - the target must exist (else unknown_target); principal attributes must
//     have their declared types (else error); arguments must fit the target's
//     parameters (else invalid_arguments);
//   - any applying deny -> deny, forbidden, the applying denies;
//   - else any deny whose condition failed -> deny, error, those denies;
//   - else any applying allow or grant -> allow, allowed, those allows and
//     grants, with the obligations of the applying allows in rule order;
//   - else allows whose subject matches and whose conditions hold but whose
//     window excludes `now`, and grants of this user outside their window ->
//     deny, expired, those; else deny, not_permitted.
// A rule applies when its subject matches, now is in [from, until), `when` is
// true and `unless` is false, evaluated in that order. An evaluation error
// makes an allow not apply and a deny fail (see above).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/checker.h"

namespace authz::reference {

// A JSON value as the differential test builds requests and entity data.
// Objects keep their members in insertion order.
struct Json {
  enum class Kind { Null, Bool, Int, Double, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  std::int64_t integer = 0;
  double number = 0;
  std::string text;
  std::vector<Json> items;             // Array
  std::vector<std::string> keys;       // Object: member names
  std::vector<Json> values;            // Object: member values, parallel to keys

  static Json null() { return {}; }
  static Json of_bool(bool value);
  static Json of_int(std::int64_t value);
  static Json of_double(double value);
  static Json of_string(std::string value);
  static Json array(std::vector<Json> items = {});
  static Json object();
  Json& set(std::string key, Json value);  // appends a member (objects only)
  const Json* find(std::string_view key) const;
  std::string dump() const;  // compact JSON text
};

enum class Method { Tool, Resource, Prompt };

struct Request {
  std::string user_id;
  std::vector<std::string> roles;  // as the identity provider sends them
  Json attributes;                 // an object of principal attributes, or null for none
  Method method = Method::Tool;
  std::string target;              // tool or prompt name, or a resource URI
  Json arguments;                  // an object, or null for none
  std::int64_t now_ms = 0;
};

// Entity data: type name -> id -> object of attributes.
using Entities = std::map<std::string, std::map<std::string, Json>>;

struct Answer {
  bool allow = false;
  std::string reason;                    // "allowed", "forbidden", "not_permitted", ...
  std::vector<std::string> determining;  // sorted
  std::vector<std::string> obligations;  // "rule: name(arg=json, ...)", in rule order
};

// `entities` null means the host supplied no entity data at all.
Answer decide(const CheckedPolicy& policy, const Request& request, const Entities* entities);

std::string to_string(const Answer& answer);

}  // namespace authz::reference
