// render_text.cpp — render_text and render_json (audit_report.h). Text is
// for people at a terminal (aligned columns, bars of `#` for denials over
// time); JSON is for machines (one object, keys in a fixed order, every list
// sorted as the text shows it).
#include <fmt/format.h>

#include <algorithm>

#include "compiler/audit_report/audit_report.h"
#include "runtime/internal/value_text.h"

namespace authz::audit_report {
namespace {

std::string_view status_name(runtime::AuditVerifyStatus status) {
  switch (status) {
    case runtime::AuditVerifyStatus::Ok: return "ok";
    case runtime::AuditVerifyStatus::Tampered: return "tampered";
    case runtime::AuditVerifyStatus::Unreadable: return "unreadable";
  }
  return "unreadable";
}

std::string short_hash(std::string_view hash) { return std::string(hash.substr(0, 16)); }

std::string rule_list(const std::vector<std::string>& rules) {
  if (rules.empty()) return "no rule";
  std::string out;
  for (const auto& rule : rules) out += (out.empty() ? "" : ", ") + rule;
  return out;
}

std::string json_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + runtime::quoted(items[i]);
  return out + "]";
}

const auto kCountsTotal = [](const Counts& c) { return c.total(); };
const auto kNumberTotal = [](const std::uint64_t& n) { return n; };
const auto kShadowTotal = [](const ShadowCounts& c) { return c.total(); };
const auto kGroupTotal = [](const ShadowGroup& g) { return g.counts.total(); };

void text_counts(std::string& out, std::string_view title, const CappedTable<Counts>& table, std::size_t top) {
  auto rows = sorted_entries(table, top, kCountsTotal);
  std::size_t width = title.size();
  for (const auto& row : rows) width = std::max(width, row.first.size());
  out += fmt::format("\n{:<{}}  {:>9}  {:>9}\n", title, width + 2, "allowed", "denied");
  for (const auto& [key, counts] : rows)
    out += fmt::format("  {:<{}}  {:>9}  {:>9}\n", key, width, counts->allowed, counts->denied);
  if (rows.empty()) out += "  (none)\n";
  if (top != 0 && table.entries.size() > top)
    out += fmt::format("  ... {} more (--top 0 shows all)\n", table.entries.size() - top);
}

}  // namespace

