// audit_report.h — `authzc audit report`: what a set of audit logs says the
// policy did. Each log's chain is verified as it is read (runtime/audit_log.h,
// streaming: memory is bounded by the tables below, never by the log's size);
// only records that verify are counted, and a log that does not verify is
// reported as such, with the records before its first bad line.
//
// Contract:
//   - build_report(paths, options, policy) reads every log once, in order.
//     Records are filtered (all given filters must hold; several values of
//     one filter are alternatives): time in [since, until), user, target,
//     effect, reason, rule (among the record's determining rules or its
//     shadow's). It counts matched records by reason, rule, user and target
//     (allowed / denied), by hour (allowed / denied), by policy hash; with a
//     policy (a table), lists its rules and grants that determined no matched
//     record ("dead"): decisions that table made, enforced or as the shadow
//     (matched by policy hash), or, when no record was decided by it (a log
//     of another build), any record's determining rules by id; for records with a shadow, counts and groups every
//     disagreement (primary deny, shadow allow: newly allowed; the reverse:
//     newly denied) by rule (the primary's and the shadow's determining
//     rules, "(no rule)" when neither has one) and by user, keeping the first
//     `examples` records of each rule group.
//   - Each table keeps at most `max_keys` distinct keys; later keys are
//     counted under "(other)", so hostile values (a million distinct targets)
//     cannot exhaust memory.
//   - Renderers: render_text, render_json (one object, stable key order) and
//     render_html (one self-contained page: inline CSS and SVG charts, no
//     script, no URL; every value from a log is HTML-escaped). Lists are
//     sorted by count (descending), then key; `top` (0: all) limits each.
//   - Nothing throws for bad input; an unreadable file is a log with status
//     unreadable.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/audit_log.h"
#include "runtime/table_model.h"

namespace authz::audit_report {

struct ReportOptions {
  std::optional<std::int64_t> since_ms, until_ms;
  std::vector<std::string> users, targets, effects, reasons, rules;
  std::size_t examples = 3;
  std::size_t max_keys = 10000;
  std::size_t top = 20;
};

struct LogStatus {
  std::string path;
  runtime::AuditVerification verification;
  std::uint64_t reported = 0;  // records from this log that were read (all that verified)
};

struct Counts {
  std::uint64_t allowed = 0;
  std::uint64_t denied = 0;
  std::uint64_t total() const { return allowed + denied; }
};

struct ShadowCounts {
  std::uint64_t newly_allowed = 0;
  std::uint64_t newly_denied = 0;
  std::uint64_t total() const { return newly_allowed + newly_denied; }
};

struct Example {
  std::string file;
  std::uint64_t seq = 0;
  std::string time, user, method, target, arguments;
  std::string effect, reason;
  std::vector<std::string> rules;
  std::string shadow_effect, shadow_reason;
  std::vector<std::string> shadow_rules;
};

struct ShadowGroup {
  ShadowCounts counts;
  std::vector<Example> examples;
};

// A string-keyed table with a cap on distinct keys (the rest: "(other)").
template <class T>
struct CappedTable {
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, T, Hash, std::equal_to<>> entries;
  T other{};
  bool overflowed = false;
  T& at(std::string_view key, std::size_t max_keys) {
    if (auto found = entries.find(key); found != entries.end()) return found->second;
    if (entries.size() >= max_keys) {
      overflowed = true;
      return other;
    }
    return entries.emplace(std::string(key), T{}).first->second;
  }
};

struct DeadRule {
  std::string id;
  std::string kind;      // "allow", "deny", "grant"
  std::string location;  // file:line
};

struct Report {
  std::vector<LogStatus> logs;
  bool all_verified = true;
  std::uint64_t read = 0;     // verified records read
  std::uint64_t matched = 0;  // after filters
  Counts effects;
  std::string first_time, last_time;
  CappedTable<std::uint64_t> by_reason;
  CappedTable<Counts> by_rule, by_user, by_target;
  std::map<std::string, Counts> by_hour;  // "YYYY-MM-DDTHH" (bounded by max_keys too)
  bool hours_overflowed = false;
  CappedTable<std::uint64_t> policy_versions;

  // With a policy table.
  bool has_policy = false;
  std::string policy_path, policy_hash;
  std::uint64_t policy_rules = 0;
  std::uint64_t decided_by_policy = 0;  // matched records decided by the table (primary or shadow hash)
  std::vector<DeadRule> dead;

  // Shadow.
  std::uint64_t shadow_records = 0;
  ShadowCounts shadow_changes;
  CappedTable<std::uint64_t> shadow_versions;
  CappedTable<ShadowGroup> shadow_by_rule;
  CappedTable<ShadowCounts> shadow_by_user;
};

// `policy`: the model of a table and its policy hash, or null.
Report build_report(const std::vector<std::string>& paths, const ReportOptions& options, const runtime::Model* policy,
                    const std::string& policy_path, const std::string& policy_hash);

std::string render_text(const Report& report, const ReportOptions& options);
std::string render_json(const Report& report, const ReportOptions& options);
std::string render_html(const Report& report, const ReportOptions& options);

// Shared by the renderers: entries sorted by total (descending), then key;
// at most `top` (0: all).
template <class T, class Total>
std::vector<std::pair<std::string_view, const T*>> sorted_entries(const CappedTable<T>& table, std::size_t top,
                                                                  Total total);
// The hour table as rendered: per hour, or per day when it spans more than
// three days. Returns the bucket name ("hour" or "day").
std::string time_series(const Report& report, std::vector<std::pair<std::string, Counts>>& out);
std::string filters_text(const ReportOptions& options);

}  // namespace authz::audit_report

#include "compiler/audit_report/sorted_entries.inl"
