// audit_log.cpp — record building, canonical serialization, the appending
// writer and the chain verifier (contract in audit_log.h; schema and chain
// rules in docs/audit.md).
//
// Why the verifier re-serializes: a record is accepted only if parsing it and
// serializing it again gives back exactly the stored bytes, so there is one
// byte form per record and the hash covers everything a reader sees
// (duplicate keys, extra fields or reordered fields are all rejected).
#include "runtime/audit_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <simdjson.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <mutex>
#include <utility>
#include <optional>

#include "runtime/internal/json_canonical.h"
#include "runtime/internal/json_string.h"
#include "runtime/internal/string_map.h"
#include "runtime/internal/sha256.h"
#include "runtime/internal/time_text.h"
#include "runtime/internal/value_text.h"

namespace authz::runtime {
namespace {

constexpr int kFormatVersion = 1;

// Every string of a record: internal/json_string.h's kAuditJson (one output
// per input, every line valid UTF-8). The bytes are part of the hash chain.
void append_json_string(std::string& out, std::string_view text) {
  internal::append_json_string(out, text, internal::kAuditJson);
}

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

bool is_lower_hex(std::string_view text, std::size_t length) {
  if (text.size() != length) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string errno_text(int error) { return std::strerror(error); }

// Sets `error` and returns false: AuditLog::append's failures, in one line each.
bool fail(std::string& error, std::string message) {
  error = std::move(message);
  return false;
}

// AuditRecord::canonical_fragments: FNV-1a over both fragments, never 0.
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

}  // namespace

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

// ---- building and serializing records ----------------------------------------------

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
      append_json_string(out, kAuditRedacted);
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
    append_json_string(out, field.key);
    out += ':';
    if (is_sensitive(target, field.key)) {
      append_json_string(out, kAuditRedacted);
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
    append_json_string(obligations, obligation.rule);
    obligations += ",\"name\":";
    append_json_string(obligations, obligation.name);
    obligations += ",\"arguments\":{";
    bool first = true;
    for (const ObligationArgument& argument : obligation.arguments) {
      if (!first) obligations += ',';
      first = false;
      append_json_string(obligations, argument.name);
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
  record.canonical_fragments = fragments_digest(record);  // both fragments are in the parser's form
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

namespace {

template <class Number>
void append_number(std::string& out, Number number) {
  char digits[24];
  auto written = std::to_chars(digits, digits + sizeof digits, number);
  out.append(digits, written.ptr);
}

}  // namespace

void append_audit_record(std::string& out, const AuditRecord& record, bool with_hash) {
  out.reserve(out.size() + 512 + record.arguments_json.size() + record.obligations_json.size());
  out += "{\"v\":";
  append_number(out, kFormatVersion);
  out += ",\"seq\":";
  append_number(out, record.seq);
  out += ",\"time\":";
  append_json_string(out, record.time);
  out += ",\"decision_id\":";
  append_json_string(out, record.decision_id);
  out += ",\"user\":";
  append_json_string(out, record.user);
  out += ",\"method\":";
  append_json_string(out, record.method);
  out += ",\"target\":";
  append_json_string(out, record.target);
  out += ",\"arguments\":";
  out += record.arguments_json.empty() ? std::string_view("{}") : std::string_view(record.arguments_json);
  out += ",\"effect\":";
  append_json_string(out, record.effect);
  out += ",\"reason\":";
  append_json_string(out, record.reason);
  out += ",\"message\":";
  append_json_string(out, record.message);
  out += ",\"rules\":[";
  for (std::size_t i = 0; i < record.rules.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, record.rules[i]);
  }
  out += "],\"obligations\":";
  out += record.obligations_json.empty() ? std::string_view("[]") : std::string_view(record.obligations_json);
  out += ",\"policy_hash\":";
  append_json_string(out, record.policy_hash);
  out += ",\"evaluation_ns\":";
  append_number(out, record.evaluation_ns);
  const std::pair<const char*, const std::string*> caller_fields[] = {
      {",\"issuer\":", &record.caller.issuer},
      {",\"client_id\":", &record.caller.client_id},
      {",\"token_id\":", &record.caller.token_id},
      {",\"session_id\":", &record.caller.session_id},
      {",\"remote_address\":", &record.caller.remote_address}};
  for (const auto& [key, value] : caller_fields) {
    if (value->empty()) continue;
    out += key;
    append_json_string(out, *value);
  }
  if (record.has_shadow) {
    out += ",\"shadow\":{\"effect\":";
    append_json_string(out, record.shadow.effect);
    out += ",\"reason\":";
    append_json_string(out, record.shadow.reason);
    out += ",\"rules\":[";
    for (std::size_t i = 0; i < record.shadow.rules.size(); ++i) {
      if (i) out += ',';
      append_json_string(out, record.shadow.rules[i]);
    }
    out += "],\"policy_hash\":";
    append_json_string(out, record.shadow.policy_hash);
    out += '}';
  }
  out += ",\"previous\":";
  append_json_string(out, record.previous);
  if (with_hash) {
    out += ",\"hash\":";
    append_json_string(out, record.hash);
  }
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

namespace {

Result<AuditRecord> parse_with(simdjson::dom::parser& parser, std::string_view line) {
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
  auto get_string = [&](const char* key, std::string& into) -> bool {
    std::string_view text;
    if (object[key].get_string().get(text) != simdjson::SUCCESS) return false;
    into = std::string(text);
    return true;
  };
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
    if (!get_string(string_fields[i], *string_targets[i])) {
      return R::failure(std::string("missing or invalid `") + string_fields[i] + "`");
    }
  }
  simdjson::dom::object arguments;
  if (object["arguments"].get_object().get(arguments)) return R::failure("missing or invalid `arguments`");
  record.arguments_json = simdjson::minify(simdjson::dom::element(object["arguments"].value_unsafe()));
  simdjson::dom::array rules;
  if (object["rules"].get_array().get(rules)) return R::failure("missing or invalid `rules`");
  for (auto rule : rules) {
    std::string_view id;
    if (rule.get_string().get(id)) return R::failure("`rules` must hold strings");
    record.rules.emplace_back(id);
  }
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
    if (!get_string(caller_keys[i], *caller_targets[i])) {
      return R::failure(std::string("invalid `") + caller_keys[i] + "`");
    }
  }
  simdjson::dom::object shadow;
  auto shadow_error = object["shadow"].get_object().get(shadow);
  if (shadow_error == simdjson::SUCCESS) {
    record.has_shadow = true;
    std::string_view text;
    if (shadow["effect"].get_string().get(text)) return R::failure("missing or invalid `shadow.effect`");
    record.shadow.effect = std::string(text);
    if (shadow["reason"].get_string().get(text)) return R::failure("missing or invalid `shadow.reason`");
    record.shadow.reason = std::string(text);
    if (shadow["policy_hash"].get_string().get(text)) return R::failure("missing or invalid `shadow.policy_hash`");
    record.shadow.policy_hash = std::string(text);
    simdjson::dom::array shadow_rules;
    if (shadow["rules"].get_array().get(shadow_rules)) return R::failure("missing or invalid `shadow.rules`");
    for (auto rule : shadow_rules) {
      std::string_view id;
      if (rule.get_string().get(id)) return R::failure("`shadow.rules` must hold strings");
      record.shadow.rules.emplace_back(id);
    }
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

}  // namespace

namespace {

// Why a SHA-256 could not be computed: libcrypto fails only on allocation.
constexpr std::string_view kSha256Failed = "SHA-256 failed (out of memory?)";

// `,"hash":"<64 hex>"}`: how every stored line ends.
constexpr std::size_t kHashSuffixSize = 9 + 64 + 2;

// The hash a canonical stored line must carry: SHA-256 over the line without
// its hash field, computed from the line's own bytes (no re-serializing).
// Empty for a line too short to carry one; nullopt when SHA-256 failed
// (libcrypto out of memory), which callers report rather than call tampering.
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

}  // namespace

Result<AuditRecord> parse_audit_record(std::string_view line) {
  simdjson::dom::parser parser;
  return parse_with(parser, line);
}

// ---- the writer ----------------------------------------------------------------------

struct AuditLog::State {
  std::string path;
  AuditLogOptions options;
  int fd = -1;
  std::mutex mutex;
  std::uint64_t seq = 0;
  std::string head = std::string(kAuditGenesisHash);
  off_t size = 0;       // bytes of complete records in the file
  bool broken = false;  // a failed write could not be cut back
  std::string recovery_note;
  simdjson::dom::parser parser;
  std::string line;  // the record being written, reused

  ~State() {
    if (fd >= 0) ::close(fd);
  }
};

namespace {

bool read_at(int fd, off_t offset, std::size_t length, std::string& out) {
  out.resize(length);
  std::size_t done = 0;
  while (done < length) {
    ssize_t got = ::pread(fd, out.data() + done, length - done, offset + static_cast<off_t>(done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    done += static_cast<std::size_t>(got);
  }
  return true;
}

// Reads backwards from `end` until the byte range [start, end) is one line
// with no '\n' before it (start = 0, or the byte after a '\n').
bool find_line_start(int fd, off_t end, off_t& start) {
  constexpr off_t kChunk = 64 * 1024;
  off_t position = end;
  std::string chunk;
  while (position > 0) {
    off_t from = position > kChunk ? position - kChunk : 0;
    if (!read_at(fd, from, static_cast<std::size_t>(position - from), chunk)) return false;
    std::size_t newline = chunk.rfind('\n');
    if (newline != std::string::npos) {
      start = from + static_cast<off_t>(newline) + 1;
      return true;
    }
    position = from;
  }
  start = 0;
  return true;
}

}  // namespace

AuditLog::AuditLog(std::unique_ptr<State> state) : state_(std::move(state)) {}
AuditLog::AuditLog(AuditLog&&) noexcept = default;
AuditLog& AuditLog::operator=(AuditLog&&) noexcept = default;
AuditLog::~AuditLog() = default;

Result<AuditLog> AuditLog::open(const std::string& path, AuditLogOptions options) {
  using R = Result<AuditLog>;
  auto state = std::make_unique<State>();
  state->path = path;
  state->options = options;
  state->fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (state->fd < 0) return R::failure("cannot open audit log `" + path + "`: " + errno_text(errno));
  if (::flock(state->fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return R::failure("audit log `" + path + "` is in use by another writer");
    return R::failure("cannot lock audit log `" + path + "`: " + errno_text(errno));
  }
  struct stat info {};
  if (::fstat(state->fd, &info) != 0) return R::failure("cannot stat audit log `" + path + "`: " + errno_text(errno));
  if (!S_ISREG(info.st_mode)) return R::failure("audit log `" + path + "` is not a regular file");
  off_t size = info.st_size;
  if (size == 0) return R::success(AuditLog(std::move(state)));

  std::string last_byte;
  if (!read_at(state->fd, size - 1, 1, last_byte)) return R::failure("cannot read audit log `" + path + "`");
  off_t complete_end = size;  // one past the last complete line's '\n'
  if (last_byte[0] != '\n') {
    off_t tail_start = 0;
    if (!find_line_start(state->fd, size, tail_start)) return R::failure("cannot read audit log `" + path + "`");
    if (!options.cut_incomplete_tail) {
      return R::failure("audit log `" + path + "` ends with an incomplete line (a crash mid-write?); run `authzc audit verify`");
    }
    if (::ftruncate(state->fd, tail_start) != 0) {
      return R::failure("cannot cut the incomplete last line of audit log `" + path + "`: " + errno_text(errno));
    }
    state->recovery_note = "audit log `" + path + "`: cut " + std::to_string(size - tail_start) +
                           " bytes of an incomplete last line (a crash mid-write; that decision was never acknowledged)";
    complete_end = tail_start;
  }
  state->size = complete_end;
  if (complete_end == 0) return R::success(AuditLog(std::move(state)));

  off_t line_start = 0;
  if (!find_line_start(state->fd, complete_end - 1, line_start)) return R::failure("cannot read audit log `" + path + "`");
  std::string line;
  if (!read_at(state->fd, line_start, static_cast<std::size_t>(complete_end - 1 - line_start), line)) {
    return R::failure("cannot read audit log `" + path + "`");
  }
  auto parsed = parse_with(state->parser, line);
  if (!parsed.ok()) {
    return R::failure("the last record of audit log `" + path + "` is not valid (" + parsed.error() +
                      "); refusing to extend a broken chain: run `authzc audit verify`");
  }
  auto stored_hash = hash_of_stored_line(line);
  if (!stored_hash) {
    return R::failure("cannot check the last record of audit log `" + path + "`: " + std::string(kSha256Failed));
  }
  if (*stored_hash != parsed.value().hash) {
    return R::failure("the last record of audit log `" + path +
                      "` does not match its hash; refusing to extend a broken chain: run `authzc audit verify`");
  }
  state->seq = parsed.value().seq;
  state->head = parsed.value().hash;
  return R::success(AuditLog(std::move(state)));
}

bool AuditLog::append(AuditRecord& record, std::string& error) {
  if (!state_) return fail(error, "audit log is not open");
  State& state = *state_;
  std::lock_guard<std::mutex> lock(state.mutex);
  if (state.broken) return fail(error, "audit log `" + state.path + "` is unusable after an earlier write failure");

  // Only lines the verifier accepts are written: the two raw JSON fragments
  // the caller may have filled in must be minified JSON of the right kind
  // (strings are escaped canonically by construction).
  const bool made_canonical =
      record.canonical_fragments != 0 && record.canonical_fragments == fragments_digest(record);
  if (!made_canonical && !record.arguments_json.empty() &&
      !is_canonical_fragment(state.parser, record.arguments_json, true)) {
    return fail(error, "audit record would not verify: `arguments` is not a minified JSON object");
  }
  if (!made_canonical && !record.obligations_json.empty() && record.obligations_json != "[]" &&
      !is_canonical_fragment(state.parser, record.obligations_json, false)) {
    return fail(error, "audit record would not verify: `obligations` is not a minified JSON array");
  }
  record.seq = state.seq + 1;
  record.previous.assign(state.head);
  std::string& line = state.line;
  line.clear();
  append_audit_record(line, record, false);
  // An unhashable record is not written: the decision fails closed, exactly
  // as for a write error (the chain is untouched, so the log stays usable).
  auto digest = sha256(line);
  if (!digest) return fail(error, "cannot hash the audit record for `" + state.path + "`: " + std::string(kSha256Failed));
  to_hex(*digest, record.hash);
  line.pop_back();  // the closing brace; the hash field goes before it
  line += ",\"hash\":\"";
  line += record.hash;
  line += "\"}\n";

  std::size_t done = 0;
  while (done < line.size()) {
    ssize_t wrote = ::write(state.fd, line.data() + done, line.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) {
      const int code = wrote < 0 ? errno : EIO;
      // Cut back a partial line so the file stays a valid chain.
      if (done > 0 && ::ftruncate(state.fd, state.size) != 0) state.broken = true;
      return fail(error, "cannot write audit log `" + state.path + "`: " + errno_text(code));
    }
    done += static_cast<std::size_t>(wrote);
  }
  if (state.options.sync_every_record && ::fdatasync(state.fd) != 0) {
    const int code = errno;
    // The line may or may not be durable; the chain continues from it
    // either way, but the caller must treat this decision as failed.
    state.seq = record.seq;
    state.head = record.hash;
    state.size += static_cast<off_t>(line.size());
    return fail(error, "cannot sync audit log `" + state.path + "`: " + errno_text(code));
  }
  state.seq = record.seq;
  state.head.assign(record.hash);
  state.size += static_cast<off_t>(line.size());
  return true;
}

Result<std::string> AuditLog::append(AuditRecord& record) {
  std::string error;
  if (!append(record, error)) return Result<std::string>::failure(std::move(error));
  return Result<std::string>::success(record.hash);
}

const std::string& AuditLog::path() const { return state_->path; }
std::string AuditLog::head_hash() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->head;
}
std::uint64_t AuditLog::records() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->seq;
}
const std::string& AuditLog::recovery_note() const { return state_->recovery_note; }

// ---- the verifier --------------------------------------------------------------------

struct AuditChainVerifier::State {
  AuditVerifyOptions options;
  AuditVerification result;
  simdjson::dom::parser parser;
  std::uint64_t previous_seq = 0;
  bool anchor_found = false;
  std::uint64_t line_number = 0;
  std::optional<AuditRecord> record;
};

AuditChainVerifier::AuditChainVerifier(AuditVerifyOptions options) : state_(std::make_unique<State>()) {
  state_->anchor_found = options.expected_head.empty();
  state_->options = std::move(options);
  state_->result.head_hash = std::string(kAuditGenesisHash);
}
AuditChainVerifier::~AuditChainVerifier() = default;
AuditChainVerifier::AuditChainVerifier(AuditChainVerifier&&) noexcept = default;
AuditChainVerifier& AuditChainVerifier::operator=(AuditChainVerifier&&) noexcept = default;

bool AuditChainVerifier::failed() const { return state_->result.status != AuditVerifyStatus::Ok; }

const AuditRecord* AuditChainVerifier::add_line(std::string_view line) {
  State& state = *state_;
  if (failed()) return nullptr;
  AuditVerification& result = state.result;
  const std::uint64_t line_number = ++state.line_number;
  auto fail = [&](std::string problem) -> const AuditRecord* {
    result.status = AuditVerifyStatus::Tampered;
    result.line = line_number;
    result.problem = std::move(problem);
    return nullptr;
  };
  auto parsed = parse_with(state.parser, line);
  if (!parsed.ok()) return fail("not a valid audit record: " + parsed.error() + " (the line was edited)");
  state.record = std::move(parsed.value());
  const AuditRecord& record = *state.record;
  auto stored_hash = hash_of_stored_line(line);
  if (!stored_hash) {
    result.status = AuditVerifyStatus::Unreadable;
    result.line = line_number;
    result.problem = std::string("cannot check the record: ") + std::string(kSha256Failed);
    return nullptr;
  }
  if (*stored_hash != record.hash) {
    return fail("the record's content does not match its `hash`: the record was edited");
  }
  std::uint64_t expected_seq = state.previous_seq + 1;
  if (record.seq > expected_seq) {
    std::uint64_t missing = record.seq - expected_seq;
    return fail("`seq` is " + std::to_string(record.seq) + " but " + std::to_string(expected_seq) +
                " was expected: " + std::to_string(missing) + " record" + (missing == 1 ? " was" : "s were") +
                " dropped before this line");
  }
  if (record.seq < expected_seq) {
    return fail("`seq` is " + std::to_string(record.seq) + " after " + std::to_string(state.previous_seq) +
                ": records were reordered or duplicated");
  }
  if (record.previous != result.head_hash) {
    return fail(line_number == 1
                    ? std::string("the first record's `previous` is not the genesis hash: the log does not start "
                                  "at its first record")
                    : "`previous` does not match the hash of line " + std::to_string(line_number - 1) +
                          ": a record was replaced or inserted (and the chain rewritten from here)");
  }
  if (!state.anchor_found && record.hash == state.options.expected_head) state.anchor_found = true;
  state.previous_seq = record.seq;
  result.head_hash = record.hash;
  result.records = record.seq;
  return &record;
}

AuditVerification AuditChainVerifier::finish(bool partial_last_line) {
  State& state = *state_;
  AuditVerification result = state.result;
  if (failed()) return result;
  if (partial_last_line) {
    result.status = AuditVerifyStatus::Tampered;
    result.line = state.line_number + 1;
    result.problem = "the last line is incomplete (no newline): a crash mid-write or a cut file; the writer cuts it "
                     "off when it next opens the log";
    return result;
  }
  if (!state.anchor_found) {
    result.status = AuditVerifyStatus::Tampered;
    result.line = 0;
    result.problem = "no record has the expected head hash `" + state.options.expected_head +
                     "`: records were cut from the end of the log (it now ends at record " +
                     std::to_string(state.previous_seq) + "), or the hash is from another log";
  }
  return result;
}

AuditVerification verify_audit_log_text(std::string_view contents, const AuditVerifyOptions& options) {
  AuditChainVerifier verifier(options);
  std::size_t position = 0;
  while (position < contents.size()) {
    std::size_t newline = contents.find('\n', position);
    if (newline == std::string_view::npos) return verifier.finish(true);
    if (!verifier.add_line(contents.substr(position, newline - position))) return verifier.finish(false);
    position = newline + 1;
  }
  return verifier.finish(false);
}

AuditVerification verify_audit_log(const std::string& path, const AuditVerifyOptions& options,
                                   const std::function<void(const AuditRecord&)>& on_record) {
  AuditVerification result;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    result.status = AuditVerifyStatus::Unreadable;
    result.problem = "cannot open `" + path + "`: " + errno_text(errno);
    return result;
  }
  // Streams: memory is one read buffer plus the longest line.
  AuditChainVerifier verifier(options);
  std::string pending;  // the start of a line whose newline is not read yet
  std::string buffer(1 << 16, '\0');
  for (;;) {
    ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      int error = errno;
      ::close(fd);
      result.status = AuditVerifyStatus::Unreadable;
      result.problem = "cannot read `" + path + "`: " + errno_text(error);
      return result;
    }
    if (got == 0) break;
    std::string_view chunk(buffer.data(), static_cast<std::size_t>(got));
    std::size_t position = 0;
    while (position < chunk.size()) {
      std::size_t newline = chunk.find('\n', position);
      if (newline == std::string_view::npos) {
        pending.append(chunk.substr(position));
        break;
      }
      const AuditRecord* record;
      if (pending.empty()) {
        record = verifier.add_line(chunk.substr(position, newline - position));
      } else {
        pending.append(chunk.substr(position, newline - position));
        record = verifier.add_line(pending);
        pending.clear();
      }
      if (!record) {
        ::close(fd);
        return verifier.finish(false);
      }
      if (on_record) on_record(*record);
      position = newline + 1;
    }
  }
  ::close(fd);
  return verifier.finish(!pending.empty());
}

}  // namespace authz::runtime