std::string render_text(const Report& report, const ReportOptions& options) {
  std::string out;
  out += fmt::format("audit report: {} log{}, {} verified record{} read\n", report.logs.size(),
                     report.logs.size() == 1 ? "" : "s", report.read, report.read == 1 ? "" : "s");
  for (const LogStatus& log : report.logs) {
    const auto& v = log.verification;
    if (v.ok()) {
      out += fmt::format("  {}: ok, {} records, chain intact\n", log.path, v.records);
    } else if (v.status == runtime::AuditVerifyStatus::Unreadable) {
      out += fmt::format("  {}: UNREADABLE: {}\n", log.path, v.problem);
    } else {
      out += fmt::format("  {}: DOES NOT VERIFY{}: {}\n    only the {} record{} before it are reported\n", log.path,
                         v.line ? fmt::format(" at line {}", v.line) : std::string(), v.problem, log.reported,
                         log.reported == 1 ? "" : "s");
    }
  }
  out += fmt::format("filters: {}\n", filters_text(options));
  out += fmt::format("records: {} matched ({} allowed, {} denied)", report.matched, report.effects.allowed,
                     report.effects.denied);
  if (report.matched) out += fmt::format(", {} .. {}", report.first_time, report.last_time);
  out += '\n';
  auto versions = sorted_entries(report.policy_versions, 0, kNumberTotal);
  if (!versions.empty()) {
    out += "policy versions:";
    for (const auto& [hash, count] : versions) out += fmt::format(" {} ({} records)", short_hash(hash), *count);
    out += '\n';
  }

  out += "\nby reason\n";
  for (const auto& [reason, count] : sorted_entries(report.by_reason, 0, kNumberTotal)) {
    out += fmt::format("  {:<18} {:>9}\n", reason, *count);
  }
  text_counts(out, "by rule", report.by_rule, options.top);
  text_counts(out, "by user", report.by_user, options.top);
  text_counts(out, "by target", report.by_target, options.top);

  std::vector<std::pair<std::string, Counts>> series;
  std::string bucket = time_series(report, series);
  std::uint64_t most = 0;
  for (const auto& [key, counts] : series) most = std::max(most, counts.denied);
  out += fmt::format("\ndenials over time (per {}, UTC)\n", bucket);
  for (const auto& [key, counts] : series) {
    std::size_t bar = most ? static_cast<std::size_t>((counts.denied * 40 + most - 1) / most) : 0;
    out += fmt::format("  {:<13} {:>9}  {}\n", key, counts.denied, std::string(bar, '#'));
  }
  if (series.empty()) out += "  (none)\n";

  if (report.has_policy) {
    out += fmt::format(
        "\nrules and grants that decided nothing (policy `{}`, {}; {} of {} matched records decided by it{})\n",
        report.policy_path, short_hash(report.policy_hash), report.decided_by_policy, report.matched,
        report.decided_by_policy ? "" : ", so rules are matched by id");
    for (const DeadRule& dead : report.dead)
      out += fmt::format("  {:<5} {}  ({})\n", dead.kind, dead.id, dead.location);
    if (report.dead.empty()) out += fmt::format("  (none: all {} decided at least once)\n", report.policy_rules);
  }

  if (report.shadow_records) {
    out += fmt::format("\nshadow policy:");
    for (const auto& [hash, count] : sorted_entries(report.shadow_versions, 0, kNumberTotal)) {
      out += fmt::format(" {} ({} records)", short_hash(hash), *count);
    }
    out += fmt::format("\n  {} records compared, {} disagree: {} newly allowed, {} newly denied\n",
                       report.shadow_records, report.shadow_changes.total(), report.shadow_changes.newly_allowed,
                       report.shadow_changes.newly_denied);
    auto groups = sorted_entries(report.shadow_by_rule, options.top, kGroupTotal);
    if (!groups.empty()) out += fmt::format("\n  {:<32} {:>13} {:>13}\n", "by rule", "newly allowed", "newly denied");
    for (const auto& [rule, group] : groups) {
      out += fmt::format("  {:<32} {:>13} {:>13}\n", rule, group->counts.newly_allowed, group->counts.newly_denied);
      for (const Example& e : group->examples) {
        out += fmt::format("    e.g. {}#{} {} {} {} `{}` {}: {} {} ({}) -> {} {} ({})\n", e.file, e.seq, e.time, e.user,
                           e.method, e.target, e.arguments, e.effect, e.reason, rule_list(e.rules), e.shadow_effect,
                           e.shadow_reason, rule_list(e.shadow_rules));
      }
    }
    auto users = sorted_entries(report.shadow_by_user, options.top, kShadowTotal);
    if (!users.empty()) out += fmt::format("\n  {:<32} {:>13} {:>13}\n", "by user", "newly allowed", "newly denied");
    for (const auto& [user, counts] : users) {
      out += fmt::format("  {:<32} {:>13} {:>13}\n", user, counts->newly_allowed, counts->newly_denied);
    }
  }
  return out;
}

