// audit_record_json.cpp — an audit record's one byte form: the canonical
// serializer, the parser that accepts a stored line only if serializing it
// again gives back exactly its bytes, and the hash of a stored line (contract
// in audit_log.h; schema and chain rules in docs/audit.md).
//
// Why the parser re-serializes: a record is accepted only if parsing it and
// serializing it again gives back exactly the stored bytes, so there is one
// byte form per record and the hash covers everything a reader sees
// (duplicate keys, extra fields or reordered fields are all rejected).
#include <simdjson.h>

#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/audit_log.h"
#include "runtime/internal/audit_format.h"
#include "runtime/internal/sha256.h"

namespace authz::runtime {
namespace {

using internal::append_audit_string;

constexpr int kFormatVersion = 1;

bool is_lower_hex(std::string_view text, std::size_t length) {
  if (text.size() != length) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

template <class Number>
void append_number(std::string& out, Number number) {
  char digits[24];
  auto written = std::to_chars(digits, digits + sizeof digits, number);
  out.append(digits, written.ptr);
}

// A run of string fields, in order: each its key (the field name with its
// punctuation) and its text as a JSON string; with `skip_empty`, an empty
// text leaves its field out.
using StringField = std::pair<std::string_view, const std::string*>;
void append_string_fields(std::string& out, std::initializer_list<StringField> fields, bool skip_empty = false) {
  for (const auto& [key, text] : fields) {
    if (skip_empty && text->empty()) continue;
    out += key;
    append_audit_string(out, *text);
  }
}

// `key` and the strings as a JSON array.
void append_strings_field(std::string& out, std::string_view key, const std::vector<std::string>& items) {
  out += key;
  out += '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    append_audit_string(out, items[i]);
  }
  out += ']';
}

// The string member `key` of `object` into `into`; false when it is missing or not a string.
bool read_string(simdjson::dom::object& object, const char* key, std::string& into) {
  std::string_view text;
  if (object[key].get_string().get(text) != simdjson::SUCCESS) return false;
  into = std::string(text);
  return true;
}

// Every element of `array` appended to `into`; false at the first that is not a string.
bool read_strings(simdjson::dom::array array, std::vector<std::string>& into) {
  for (auto element : array) {
    std::string_view text;
    if (element.get_string().get(text)) return false;
    into.emplace_back(text);
  }
  return true;
}

}  // namespace

void append_audit_record(std::string& out, const AuditRecord& record, bool with_hash) {
  out.reserve(out.size() + 512 + record.arguments_json.size() + record.obligations_json.size());
  out += "{\"v\":";
  append_number(out, kFormatVersion);
  out += ",\"seq\":";
  append_number(out, record.seq);
  append_string_fields(out, {{",\"time\":", &record.time}, {",\"decision_id\":", &record.decision_id},
                            {",\"user\":", &record.user}, {",\"method\":", &record.method},
                            {",\"target\":", &record.target}});
  out += ",\"arguments\":";
  out += record.arguments_json.empty() ? std::string_view("{}") : std::string_view(record.arguments_json);
  append_string_fields(out, {{",\"effect\":", &record.effect}, {",\"reason\":", &record.reason},
                            {",\"message\":", &record.message}});
  append_strings_field(out, ",\"rules\":", record.rules);
  out += ",\"obligations\":";
  out += record.obligations_json.empty() ? std::string_view("[]") : std::string_view(record.obligations_json);
  append_string_fields(out, {{",\"policy_hash\":", &record.policy_hash}});
  out += ",\"evaluation_ns\":";
  append_number(out, record.evaluation_ns);
  const AuditCaller& caller = record.caller;  // each present only when non-empty
  append_string_fields(out, {{",\"issuer\":", &caller.issuer}, {",\"client_id\":", &caller.client_id},
                            {",\"token_id\":", &caller.token_id}, {",\"session_id\":", &caller.session_id},
                            {",\"remote_address\":", &caller.remote_address}},
                       true);
  if (record.has_shadow) {
    append_string_fields(out, {{",\"shadow\":{\"effect\":", &record.shadow.effect},
                              {",\"reason\":", &record.shadow.reason}});
    append_strings_field(out, ",\"rules\":", record.shadow.rules);
    append_string_fields(out, {{",\"policy_hash\":", &record.shadow.policy_hash}});
    out += '}';
  }
  append_string_fields(out, {{",\"previous\":", &record.previous}});
  if (with_hash) append_string_fields(out, {{",\"hash\":", &record.hash}});
  out += '}';
}

std::string serialize_audit_record(const AuditRecord& record, bool with_hash) {
  std::string out;
  append_audit_record(out, record, with_hash);
  return out;
}

std::string compute_audit_hash(const AuditRecord& record) {
  auto digest = sha256(serialize_audit_record(record, false));
  return digest ? to_hex(*digest) : std::string();
}

namespace internal {

Result<AuditRecord> parse_audit_record_with(simdjson::dom::parser& parser, std::string_view line) {
  using R = Result<AuditRecord>;
  if (line.empty()) return R::failure("empty line");
  simdjson::padded_string padded(line);
  simdjson::dom::element root;
  if (auto error = parser.parse(padded).get(root)) {
    return R::failure(std::string("not valid JSON (") + simdjson::error_message(error) + ")");
  }
  simdjson::dom::object object;
  if (root.get_object().get(object)) return R::failure("not a JSON object");

  AuditRecord record;
  std::int64_t version = 0;
  if (object["v"].get_int64().get(version) != simdjson::SUCCESS || version != kFormatVersion) {
    return R::failure("missing or unsupported format version `v`");
  }
  std::uint64_t seq = 0;
  if (object["seq"].get_uint64().get(seq) != simdjson::SUCCESS) return R::failure("missing or invalid `seq`");
  record.seq = seq;
  const char* string_fields[] = {"time", "decision_id", "user", "method", "target", "effect",
                                 "reason", "message", "policy_hash", "previous", "hash"};
  std::string* string_targets[] = {&record.time,   &record.decision_id, &record.user,        &record.method,
                                   &record.target, &record.effect,      &record.reason,      &record.message,
                                   &record.policy_hash, &record.previous, &record.hash};
  for (std::size_t i = 0; i < std::size(string_fields); ++i) {
    if (!read_string(object, string_fields[i], *string_targets[i])) {
      return R::failure(std::string("missing or invalid `") + string_fields[i] + "`");
    }
  }
  simdjson::dom::object arguments;
  if (object["arguments"].get_object().get(arguments)) return R::failure("missing or invalid `arguments`");
  record.arguments_json = simdjson::minify(simdjson::dom::element(object["arguments"].value_unsafe()));
  simdjson::dom::array rules;
  if (object["rules"].get_array().get(rules)) return R::failure("missing or invalid `rules`");
  if (!read_strings(rules, record.rules)) return R::failure("`rules` must hold strings");
  simdjson::dom::array obligations;
  if (object["obligations"].get_array().get(obligations)) return R::failure("missing or invalid `obligations`");
  record.obligations_json = simdjson::minify(simdjson::dom::element(object["obligations"].value_unsafe()));
  if (object["evaluation_ns"].get_int64().get(record.evaluation_ns) != simdjson::SUCCESS) {
    return R::failure("missing or invalid `evaluation_ns`");
  }
  // The caller's fields are optional; present, each is a string (and
  // non-empty: the canonical-form check below refuses an empty one).
  const char* caller_keys[] = {"issuer", "client_id", "token_id", "session_id", "remote_address"};
  std::string* caller_targets[] = {&record.caller.issuer, &record.caller.client_id, &record.caller.token_id,
                                   &record.caller.session_id, &record.caller.remote_address};
  for (std::size_t i = 0; i < std::size(caller_keys); ++i) {
    simdjson::dom::element value;
    if (object[caller_keys[i]].get(value) != simdjson::SUCCESS) continue;
    if (!read_string(object, caller_keys[i], *caller_targets[i])) {
      return R::failure(std::string("invalid `") + caller_keys[i] + "`");
    }
  }
  simdjson::dom::object shadow;
  auto shadow_error = object["shadow"].get_object().get(shadow);
  if (shadow_error == simdjson::SUCCESS) {
    record.has_shadow = true;
    if (!read_string(shadow, "effect", record.shadow.effect)) return R::failure("missing or invalid `shadow.effect`");
    if (!read_string(shadow, "reason", record.shadow.reason)) return R::failure("missing or invalid `shadow.reason`");
    if (!read_string(shadow, "policy_hash", record.shadow.policy_hash)) {
      return R::failure("missing or invalid `shadow.policy_hash`");
    }
    simdjson::dom::array shadow_rules;
    if (shadow["rules"].get_array().get(shadow_rules)) return R::failure("missing or invalid `shadow.rules`");
    if (!read_strings(shadow_rules, record.shadow.rules)) return R::failure("`shadow.rules` must hold strings");
    if (record.shadow.effect != "allow" && record.shadow.effect != "deny") {
      return R::failure("`shadow.effect` is neither `allow` nor `deny`");
    }
  } else if (shadow_error != simdjson::NO_SUCH_FIELD) {
    return R::failure("invalid `shadow`: not an object");
  }
  if (!is_lower_hex(record.previous, 64)) return R::failure("`previous` is not 64 lowercase hex digits");
  if (!is_lower_hex(record.hash, 64)) return R::failure("`hash` is not 64 lowercase hex digits");
  if (record.effect != "allow" && record.effect != "deny") return R::failure("`effect` is neither `allow` nor `deny`");
  if (serialize_audit_record(record, true) != line) {
    return R::failure("not in canonical form (fields reordered, added, duplicated or re-encoded)");
  }
  return R::success(std::move(record));
}


namespace {

// `,"hash":"<64 hex>"}`: how every stored line ends.
constexpr std::size_t kHashSuffixSize = 9 + 64 + 2;

}  // namespace

std::optional<std::string> hash_of_stored_line(std::string_view line) {
  if (line.size() < kHashSuffixSize + 1) return std::string();
  Sha256 hasher;
  hasher.update(line.substr(0, line.size() - kHashSuffixSize));
  hasher.update("}");
  auto digest = hasher.finish();
  if (!digest) return std::nullopt;
  return to_hex(*digest);
}

// A raw JSON fragment of a record is usable when it parses as `kind` and
// is already in minified form (what the verifier will re-create).
bool is_canonical_fragment(simdjson::dom::parser& parser, std::string_view fragment, bool object) {
  simdjson::padded_string padded(fragment);
  simdjson::dom::element element;
  if (parser.parse(padded).get(element) != simdjson::SUCCESS) return false;
  if (object ? !element.is_object() : !element.is_array()) return false;
  return simdjson::minify(element) == fragment;
}

}  // namespace internal

Result<AuditRecord> parse_audit_record(std::string_view line) {
  simdjson::dom::parser parser;
  return internal::parse_audit_record_with(parser, line);
}

}  // namespace authz::runtime
