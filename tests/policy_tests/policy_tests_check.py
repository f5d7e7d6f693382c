#!/usr/bin/env python3
"""policy_tests_check.py — end-to-end checks of `authzc test` (and of SARIF
output for `authzc check`), run by ctest (tests/policy_tests/CMakeLists.txt).

Usage: policy_tests_check.py CHECK AUTHZC CASES_DIR SOURCE_DIR WORK_DIR
  golden: failing/ and every malformed/*.authz.test against <case>.expected
          (exit status, stdout, stderr); AUTHZ_UPDATE_GOLDEN=1 rewrites them.
  junit:  --junit output is well-formed XML with the right counts, written
          atomically (no temporaries left), and not written on usage errors.
  sarif:  --format sarif of `check` (a broken policy) and `test` (the failing
          suite) has every field code scanning needs.
  json:   --format json of the sales suite and the failing suite.
authzc runs with CASES_DIR as its working directory so paths are stable.
Exit status 0 when every check holds; each failure is printed.
"""
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

FAILURES = []


def fail(message):
    FAILURES.append(message)
    print("FAIL: " + message)


def check(condition, message):
    if not condition:
        fail(message)
    return condition


def run(authzc, cases, *args):
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    process = subprocess.run([authzc, *args], cwd=cases, capture_output=True, timeout=60, env=env)
    return process.returncode, process.stdout.decode("utf-8"), process.stderr.decode("utf-8")


def golden(authzc, cases, source, work):
    runs = [("failing/notes.expected", ["test", "--color", "never", "--min-coverage", "100", "failing"])]
    malformed = sorted(f for f in os.listdir(os.path.join(cases, "malformed")) if f.endswith(".authz.test"))
    check(len(malformed) >= 4, "expected at least four malformed test files")
    for name in malformed:
        case = name[: -len(".authz.test")]
        runs.append((f"malformed/{case}.expected", ["test", "--color", "never", f"malformed/{name}"]))
    update = os.environ.get("AUTHZ_UPDATE_GOLDEN") == "1"
    for expected_path, args in runs:
        code, out, err = run(authzc, cases, *args)
        actual = f"exit: {code}\n--- stdout\n{out}--- stderr\n{err}"
        full = os.path.join(cases, expected_path)
        if update:
            with open(full, "w", encoding="utf-8") as f:
                f.write(actual)
            print(f"updated {expected_path}")
            continue
        try:
            with open(full, encoding="utf-8") as f:
                expected = f.read()
        except OSError:
            fail(f"{expected_path} is missing (run with AUTHZ_UPDATE_GOLDEN=1)")
            continue
        if actual != expected:
            fail(f"{expected_path}: output differs\n--- expected\n{expected}\n--- actual\n{actual}")
        check(code != 0, f"{expected_path}: a failing or malformed suite must exit non-zero")


def junit(authzc, cases, source, work):
    os.makedirs(work, exist_ok=True)
    sales_xml = os.path.join(work, "sales.xml")
    code, out, err = run(authzc, cases, "test", "--stdlib", os.path.join(source, "stdlib"), "--min-coverage", "100",
                         "--junit", sales_xml, os.path.join(source, "examples", "sales"))
    check(code == 0, f"sales suite exit {code}: {err}")
    root = ET.parse(sales_xml).getroot()
    check(root.tag == "testsuites", f"root element is {root.tag}")
    suites = root.findall("testsuite")
    cases_ = root.findall("testsuite/testcase")
    check(int(root.get("tests")) == len(cases_), "testsuites@tests counts every testcase")
    check(int(root.get("failures")) == 0, "sales suite has no failures")
    check(len(suites) == 3, f"two test files and the coverage suite, got {len(suites)} suites")
    check(suites[-1].get("name") == "rule coverage", "last suite is the coverage suite")
    for case in cases_:
        check(case.get("name") and case.get("classname") and case.get("time") is not None,
              f"testcase attributes: {case.attrib}")
        float(case.get("time"))
    leftovers = [f for f in os.listdir(work) if ".tmp-" in f]
    check(not leftovers, f"temporaries left behind: {leftovers}")

    failing_xml = os.path.join(work, "failing.xml")
    code, out, err = run(authzc, cases, "test", "--min-coverage", "100", "--junit", failing_xml, "failing")
    check(code == 1, f"failing suite exit {code}")
    root = ET.parse(failing_xml).getroot()
    failures = root.findall("testsuite/testcase/failure")
    check(int(root.get("failures")) == 4 and len(failures) == 4, "three failed tests and failed coverage")
    names = [f.getparent().get("name") if hasattr(f, "getparent") else None for f in failures]
    del names
    for failure in failures:
        check(failure.get("message"), "every failure has a message")
        check(failure.text and ("trace:" in failure.text or "never determined" in failure.text),
              "failure text shows the trace or the uncovered rules")

    # A usage error writes nothing: the JUnit file must not appear.
    missing_xml = os.path.join(work, "missing.xml")
    code, out, err = run(authzc, cases, "test", "--junit", missing_xml, "no-such-dir")
    check(code == 2, f"missing path exit {code}")
    check(not os.path.exists(missing_xml), "no JUnit file for a usage error")

    # Hostile names stay well-formed XML.
    hostile_dir = os.path.join(work, "hostile")
    shutil.rmtree(hostile_dir, ignore_errors=True)
    shutil.copytree(os.path.join(cases, "failing"), hostile_dir)
    with open(os.path.join(hostile_dir, "notes.authz.test"), "a", encoding="utf-8") as f:
        f.write('\ntest "<&\\"\'> \x01 ]]> \u202e"\n  as u-wendy\n  call read_note {"note": "n-1"}\n  expect deny\n')
    hostile_xml = os.path.join(work, "hostile.xml")
    run(authzc, cases, "test", "--junit", hostile_xml, hostile_dir)
    root = ET.parse(hostile_xml).getroot()
    check(any("<&" in (c.get("name") or "") for c in root.iter("testcase")), "hostile test name survives escaping")


