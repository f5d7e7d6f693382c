// obligation_json.h — one obligation as JSON, the way decisions, traces and
// partial evaluation's residuals print it.
//
// Contract: append_obligation_json(out, obligation) appends
//   {"rule":<rule>,"name":<name>,"arguments":{"<argument>":<json>,...}}
// with the strings written by append_quoted (value_text.h), each argument's
// value as the JSON text the table stores, in declared order. An obligation
// with a `certain` member (partial_eval.h's ResidualObligation) gets
// `,"certain":true|false` after its name. Works for AppliedObligation
// (decision.h: ObligationArgument arguments) and ResidualObligation (owned
// (name, json) pairs). Private to the runtime and the project's programs.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "runtime/decision.h"
#include "runtime/internal/value_text.h"

namespace authz::runtime::internal {

inline std::string_view obligation_argument_name(const ObligationArgument& argument) { return argument.name; }
inline std::string_view obligation_argument_json(const ObligationArgument& argument) { return argument.json; }
inline std::string_view obligation_argument_name(const std::pair<std::string, std::string>& argument) {
  return argument.first;
}
inline std::string_view obligation_argument_json(const std::pair<std::string, std::string>& argument) {
  return argument.second;
}

template <class Obligation>
void append_obligation_json(std::string& out, const Obligation& obligation) {
  out += "{\"rule\":";
  append_quoted(out, obligation.rule);
  out += ",\"name\":";
  append_quoted(out, obligation.name);
  if constexpr (requires { obligation.certain; }) {
    out += ",\"certain\":";
    out += obligation.certain ? "true" : "false";
  }
  out += ",\"arguments\":{";
  bool first = true;
  for (const auto& argument : obligation.arguments) {
    if (!first) out += ',';
    first = false;
    append_quoted(out, obligation_argument_name(argument));
    out += ':';
    out += obligation_argument_json(argument);
  }
  out += "}}";
}

}  // namespace authz::runtime::internal
