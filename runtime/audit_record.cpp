// audit_record.cpp — building audit records from a decision: the record time,
// argument redaction (sensitive parameters, unknown targets), the obligations
// fragment and the shadow decision (contract in audit_log.h; schema in
// docs/audit.md). Both raw JSON fragments are left in the parser's minified
// form and marked so by canonical_fragments, so the writer need not re-check
// them.
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/audit_log.h"
#include "runtime/internal/audit_format.h"
#include "runtime/internal/json_canonical.h"
#include "runtime/internal/string_map.h"
#include "runtime/internal/time_text.h"
#include "runtime/internal/value_text.h"

namespace authz::runtime {
namespace {

using internal::append_audit_string;

const char* method_name(MethodKind kind) {
  switch (kind) {
    case MethodKind::ToolCall: return "tools/call";
    case MethodKind::ResourceRead: return "resources/read";
    case MethodKind::PromptGet: return "prompts/get";
  }
  return "tools/call";
}

TargetKind target_kind_of(MethodKind kind) {
  switch (kind) {
    case MethodKind::ToolCall: return TargetKind::Tool;
    case MethodKind::ResourceRead: return TargetKind::Resource;
    case MethodKind::PromptGet: return TargetKind::Prompt;
  }
  return TargetKind::Tool;
}

}  // namespace

namespace internal {

std::uint64_t fragments_digest(const AuditRecord& record) {
  std::uint64_t hash = internal::kFnvOffset;
  auto mix = [&](std::string_view text) {
    hash = internal::fnv1a(text, hash);
    hash = (hash ^ 0xff) * internal::kFnvPrime;  // a separator no UTF-8 text contains
  };
  mix(record.arguments_json);
  mix(record.obligations_json);
  return hash == 0 ? 1 : hash;
}

}  // namespace internal

// 2026-11-26T14:46:47.123Z: always three fraction digits, so every record's
// time has one width and sorts as text.
void format_record_time(std::string& out, std::int64_t now_ms) {
  std::int64_t millis = now_ms % 1000;
  if (millis < 0) millis += 1000;
  // Whole seconds, ending in `Z`: the fraction goes before it.
  char whole[24];
  if (const std::size_t size = write_timestamp(whole, now_ms - millis); size != 0) {
    out.assign(whole, size);
  } else {
    out = format_timestamp(now_ms - millis);  // a year outside 0000..9999
  }
  if (out.empty() || out.back() != 'Z') return;
  const char fraction[5] = {'.', static_cast<char>('0' + millis / 100), static_cast<char>('0' + millis / 10 % 10),
                            static_cast<char>('0' + millis % 10), 'Z'};
  out.pop_back();
  out.append(fraction, sizeof fraction);
}

namespace {

// Whether any parameter's value must be hidden: all of them for an unknown
// target (null), since which are secret is unknown.
bool has_sensitive_parameter(const Target* target) {
  if (!target) return true;
  for (const Parameter& param : target->params) {
    if (param.sensitive) return true;
  }
  return false;
}

bool is_sensitive(const Target* target, std::string_view name) {
  if (!target) return true;  // unknown target: which parameters are secret is unknown, so all are
  for (const Parameter& param : target->params) {
    if (param.name == name) return param.sensitive;
  }
  return false;
}

// The common case, without a parser: arguments an MCP client sent are
// usually minified already (JSON.stringify), and then they are stored as
// they are, with only sensitive values swapped.
bool redact_canonical(const Target* target, bool any_sensitive, std::string_view arguments_json, std::string& out) {
  if (!any_sensitive) {
    if (!internal::canonical_json_object(arguments_json, nullptr)) return false;
    out.assign(arguments_json);
    return true;
  }
  thread_local std::vector<internal::CanonicalMember> members;
  if (!internal::canonical_json_object(arguments_json, &members)) return false;
  for (const auto& member : members) {
    if (member.key_escaped) return false;  // names compare decoded: the parser's path
  }
  out.assign("{");
  for (const auto& member : members) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += member.key;
    out += "\":";
    if (is_sensitive(target, member.key)) {
      append_audit_string(out, kAuditRedacted);
    } else {
      out += member.value;
    }
  }
  out += '}';
  return true;
}

}  // namespace