def validate_sarif(document, label, expect_results):
    check(document.get("version") == "2.1.0", f"{label}: version")
    check("sarif" in document.get("$schema", ""), f"{label}: $schema")
    runs = document.get("runs")
    if not check(isinstance(runs, list) and len(runs) == 1, f"{label}: one run"):
        return []
    run_ = runs[0]
    driver = run_["tool"]["driver"]
    check(driver.get("name") == "authzc", f"{label}: driver name")
    # authz has no public address: the URIs are left out unless configured,
    # and must be absolute when present.
    check(driver.get("informationUri", "https://").startswith("https://"), f"{label}: informationUri")
    rules = driver.get("rules", [])
    ids = [r["id"] for r in rules]
    check(len(ids) == len(set(ids)), f"{label}: rule ids unique")
    for rule in rules:
        for key in ("id", "name"):
            check(isinstance(rule.get(key), str) and rule[key], f"{label}: rule {key}")
        for key in ("shortDescription", "fullDescription", "help"):
            check(isinstance(rule.get(key, {}).get("text"), str) and rule[key]["text"], f"{label}: rule {rule['id']} {key}.text")
        check(rule.get("helpUri", "https://").startswith("https://"), f"{label}: rule {rule['id']} helpUri")
        check("docs/" in rule["help"]["text"], f"{label}: rule {rule['id']} help names the docs file")
        check(rule.get("defaultConfiguration", {}).get("level") in ("error", "warning", "note"), f"{label}: rule level")
    bases = run_.get("originalUriBaseIds", {})
    check("SRCROOT" in bases and bases["SRCROOT"]["uri"].startswith("file:///") and bases["SRCROOT"]["uri"].endswith("/"),
          f"{label}: originalUriBaseIds.SRCROOT")
    results = run_.get("results", [])
    check(len(results) == expect_results, f"{label}: {len(results)} results, expected {expect_results}")
    for result in results:
        check(result.get("ruleId") in ids, f"{label}: result ruleId {result.get('ruleId')} is a declared rule")
        check(ids[result.get("ruleIndex", -1)] == result.get("ruleId"), f"{label}: ruleIndex matches ruleId")
        check(result.get("level") in ("error", "warning", "note"), f"{label}: result level")
        check(isinstance(result.get("message", {}).get("text"), str) and result["message"]["text"], f"{label}: message")
        locations = result.get("locations", [])
        if not check(len(locations) == 1, f"{label}: result {result['ruleId']} has a location"):
            continue
        physical = locations[0]["physicalLocation"]
        artifact = physical["artifactLocation"]
        check(artifact.get("uriBaseId") == "SRCROOT", f"{label}: uriBaseId")
        check(not artifact["uri"].startswith("/") and "://" not in artifact["uri"], f"{label}: relative uri {artifact['uri']}")
        region = physical["region"]
        for key in ("startLine", "startColumn", "endLine", "endColumn"):
            check(isinstance(region.get(key), int) and region[key] >= 1, f"{label}: region {key}")
        check((region["endLine"], region["endColumn"]) > (region["startLine"], region["startColumn"]),
              f"{label}: region ends after it starts")
    return results