std::string render_json(const Report& report, const ReportOptions& options) {
  using runtime::quoted;
  std::string out = "{\"verified\":";
  out += report.all_verified ? "true" : "false";
  out += ",\"logs\":[";
  for (std::size_t i = 0; i < report.logs.size(); ++i) {
    const LogStatus& log = report.logs[i];
    const auto& v = log.verification;
    out += fmt::format(
        "{}{{\"file\":{},\"status\":\"{}\",\"records\":{},\"reported\":{},\"line\":{},\"problem\":{},\"head\":\"{}\"}}",
        i ? "," : "", quoted(log.path), status_name(v.status), v.records, log.reported, v.line, quoted(v.problem),
        v.head_hash);
  }
  out +=
      fmt::format("],\"filters\":{},\"read\":{},\"matched\":{},\"allowed\":{},\"denied\":{},\"first\":{},\"last\":{}",
                  quoted(filters_text(options)), report.read, report.matched, report.effects.allowed,
                  report.effects.denied, quoted(report.first_time), quoted(report.last_time));
  out += ",\"policy_versions\":[";
  bool first = true;
  for (const auto& [hash, count] : sorted_entries(report.policy_versions, 0, kNumberTotal)) {
    out += fmt::format("{}{{\"policy_hash\":{},\"records\":{}}}", first ? "" : ",", quoted(hash), *count);
    first = false;
  }
  out += "],\"by_reason\":[";
  first = true;
  for (const auto& [reason, count] : sorted_entries(report.by_reason, 0, kNumberTotal)) {
    out += fmt::format("{}{{\"reason\":{},\"records\":{}}}", first ? "" : ",", quoted(reason), *count);
    first = false;
  }
  out += ']';
  auto counts_list = [&](std::string_view name, std::string_view key, const CappedTable<Counts>& table) {
    out += fmt::format(",\"{}\":[", name);
    bool first_row = true;
    for (const auto& [k, c] : sorted_entries(table, options.top, kCountsTotal)) {
      out += fmt::format("{}{{\"{}\":{},\"allowed\":{},\"denied\":{}}}", first_row ? "" : ",", key, quoted(k),
                         c->allowed, c->denied);
      first_row = false;
    }
    out += ']';
  };
  counts_list("by_rule", "rule", report.by_rule);
  counts_list("by_user", "user", report.by_user);
  counts_list("by_target", "target", report.by_target);
  std::vector<std::pair<std::string, Counts>> series;
  std::string bucket = time_series(report, series);
  out += fmt::format(",\"over_time\":{{\"bucket\":\"{}\",\"series\":[", bucket);
  for (std::size_t i = 0; i < series.size(); ++i) {
    out += fmt::format("{}{{\"start\":{},\"allowed\":{},\"denied\":{}}}", i ? "," : "", quoted(series[i].first),
                       series[i].second.allowed, series[i].second.denied);
  }
  out += "]}";
  if (report.has_policy) {
    out += fmt::format(
        ",\"dead_rules\":{{\"policy\":{},\"policy_hash\":{},\"rules_and_grants\":{},\"decided_by_policy\":{},\"dead\":"
        "[",
        quoted(report.policy_path), quoted(report.policy_hash), report.policy_rules, report.decided_by_policy);
    for (std::size_t i = 0; i < report.dead.size(); ++i) {
      const DeadRule& d = report.dead[i];
      out += fmt::format("{}{{\"id\":{},\"kind\":\"{}\",\"location\":{}}}", i ? "," : "", quoted(d.id), d.kind,
                         quoted(d.location));
    }
    out += "]}";
  } else {
    out += ",\"dead_rules\":null";
  }
  if (report.shadow_records) {
    out += fmt::format(
        ",\"shadow\":{{\"records\":{},\"disagree\":{},\"newly_allowed\":{},\"newly_denied\":{},\"policy_versions\":[",
        report.shadow_records, report.shadow_changes.total(), report.shadow_changes.newly_allowed,
        report.shadow_changes.newly_denied);
    first = true;
    for (const auto& [hash, count] : sorted_entries(report.shadow_versions, 0, kNumberTotal)) {
      out += fmt::format("{}{{\"policy_hash\":{},\"records\":{}}}", first ? "" : ",", quoted(hash), *count);
      first = false;
    }
    out += "],\"by_rule\":[";
    first = true;
    for (const auto& [rule, group] : sorted_entries(report.shadow_by_rule, options.top, kGroupTotal)) {
      out += fmt::format("{}{{\"rule\":{},\"newly_allowed\":{},\"newly_denied\":{},\"examples\":[", first ? "" : ",",
                         quoted(rule), group->counts.newly_allowed, group->counts.newly_denied);
      first = false;
      for (std::size_t i = 0; i < group->examples.size(); ++i) {
        const Example& e = group->examples[i];
        out += fmt::format(
            "{}{{\"file\":{},\"seq\":{},\"time\":{},\"user\":{},\"method\":{},\"target\":{},\"arguments\":{},"
            "\"effect\":{},\"reason\":{},\"rules\":{},\"shadow\":{{\"effect\":{},\"reason\":{},\"rules\":{}}}}}",
            i ? "," : "", quoted(e.file), e.seq, quoted(e.time), quoted(e.user), quoted(e.method), quoted(e.target),
            e.arguments.empty() ? std::string("{}") : e.arguments, quoted(e.effect), quoted(e.reason),
            json_list(e.rules), quoted(e.shadow_effect), quoted(e.shadow_reason), json_list(e.shadow_rules));
      }
      out += "]}";
    }
    out += "],\"by_user\":[";
    first = true;
    for (const auto& [user, counts] : sorted_entries(report.shadow_by_user, options.top, kShadowTotal)) {
      out += fmt::format("{}{{\"user\":{},\"newly_allowed\":{},\"newly_denied\":{}}}", first ? "" : ",", quoted(user),
                         counts->newly_allowed, counts->newly_denied);
      first = false;
    }
    out += "]}";
  } else {
    out += ",\"shadow\":null";
  }
  out += "}\n";
  return out;
}

}  // namespace authz::audit_report