void redact_arguments(const Target* target, std::string_view arguments_json, std::string& out) {
  if (arguments_json.empty()) {
    out.assign("{}");
    return;
  }
  const bool any_sensitive = has_sensitive_parameter(target);
  if (redact_canonical(target, any_sensitive, arguments_json, out)) return;
  // One parser per thread: its buffers are reused, so a record costs no
  // parser allocation on the gateway's hot path.
  thread_local simdjson::dom::parser parser;
  thread_local std::string padded;  // the text plus simdjson's padding, reused
  padded.assign(arguments_json);
  padded.append(simdjson::SIMDJSON_PADDING, '\0');
  simdjson::dom::element root;
  simdjson::dom::object object;
  if (parser.parse(padded.data(), arguments_json.size(), false).get(root) != simdjson::SUCCESS ||
      root.get_object().get(object) != simdjson::SUCCESS) {
    out.assign("{\"[unparsed]\":\"[redacted]\"}");
    return;
  }
  if (!any_sensitive) {
    out = simdjson::minify(root);  // nothing to hide: the canonical form as it is
    return;
  }
  out.assign("{");
  for (auto field : object) {
    if (out.size() > 1) out += ',';
    append_audit_string(out, field.key);
    out += ':';
    if (is_sensitive(target, field.key)) {
      append_audit_string(out, kAuditRedacted);
    } else {
      out += simdjson::minify(field.value);
    }
  }
  out += '}';
}

std::string redact_arguments(const Target* target, std::string_view arguments_json) {
  std::string out;
  redact_arguments(target, arguments_json, out);
  return out;
}

void make_audit_record(AuditRecord& record, const Request& request, const Decision& decision, const Engine& engine,
                       std::int64_t evaluation_ns, std::string_view method) {
  record.seq = 0;
  format_record_time(record.time, request.now_ms);
  decision.id.hex(record.decision_id);
  record.user.assign(request.principal.id);
  record.method.assign(method.empty() ? std::string_view(method_name(request.method)) : method);
  record.target.assign(request.target);

  // The target whose parameters say what to redact; a Decision from another
  // engine does not match it and is treated as an unknown target (all redacted).
  const Target* target = nullptr;
  const auto& targets = engine.model().targets;
  if (decision.target_index < targets.size()) {
    const Target& candidate = targets[decision.target_index];
    if (candidate.kind == target_kind_of(request.method) && candidate.name == decision.target) target = &candidate;
  }
  redact_arguments(target, request.arguments_json, record.arguments_json);

  record.effect.assign(to_string(decision.effect));
  record.reason.assign(to_string(decision.reason));
  // An invalid-arguments message may quote an argument's value.
  if (decision.reason == Reason::InvalidArguments && has_sensitive_parameter(target) && !decision.message.empty()) {
    record.message.assign("(withheld: the target has sensitive parameters)");
  } else {
    record.message.assign(decision.message);
  }
  record.rules.resize(decision.determining_rules.size());
  for (std::size_t i = 0; i < record.rules.size(); ++i) record.rules[i].assign(decision.determining_rules[i]);

  record.obligations_json.assign("[");
  for (const AppliedObligation& obligation : decision.obligations) {
    std::string& obligations = record.obligations_json;
    if (obligations.size() > 1) obligations += ',';
    obligations += "{\"rule\":";
    append_audit_string(obligations, obligation.rule);
    obligations += ",\"name\":";
    append_audit_string(obligations, obligation.name);
    obligations += ",\"arguments\":{";
    bool first = true;
    for (const ObligationArgument& argument : obligation.arguments) {
      if (!first) obligations += ',';
      first = false;
      append_audit_string(obligations, argument.name);
      obligations += ':';
      obligations += argument.json.empty() ? std::string_view("null") : argument.json;
    }
    obligations += "}}";
  }
  record.obligations_json += ']';
  if (!decision.obligations.empty()) {
    // Re-minify through the parser so the stored form is the canonical one.
    thread_local simdjson::dom::parser parser;
    simdjson::padded_string padded(record.obligations_json);
    simdjson::dom::element element;
    record.obligations_json =
        parser.parse(padded).get(element) == simdjson::SUCCESS ? simdjson::minify(element) : std::string("[]");
  }
  record.policy_hash.assign(engine.policy_hash());
  record.evaluation_ns = evaluation_ns;
  record.has_shadow = false;
  record.previous.clear();
  record.hash.clear();
  record.canonical_fragments = internal::fragments_digest(record);  // both fragments are in the parser's form
}

void set_audit_shadow(AuditRecord& record, const Decision& shadow_decision, const Engine& shadow_engine) {
  record.has_shadow = true;
  record.shadow.effect.assign(to_string(shadow_decision.effect));
  record.shadow.reason.assign(to_string(shadow_decision.reason));
  record.shadow.rules.resize(shadow_decision.determining_rules.size());
  for (std::size_t i = 0; i < record.shadow.rules.size(); ++i) {
    record.shadow.rules[i].assign(shadow_decision.determining_rules[i]);
  }
  record.shadow.policy_hash.assign(shadow_engine.policy_hash());
}

AuditRecord make_audit_record(const Request& request, const Decision& decision, const Engine& engine,
                              std::int64_t evaluation_ns, std::string_view method) {
  AuditRecord record;
  make_audit_record(record, request, decision, engine, evaluation_ns, method);
  return record;
}

}  // namespace authz::runtime