def sarif(authzc, cases, source, work):
    os.makedirs(work, exist_ok=True)
    broken = os.path.join(work, "broken.authz")
    with open(broken, "w", encoding="utf-8") as f:
        f.write("policy broken;\n/// Reads.\ntool read_note(id: String) read;\n/// Typo.\nallow a: anyone may read_nte;\n")
    code, out, err = run(authzc, work, "check", "--format", "sarif", "broken.authz")
    check(code == 1, f"check of a broken policy exits 1, got {code}")
    results = validate_sarif(json.loads(out), "check", 1)
    if results:
        check(results[0]["ruleId"] == "E0201", "check: the unknown target is E0201")
        region = results[0]["locations"][0]["physicalLocation"]["region"]
        check((region["startLine"], region["startColumn"], region["endColumn"]) == (5, 21, 29),
              f"check: region of `read_nte` is 5:21-29, got {region}")
        check(results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.authz", "check: uri")

    code, out, err = run(authzc, work, "check", "--format", "sarif", os.path.join(source, "examples", "sales"))
    check(code == 0, f"check of sales exits 0, got {code}")
    validate_sarif(json.loads(out), "check clean", 0)

    code, out, err = run(authzc, cases, "test", "--format", "sarif", "--min-coverage", "100", "failing")
    check(code == 1, f"failing suite exits 1, got {code}")
    results = validate_sarif(json.loads(out), "test", 4)
    kinds = sorted(r["ruleId"] for r in results)
    check(kinds == ["authz-test/failure"] * 3 + ["authz-test/uncovered"], f"test: result kinds {kinds}")
    for result in results:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        expected = "failing/notes.authz.test" if result["ruleId"] == "authz-test/failure" else "failing/notes.authz"
        check(uri == expected, f"test: {result['ruleId']} located in {uri}")
    uncovered = [r for r in results if r["ruleId"] == "authz-test/uncovered"]
    if uncovered:
        region = uncovered[0]["locations"][0]["physicalLocation"]["region"]
        check((region["startLine"], region["startColumn"], region["endColumn"]) == (34, 7, 12),
              f"test: uncovered grant `inc_7` at 34:7-12, got {region}")
        check(uncovered[0]["level"] == "warning", "test: uncovered below --min-coverage is a warning")

    code, out, err = run(authzc, cases, "test", "--format", "sarif", "malformed/unknown_names.authz.test")
    check(code == 1, f"malformed suite exits 1, got {code}")
    results = validate_sarif(json.loads(out), "test diagnostics", 5)
    check(sorted(r["ruleId"] for r in results) == ["E0503", "E0504", "E0505", "E0506", "E0508"],
          "test diagnostics: codes")


def json_check(authzc, cases, source, work):
    code, out, err = run(authzc, cases, "test", "--format", "json", "--stdlib", os.path.join(source, "stdlib"),
                         "--min-coverage", "100", os.path.join(source, "examples", "sales"))
    check(code == 0, f"sales exit {code}")
    report = json.loads(out)
    check(report["failed"] == 0 and report["passed"] == len(report["tests"]) and report["passed"] >= 30, "sales counts")
    check(report["coverage_ok"] is True and report["coverage"][0]["covered"] == report["coverage"][0]["total"],
          "sales coverage complete")
    check(all(r["decisions"] > 0 for r in report["coverage"][0]["rules"]), "every sales rule decided something")
    code, out, err = run(authzc, cases, "test", "--format", "json", "failing")
    check(code == 1, f"failing exit {code}")
    report = json.loads(out)
    check(report["failed"] == 3 and report["passed"] == 1, "failing counts")
    failed = [t for t in report["tests"] if not t["passed"]]
    check(all(t["decision"]["trace"] for t in failed), "failed tests carry the decision trace")


def main():
    if len(sys.argv) != 6:
        print(__doc__)
        return 2
    name, authzc, cases, source, work = sys.argv[1:]
    checks = {"golden": golden, "junit": junit, "sarif": sarif, "json": json_check}
    try:
        checks[name](os.path.abspath(authzc), cases, source, os.path.abspath(work))
    except Exception as error:  # a crash is a failure with its reason
        fail(f"{type(error).__name__}: {error}")
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
