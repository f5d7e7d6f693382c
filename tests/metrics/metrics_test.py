#!/usr/bin/python3
"""metrics_test.py — the gateway's Prometheus metrics (tools/metrics), parsed
by a real Prometheus text-format parser (Debian's python3-prometheus-client),
never string-matched.

Usage: metrics_test.py AUTHZ_METRICS_DEMO WORK_DIR
Runs the scripted session (tools/metrics/metrics_demo.cpp), parses the two
scrapes it writes and checks that every counter moved by exactly the calls
made between them, that histograms are well-formed (cumulative buckets, +Inf
equal to the count) and that every family has HELP and TYPE.
"""
import os
import subprocess
import sys

from prometheus_client.parser import text_string_to_metric_families

demo, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
before_path, after_path = os.path.join(work, "before.txt"), os.path.join(work, "after.txt")
subprocess.run([demo, before_path, after_path], check=True, timeout=60)

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def parse(path):
    """{family name: family}, and {(sample name, frozenset(labels)): value}."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    families = {family.name: family for family in text_string_to_metric_families(text)}
    samples = {}
    for family in families.values():
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return families, samples


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0.0)


families_before, before = parse(before_path)
families, after = parse(after_path)

# Types as documented (the parser strips `_total` from counter family names).
expected_types = {
    "authz_decisions": "counter",
    "authz_rule_decisions": "counter",
    "authz_shadow_decisions": "counter",
    "authz_decision_duration_seconds": "histogram",
    "authz_shadow_added_duration_seconds": "histogram",
    "authz_gateway_added_latency_seconds": "histogram",
    "authz_audit_write_failures": "counter",
    "authz_policy_reloads": "counter",
    "authz_sessions_active": "gauge",
    "authz_sessions": "counter",
    "authz_token_validation_failures": "counter",
}
for name, kind in expected_types.items():
    check(name in families, f"family {name} missing")
    if name in families:
        check(families[name].type == kind, f"{name} is {families[name].type}, expected {kind}")
        check(families[name].documentation != "", f"{name} has no HELP")

call = "tools/call"
# After 3 calls: echo allowed, echo "secret" allowed (the shadow denies it), get-env forbidden.
check(value(before, "authz_decisions_total", method=call, effect="allow", reason="allowed") == 2, "before: 2 allowed")
check(value(before, "authz_decisions_total", method=call, effect="deny", reason="forbidden") == 1, "before: 1 forbidden")
check(value(before, "authz_shadow_decisions_total", outcome="newly_denied") == 1, "before: 1 newly denied")
check(value(before, "authz_shadow_decisions_total", outcome="same") == 2, "before: 2 same")
check(value(before, "authz_audit_write_failures_total") == 0, "before: no audit failure")

# What moved between the scrapes: 8 calls (4 allowed; the fifth allow lost to
# the audit log, so refused), reloads, sessions and token failures.
def delta(name, **labels):
    return value(after, name, **labels) - value(before, name, **labels)

moves = {
    ("authz_decisions_total", (("method", call), ("effect", "allow"), ("reason", "allowed"))): 4,
    ("authz_decisions_total", (("method", call), ("effect", "deny"), ("reason", "forbidden"))): 1,
    ("authz_decisions_total", (("method", call), ("effect", "deny"), ("reason", "not_permitted"))): 1,
    ("authz_decisions_total", (("method", call), ("effect", "deny"), ("reason", "unknown_target"))): 1,
    ("authz_decisions_total", (("method", call), ("effect", "deny"), ("reason", "audit_unavailable"))): 1,
    ("authz_rule_decisions_total", (("rule", "anyone_echoes"), ("effect", "allow"))): 1,
    ("authz_rule_decisions_total", (("rule", "testers_sum_small"), ("effect", "allow"))): 2,
    ("authz_rule_decisions_total", (("rule", "testers_structured"), ("effect", "allow"))): 1,
    ("authz_rule_decisions_total", (("rule", "no_env"), ("effect", "deny"))): 1,
    ("authz_shadow_decisions_total", (("outcome", "newly_allowed"),)): 1,
    ("authz_shadow_decisions_total", (("outcome", "newly_denied"),)): 2,
    ("authz_shadow_decisions_total", (("outcome", "same"),)): 5,
    ("authz_audit_write_failures_total", ()): 1,
    ("authz_policy_reloads_total", (("table", "policy"), ("result", "ok"))): 1,
    ("authz_policy_reloads_total", (("table", "shadow"), ("result", "refused"))): 1,
    ("authz_sessions_total", (("front", "stdio"),)): 1,
    ("authz_sessions_active", (("front", "stdio"),)): 0,
    ("authz_token_validation_failures_total", (("cause", "expired"),)): 2,
    ("authz_token_validation_failures_total", (("cause", "unknown_key"),)): 1,
    ("authz_decision_duration_seconds_count", (("method", call),)): 8,
    ("authz_shadow_added_duration_seconds_count", ()): 8,
    ("authz_gateway_added_latency_seconds_count", (("front", "stdio"),)): 8,
}
for (name, labels), expected in moves.items():
    got = delta(name, **dict(labels))
    check(got == expected, f"{name}{dict(labels)} moved by {got}, expected {expected}")
check(value(after, "authz_sessions_active", front="stdio") == 1, "one session still active")

# Histograms: cumulative, +Inf = count, sum positive.
for name in ("authz_decision_duration_seconds", "authz_shadow_added_duration_seconds",
             "authz_gateway_added_latency_seconds"):
    buckets = [s for s in families[name].samples if s.name == name + "_bucket"]
    counts = [s for s in families[name].samples if s.name == name + "_count"]
    sums = [s for s in families[name].samples if s.name == name + "_sum"]
    check(len(counts) >= 1 and len(sums) == len(counts), f"{name}: count and sum per child")
    ordered = sorted(buckets, key=lambda s: float(s.labels["le"]))
    previous = 0
    for sample in ordered:
        check(sample.value >= previous, f"{name}: buckets not cumulative at le={sample.labels['le']}")
        previous = sample.value
    check(ordered[-1].labels["le"] == "+Inf", f"{name}: no +Inf bucket")
    check(ordered[-1].value == counts[0].value, f"{name}: +Inf bucket {ordered[-1].value} != count {counts[0].value}")
    check(sums[0].value > 0, f"{name}: sum is not positive")

# Latency observed by the demo for its 11 calls: 10, 11, ... 20 microseconds.
check(abs(value(after, "authz_gateway_added_latency_seconds_sum", front="stdio") - sum(9000 + i * 1000 for i in range(1, 12)) / 1e9) < 1e-12,
      "added latency sum")

if failures:
    for failure in failures:
        print("FAIL:", failure)
    sys.exit(1)
print(f"metrics: ok ({len(families)} families, {len(after)} samples)")
