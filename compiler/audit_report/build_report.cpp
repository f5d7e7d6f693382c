// build_report.cpp — build_report (audit_report.h): one pass over each log,
// verifying and counting; nothing of a record is kept after it is counted
// except the few example records of each disagreement group.
#include <algorithm>
#include <unordered_set>

#include "compiler/audit_report/audit_report.h"
#include "runtime/internal/time_text.h"

namespace authz::audit_report {
namespace {

bool one_of(const std::vector<std::string>& allowed, std::string_view value) {
  return allowed.empty() || std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

bool has_rule(const std::vector<std::string>& wanted, const runtime::AuditRecord& record) {
  if (wanted.empty()) return true;
  for (const auto& rule : record.rules) {
    if (one_of(wanted, rule)) return true;
  }
  if (record.has_shadow) {
    for (const auto& rule : record.shadow.rules) {
      if (one_of(wanted, rule)) return true;
    }
  }
  return false;
}

bool matches(const runtime::AuditRecord& record, const ReportOptions& options) {
  if (options.since_ms || options.until_ms) {
    auto at = runtime::parse_timestamp(record.time);
    if (!at) return false;
    if (options.since_ms && *at < *options.since_ms) return false;
    if (options.until_ms && *at >= *options.until_ms) return false;
  }
  return one_of(options.users, record.user) && one_of(options.targets, record.target) &&
         one_of(options.effects, record.effect) && one_of(options.reasons, record.reason) &&
         has_rule(options.rules, record);
}

Example example_of(const std::string& file, const runtime::AuditRecord& record) {
  Example example;
  example.file = file;
  example.seq = record.seq;
  example.time = record.time;
  example.user = record.user;
  example.method = record.method;
  example.target = record.target;
  example.arguments = record.arguments_json;
  example.effect = record.effect;
  example.reason = record.reason;
  example.rules = record.rules;
  example.shadow_effect = record.shadow.effect;
  example.shadow_reason = record.shadow.reason;
  example.shadow_rules = record.shadow.rules;
  return example;
}

class Counter {
 public:
  Counter(Report& report, const ReportOptions& options) : report_(report), options_(options) {}

  void add(const std::string& file, const runtime::AuditRecord& record) {
    ++report_.read;
    if (!matches(record, options_)) return;
    Report& r = report_;
    const std::size_t cap = options_.max_keys;
    ++r.matched;
    const bool allowed = record.effect == "allow";
    auto bump = [allowed](Counts& counts) { ++(allowed ? counts.allowed : counts.denied); };
    bump(r.effects);
    if (r.first_time.empty() || record.time < r.first_time) r.first_time = record.time;
    if (record.time > r.last_time) r.last_time = record.time;
    ++r.by_reason.at(record.reason, cap);
    for (const auto& rule : record.rules) bump(r.by_rule.at(rule, cap));
    bump(r.by_user.at(record.user, cap));
    bump(r.by_target.at(record.target, cap));
    ++r.policy_versions.at(record.policy_hash, cap);
    std::string hour = record.time.substr(0, 13);
    if (auto found = r.by_hour.find(hour); found != r.by_hour.end()) {
      bump(found->second);
    } else if (r.by_hour.size() < cap) {
      bump(r.by_hour[hour]);
    } else {
      r.hours_overflowed = true;
    }
    if (r.has_policy) {
      // Decisions this very table made, enforced or in shadow; and, for logs
      // decided by another build of it, any decision by rule id.
      const bool as_primary = record.policy_hash == r.policy_hash;
      const bool as_shadow = record.has_shadow && record.shadow.policy_hash == r.policy_hash;
      if (as_primary || as_shadow) ++r.decided_by_policy;
      for (const auto& rule : record.rules) {
        if (as_primary) deciding_.erase(rule);
        by_id_.erase(rule);
      }
      if (record.has_shadow) {
        for (const auto& rule : record.shadow.rules) {
          if (as_shadow) deciding_.erase(rule);
          by_id_.erase(rule);
        }
      }
    }
    if (record.has_shadow) add_shadow(file, record);
  }

  void expect_rules(const runtime::Model& model) {
    for (const auto& rule : model.rules) deciding_.insert(rule.id);
    for (const auto& grant : model.grants) deciding_.insert(grant.id);
    by_id_ = deciding_;
  }
  bool never_decided(const std::string& id) const {
    return report_.decided_by_policy ? deciding_.count(id) != 0 : by_id_.count(id) != 0;
  }

 private:
  void add_shadow(const std::string& file, const runtime::AuditRecord& record) {
    Report& r = report_;
    const std::size_t cap = options_.max_keys;
    ++r.shadow_records;
    ++r.shadow_versions.at(record.shadow.policy_hash, cap);
    if (record.shadow.effect == record.effect) return;
    const bool newly_allowed = record.shadow.effect == "allow";
    auto bump = [newly_allowed](ShadowCounts& counts) {
      ++(newly_allowed ? counts.newly_allowed : counts.newly_denied);
    };
    bump(r.shadow_changes);
    bump(r.shadow_by_user.at(record.user, cap));
    // Every rule on either side, once; "(no rule)" when neither names one.
    groups_.clear();
    for (const auto& rule : record.rules) groups_.push_back(rule);
    for (const auto& rule : record.shadow.rules) {
      if (std::find(groups_.begin(), groups_.end(), rule) == groups_.end()) groups_.push_back(rule);
    }
    if (groups_.empty()) groups_.push_back("(no rule)");
    for (const auto& rule : groups_) {
      ShadowGroup& group = r.shadow_by_rule.at(rule, cap);
      bump(group.counts);
      if (group.examples.size() < options_.examples) group.examples.push_back(example_of(file, record));
    }
  }

  Report& report_;
  const ReportOptions& options_;
  std::unordered_set<std::string> deciding_;  // rules and grants of the table not yet seen deciding for it
  std::unordered_set<std::string> by_id_;     // the same by id, whichever policy decided
  std::vector<std::string> groups_;           // reused
};

}  // namespace

Report build_report(const std::vector<std::string>& paths, const ReportOptions& options, const runtime::Model* policy,
                    const std::string& policy_path, const std::string& policy_hash) {
  Report report;
  Counter counter(report, options);
  if (policy) {
    report.has_policy = true;
    report.policy_path = policy_path;
    report.policy_hash = policy_hash;
    report.policy_rules = policy->rules.size() + policy->grants.size();
    counter.expect_rules(*policy);
  }
  for (const std::string& path : paths) {
    LogStatus status;
    status.path = path;
    status.verification = runtime::verify_audit_log(path, {}, [&](const runtime::AuditRecord& record) {
      ++status.reported;
      counter.add(path, record);
    });
    if (!status.verification.ok()) report.all_verified = false;
    report.logs.push_back(std::move(status));
  }
  if (policy) {
    auto location = [](const runtime::SourceLocation& at) { return at.file + ":" + std::to_string(at.line); };
    for (const auto& rule : policy->rules) {
      if (counter.never_decided(rule.id)) {
        report.dead.push_back(
            {rule.id, rule.effect == runtime::Effect::Allow ? "allow" : "deny", location(rule.location)});
      }
    }
    for (const auto& grant : policy->grants) {
      if (counter.never_decided(grant.id)) report.dead.push_back({grant.id, "grant", location(grant.location)});
    }
  }
  return report;
}

std::string time_series(const Report& report, std::vector<std::pair<std::string, Counts>>& out) {
  out.clear();
  if (report.by_hour.empty()) return "hour";
  auto first = runtime::parse_timestamp(report.by_hour.begin()->first + ":00:00Z");
  auto last = runtime::parse_timestamp(report.by_hour.rbegin()->first + ":00:00Z");
  constexpr std::int64_t kHour = 3600 * 1000, kDay = 24 * kHour;
  const bool by_day = first && last && *last - *first > 3 * kDay;
  const std::size_t width = by_day ? 10 : 13;
  // Every bucket from the first to the last, empty ones too (at most 10,000).
  if (first && last) {
    const std::int64_t step = by_day ? kDay : kHour;
    std::int64_t start = by_day ? *first - ((*first % kDay) + kDay) % kDay : *first;
    if ((*last - start) / step < 10000) {
      for (std::int64_t at = start; at <= *last; at += step) {
        out.emplace_back(runtime::format_timestamp(at).substr(0, width), Counts{});
      }
    }
  }
  std::size_t next = 0;
  for (const auto& [hour, counts] : report.by_hour) {
    std::string key = hour.substr(0, width);
    while (next < out.size() && out[next].first < key) ++next;
    if (next == out.size() || out[next].first != key) {
      out.insert(out.begin() + static_cast<std::ptrdiff_t>(next), {key, Counts{}});
    }
    out[next].second.allowed += counts.allowed;
    out[next].second.denied += counts.denied;
  }
  return by_day ? "day" : "hour";
}

std::string filters_text(const ReportOptions& options) {
  std::string out;
  auto add = [&](std::string_view name, const std::vector<std::string>& values) {
    if (values.empty()) return;
    if (!out.empty()) out += ", ";
    out += std::string(name) + " ";
    for (std::size_t i = 0; i < values.size(); ++i) out += (i ? " or " : "") + values[i];
  };
  if (options.since_ms) out += "since " + runtime::format_timestamp(*options.since_ms);
  if (options.until_ms)
    out += std::string(out.empty() ? "" : ", ") + "until " + runtime::format_timestamp(*options.until_ms);
  add("user", options.users);
  add("target", options.targets);
  add("effect", options.effects);
  add("reason", options.reasons);
  add("rule", options.rules);
  return out.empty() ? "none" : out;
}

}  // namespace authz::audit_report
