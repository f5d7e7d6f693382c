// render_html.cpp — render_html (audit_report.h): the report as one
// self-contained page. No script, no external asset, no URL: inline CSS, and
// charts as inline SVG (denials over time as columns; the busiest rules,
// users and targets as stacked allowed/denied bars). Every value read from a
// log goes through html_escape(); elements carry data-* attributes (data-log,
// data-status, data-rule, data-user, data-change) so tests find them without
// parsing prose.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/audit_report/audit_report.h"
#include "compiler/html_text.h"

namespace authz::audit_report {
namespace {

using authz::html_escape;

constexpr std::string_view kStyle = R"(
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#1d2433;padding:0 1em}
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #d0d5dd}
table{border-collapse:collapse;margin:.5em 0}th,td{padding:.2em .8em;text-align:left;border-bottom:1px solid #eaecf0}
th{background:#e4e7ec}tr:nth-child(odd) td{background:#f9fafb}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.bad{color:#b42318;font-weight:600}.ok{color:#067647}
.summary{display:flex;gap:2em;flex-wrap:wrap}.summary div{background:#f2f4f7;padding:.6em 1em;border-radius:6px}
.summary b{display:block;font-size:1.4em}
code{font-family:ui-monospace,monospace;font-size:.92em;background:#f2f4f7;padding:0 .2em;word-break:break-all}
svg text{font:11px system-ui,sans-serif;fill:#475467}
.allow{fill:#12b76a}.deny{fill:#f04438}.newly-allowed{color:#b54708}.newly-denied{color:#b42318}
)";

const auto kCountsTotal = [](const Counts& c) { return c.total(); };
const auto kNumberTotal = [](const std::uint64_t& n) { return n; };
const auto kShadowTotal = [](const ShadowCounts& c) { return c.total(); };
const auto kGroupTotal = [](const ShadowGroup& g) { return g.counts.total(); };

std::string rules_html(const std::vector<std::string>& rules) {
  if (rules.empty()) return "<i>no rule</i>";
  std::string out;
  for (const auto& rule : rules) out += (out.empty() ? "" : ", ") + ("<code>" + html_escape(rule) + "</code>");
  return out;
}

// Horizontal stacked bars (allowed, denied) for the top entries of a table.
std::string bars_svg(const std::vector<std::pair<std::string_view, const Counts*>>& rows, std::string_view kind) {
  if (rows.empty()) return "<p><i>none</i></p>";
  std::uint64_t most = 1;
  for (const auto& row : rows) most = std::max(most, row.second->total());
  const int label = 260, width = 560, row_height = 20;
  std::string svg = fmt::format("<svg class=\"bars\" data-chart=\"{}\" role=\"img\" width=\"{}\" height=\"{}\">", kind,
                                label + width + 80, static_cast<int>(rows.size()) * row_height + 4);
  int y = 2;
  for (const auto& [key, counts] : rows) {
    double allowed = static_cast<double>(counts->allowed) * width / static_cast<double>(most);
    double denied = static_cast<double>(counts->denied) * width / static_cast<double>(most);
    std::string name(key.substr(0, 40));
    svg += fmt::format("<text x=\"0\" y=\"{}\">{}</text>", y + 13, html_escape(name));
    svg += fmt::format("<rect class=\"allow\" x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"14\"/>", label, y, allowed);
    svg += fmt::format("<rect class=\"deny\" x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"14\"/>", label + allowed,
                       y, denied);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\">{} / {}</text>", label + allowed + denied + 6, y + 12,
                       counts->allowed, counts->denied);
    y += row_height;
  }
  return svg + "</svg>";
}

std::string counts_section(std::string_view title, std::string_view kind, const CappedTable<Counts>& table,
                           std::size_t top) {
  auto rows = sorted_entries(table, top, kCountsTotal);
  std::string out =
      fmt::format("<h2>{}</h2>\n{}\n<table data-table=\"{}\"><tr><th>{}</th><th>allowed</th><th>denied</th></tr>\n",
                  title, bars_svg(rows, kind), kind, kind);
  for (const auto& [key, counts] : rows) {
    out +=
        fmt::format("<tr data-{}=\"{}\"><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                    kind, html_escape(key), html_escape(key), counts->allowed, counts->denied);
  }
  out += "</table>\n";
  if (top != 0 && table.entries.size() > top) {
    out += fmt::format("<p>{} more not shown (<code>--top 0</code> shows all).</p>\n", table.entries.size() - top);
  }
  return out;
}

std::string time_svg(const std::vector<std::pair<std::string, Counts>>& series) {
  if (series.empty()) return "<p><i>no records</i></p>";
  std::uint64_t most = 1;
  for (const auto& point : series) most = std::max(most, point.second.denied);
  const int height = 160, width = 900;
  const double column = std::max(1.0, static_cast<double>(width) / static_cast<double>(series.size()));
  std::string svg =
      fmt::format("<svg data-chart=\"over-time\" role=\"img\" width=\"{}\" height=\"{}\">", width + 60, height + 40);
  svg += fmt::format("<text x=\"0\" y=\"12\">{}</text>", most);
  for (std::size_t i = 0; i < series.size(); ++i) {
    double h = static_cast<double>(series[i].second.denied) * height / static_cast<double>(most);
    svg += fmt::format(
        "<rect class=\"deny\" data-start=\"{}\" data-denied=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\" "
        "width=\"{:.1f}\" height=\"{:.1f}\"><title>{}: {} denied</title></rect>",
        html_escape(series[i].first), series[i].second.denied, 40 + i * column, 16 + height - h,
        std::max(1.0, column - 1), h, html_escape(series[i].first), series[i].second.denied);
  }
  svg += fmt::format("<text x=\"40\" y=\"{}\">{}</text>", height + 34, html_escape(series.front().first));
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", 40 + width, height + 34,
                     html_escape(series.back().first));
  return svg + "</svg>";
}

}  // namespace

std::string render_html(const Report& report, const ReportOptions& options) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Audit report</title>\n<style>";
  out += kStyle;
  out += "</style></head><body>\n<h1>Audit report</h1>\n";
  out += "<h2>Logs</h2>\n<table data-table=\"logs\"><tr><th>log</th><th>chain</th><th>records reported</th></tr>\n";
  for (const LogStatus& log : report.logs) {
    const auto& v = log.verification;
    std::string status =
        v.ok() ? "<span class=\"ok\">verifies</span>"
               : fmt::format("<span class=\"bad\">DOES NOT VERIFY{}: {}</span>",
                             v.line ? fmt::format(" at line {}", v.line) : std::string(), html_escape(v.problem));
    out += fmt::format(
        "<tr data-log=\"{}\" data-status=\"{}\"><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td></tr>\n",
        html_escape(log.path), v.ok() ? "ok" : "bad", html_escape(log.path), status, log.reported);
  }
  out += "</table>\n";
  if (!report.all_verified) {
    out +=
        "<p class=\"bad\" data-warning=\"unverified\">At least one log does not verify: only the records before its "
        "first bad line are counted below, and the log itself must be investigated.</p>\n";
  }
  out += fmt::format("<p>Filters: {}</p>\n", html_escape(filters_text(options)));
  out += fmt::format(
      "<div class=\"summary\"><div>records<b data-total=\"matched\">{}</b></div><div>allowed<b>{}</b></div>"
      "<div>denied<b data-total=\"denied\">{}</b></div>",
      report.matched, report.effects.allowed, report.effects.denied);
  if (report.shadow_records) {
    out +=
        fmt::format("<div>shadow disagreements<b data-total=\"disagree\">{}</b></div>", report.shadow_changes.total());
  }
  out += "</div>\n";
  if (report.matched) {
    out += fmt::format("<p>From <code>{}</code> to <code>{}</code>. Policy versions:", html_escape(report.first_time),
                       html_escape(report.last_time));
    for (const auto& [hash, count] : sorted_entries(report.policy_versions, 0, kNumberTotal)) {
      out += fmt::format(" <code>{}</code> ({} records)", html_escape(hash.substr(0, 16)), *count);
    }
    out += "</p>\n";
  }

  std::vector<std::pair<std::string, Counts>> series;
  std::string bucket = time_series(report, series);
  out += fmt::format("<h2>Denials over time (per {}, UTC)</h2>\n{}\n", bucket, time_svg(series));

  out += "<h2>By reason</h2>\n<table data-table=\"reason\"><tr><th>reason</th><th>records</th></tr>\n";
  for (const auto& [reason, count] : sorted_entries(report.by_reason, 0, kNumberTotal)) {
    out += fmt::format("<tr data-reason=\"{}\"><td>{}</td><td class=\"n\">{}</td></tr>\n", html_escape(reason),
                       html_escape(reason), *count);
  }
  out += "</table>\n";
  out += counts_section("By rule", "rule", report.by_rule, options.top);
  out += counts_section("By user", "user", report.by_user, options.top);
  out += counts_section("By target", "target", report.by_target, options.top);

  if (report.has_policy) {
    out += fmt::format(
        "<h2>Rules and grants that decided nothing</h2>\n<p>Policy <code>{}</code> ({}), {} of the {} "
        "matched records decided by it.</p>\n<table "
        "data-table=\"dead\"><tr><th>kind</th><th>id</th><th>where</th></tr>\n",
        html_escape(report.policy_path), html_escape(report.policy_hash.substr(0, 16)), report.decided_by_policy,
        report.matched);
    for (const DeadRule& dead : report.dead) {
      out += fmt::format("<tr data-dead=\"{}\"><td>{}</td><td><code>{}</code></td><td>{}</td></tr>\n",
                         html_escape(dead.id), dead.kind, html_escape(dead.id), html_escape(dead.location));
    }
    out += "</table>\n";
  }

  if (report.shadow_records) {
    out += fmt::format(
        "<h2>Shadow policy</h2>\n<p>{} records compared: <b data-total=\"newly-allowed\">{}</b> newly "
        "allowed, <b data-total=\"newly-denied\">{}</b> newly denied.</p>\n",
        report.shadow_records, report.shadow_changes.newly_allowed, report.shadow_changes.newly_denied);
    out +=
        "<table data-table=\"shadow-rule\"><tr><th>rule</th><th>newly allowed</th><th>newly "
        "denied</th><th>examples</th></tr>\n";
    for (const auto& [rule, group] : sorted_entries(report.shadow_by_rule, options.top, kGroupTotal)) {
      out += fmt::format(
          "<tr data-shadow-rule=\"{}\"><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>",
          html_escape(rule), html_escape(rule), group->counts.newly_allowed, group->counts.newly_denied);
      for (const Example& e : group->examples) {
        bool newly_allowed = e.shadow_effect == "allow";
        out += fmt::format(
            "<div class=\"{}\" data-change=\"{}\"><code>{}#{}</code> {} <code>{}</code> {} <code>{}</code> "
            "<code>{}</code>: {} {} ({}) &rarr; {} {} ({})</div>",
            newly_allowed ? "newly-allowed" : "newly-denied", newly_allowed ? "newly-allowed" : "newly-denied",
            html_escape(e.file), e.seq, html_escape(e.time), html_escape(e.user), html_escape(e.method),
            html_escape(e.target), html_escape(e.arguments), html_escape(e.effect), html_escape(e.reason),
            rules_html(e.rules), html_escape(e.shadow_effect), html_escape(e.shadow_reason),
            rules_html(e.shadow_rules));
      }
      out += "</td></tr>\n";
    }
    out +=
        "</table>\n<table data-table=\"shadow-user\"><tr><th>user</th><th>newly allowed</th><th>newly "
        "denied</th></tr>\n";
    for (const auto& [user, counts] : sorted_entries(report.shadow_by_user, options.top, kShadowTotal)) {
      out += fmt::format(
          "<tr data-shadow-user=\"{}\"><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
          html_escape(user), html_escape(user), counts->newly_allowed, counts->newly_denied);
    }
    out += "</table>\n";
  }
  out += "</body></html>\n";
  return out;
}

}  // namespace authz::audit_report
