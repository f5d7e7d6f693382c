// conformance_runner.cpp — runs the conformance cases in tests/conformance/*.json
// against the real pipeline: front end (load, parse, check) -> lower() ->
// Engine::from_model -> evaluate, all in this process.
//
// Usage: authz_conformance_runner CASES_DIR REPO_ROOT WORK_DIR
//
// Contract: every *.json file in CASES_DIR (sorted by name) holds one case or
// a list of cases:
//   {"name": "...",
//    "policy": "<.authz text>"  |  "policy_file": "path relative to REPO_ROOT",
//    "entities": {"Type": {"id": {...attributes}}},           (optional)
//    "entities_file": "path relative to REPO_ROOT",  (its "entities" member, or the whole file)
//    "request": {"user": {"id": "...", "roles": [...], ...other attributes},
//                "tool" | "resource" | "prompt": "name or URI",
//                "arguments": {...}                            (optional)
//                "arguments_raw": "JSON text, given to the runtime as is",
//                "now": "RFC 3339 timestamp" | integer ms},
//    "expect": {"effect": "allow" | "deny", "reason": "allowed" | ...,
//               "determining_rules": [...],                    (compared as sets)
//               "obligations": [{"rule": "...", "name": "...", "arguments": {...}}],  (optional, in order)
//               "message_contains": "..."}}                     (optional)
// or, for a policy that must not compile, "expect": {"check_errors": ["E0404"]}
// (the check's error codes, compared as sets; no request is needed).
// In `arguments_raw`, `${repeat:N:TEXT}` stands for TEXT repeated N times, so a
// case can hold a 1 MiB string or 70 nested arrays without writing them out.
// An inline policy is written to WORK_DIR/<n>/policy.authz and loaded from
// there, so `use std.obligations;` works (stdlib: REPO_ROOT/stdlib).
// Each failure is printed with the expected and actual answers and the
// decision's operator trace; the run ends with `N passed, M failed` and exits
// non-zero when anything failed (or no case was found).
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/diagnostic_printer.h"
#include "compiler/driver.h"
#include "compiler/lower.h"
#include "runtime/engine.h"
#include "runtime/entity_store.h"
#include "runtime/internal/time_text.h"
#include "runtime/trace_render.h"

namespace fs = std::filesystem;
namespace rt = authz::runtime;

namespace {

struct CompiledPolicy {
  std::optional<rt::Engine> engine;
  std::string problem;  // why there is no engine
  std::vector<std::string> error_codes;  // the check's errors, sorted ("E0404")
};

struct Runner {
  fs::path repo_root;
  fs::path work_dir;
  std::map<std::string, CompiledPolicy> cache;  // keyed by "file:" + path or "text:" + source
  int passed = 0;
  int failed = 0;
  int next_work_id = 0;

  const CompiledPolicy& compile(const std::string& key, const fs::path& path) {
    auto found = cache.find(key);
    if (found != cache.end()) return found->second;
    CompiledPolicy& compiled = cache[key];
    authz::SourceManager sources;
    authz::LoadOptions options;
    options.stdlib_dirs.push_back((repo_root / "stdlib").string());
    authz::CheckOutcome outcome = authz::check_paths({path.string()}, options, sources);
    for (const authz::Diagnostic& diagnostic : outcome.diagnostics) {
      if (diagnostic.severity == authz::Severity::Error) compiled.error_codes.emplace_back(authz::code_string(diagnostic.code));
    }
    std::sort(compiled.error_codes.begin(), compiled.error_codes.end());
    if (!outcome.ok() || !outcome.policy) {
      compiled.problem = "the policy does not check:\n" + authz::render_text(sources, outcome.diagnostics);
      return compiled;
    }
    authz::LowerResult lowered = authz::lower(*outcome.policy, sources);
    if (!lowered.ok()) {
      compiled.problem = "lowering failed: " + lowered.internal_error;
      return compiled;
    }
    auto engine = rt::Engine::from_model(std::move(lowered.model));
    if (!engine.ok()) {
      compiled.problem = "the table does not load: " + engine.error();
      return compiled;
    }
    compiled.engine.emplace(std::move(engine.value()));
    return compiled;
  }

  const CompiledPolicy* policy_for(simdjson::dom::object test, std::string& error) {
    std::string_view text;
    if (test["policy"].get_string().get(text) == simdjson::SUCCESS) {
      std::string key = "text:" + std::string(text);
      if (auto found = cache.find(key); found != cache.end()) return &found->second;
      fs::path dir = work_dir / std::to_string(next_work_id++);
      fs::create_directories(dir);
      fs::path file = dir / "policy.authz";
      std::ofstream(file, std::ios::binary) << text;
      return &compile(key, file);
    }
    if (test["policy_file"].get_string().get(text) == simdjson::SUCCESS) {
      fs::path file = repo_root / std::string(text);
      return &compile("file:" + file.string(), file);
    }
    error = "the case has neither `policy` nor `policy_file`";
    return nullptr;
  }

  void run_file(const fs::path& file);
  void run_case(simdjson::dom::element test, const std::string& where);
  void fail(const std::string& where, const std::string& name, const std::string& why) {
    ++failed;
    std::cout << "FAIL " << name << " (" << where << ")\n" << why << "\n\n";
  }
};

// `${repeat:N:TEXT}` -> TEXT repeated N times (TEXT may not contain `}`).
std::string expand_repeats(std::string_view raw) {
  std::string out;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    std::size_t start = raw.find("${repeat:", pos);
    if (start == std::string_view::npos) break;
    std::size_t colon = raw.find(':', start + 9);
    std::size_t close = colon == std::string_view::npos ? colon : raw.find('}', colon + 1);
    if (close == std::string_view::npos) break;
    out.append(raw.substr(pos, start - pos));
    std::size_t count = std::stoul(std::string(raw.substr(start + 9, colon - start - 9)));
    std::string_view text = raw.substr(colon + 1, close - colon - 1);
    for (std::size_t i = 0; i < count; ++i) out.append(text);
    pos = close + 1;
  }
  out.append(raw.substr(pos));
  return out;
}

std::string sorted_list(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + "]";
}

// `rule: name(arg=json, ...)`; rule left out when the expectation omits it.
std::string obligation_text(std::string_view rule, std::string_view name,
                            const std::vector<std::pair<std::string, std::string>>& arguments) {
  std::string out;
  if (!rule.empty()) out += std::string(rule) + ": ";
  out += std::string(name) + "(";
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    out += (i ? ", " : "") + arguments[i].first + "=" + arguments[i].second;
  }
  return out + ")";
}

std::optional<std::string> principal_from(simdjson::dom::element user, rt::Principal& principal) {
  simdjson::dom::object object;
  if (user.get_object().get(object) != simdjson::SUCCESS) return "`request.user` must be an object";
  std::string attributes = "{";
  for (auto field : object) {
    if (field.key == "id") {
      std::string_view id;
      if (field.value.get_string().get(id) != simdjson::SUCCESS) return "`request.user.id` must be a string";
      principal.id = std::string(id);
    } else if (field.key == "roles") {
      simdjson::dom::array roles;
      if (field.value.get_array().get(roles) != simdjson::SUCCESS) return "`request.user.roles` must be an array";
      for (auto role : roles) {
        std::string_view name;
        if (role.get_string().get(name) != simdjson::SUCCESS) return "`request.user.roles` must hold strings";
        principal.roles.emplace_back(name);
      }
    } else {
      if (attributes.size() > 1) attributes += ',';
      attributes += "\"" + std::string(field.key) + "\":" + simdjson::minify(field.value);
    }
  }
  principal.attributes_json = attributes + "}";
  return std::nullopt;
}

void Runner::run_file(const fs::path& file) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  auto where = file.filename().string();
  if (parser.load(file.string()).get(root) != simdjson::SUCCESS) {
    fail(where, "(file)", "cannot parse the file as JSON");
    return;
  }
  simdjson::dom::array list;
  if (root.get_array().get(list) == simdjson::SUCCESS) {
    for (auto test : list) run_case(test, where);
  } else {
    run_case(root, where);
  }
}

void Runner::run_case(simdjson::dom::element test_element, const std::string& where) {
  simdjson::dom::object test;
  std::string_view name_view = "(unnamed)";
  if (test_element.get_object().get(test) != simdjson::SUCCESS) {
    fail(where, name_view.data(), "a case must be a JSON object");
    return;
  }
  if (test["name"].get_string().get(name_view) != simdjson::SUCCESS) name_view = "(unnamed)";
  std::string name(name_view);

  std::string error;
  const CompiledPolicy* policy = policy_for(test, error);
  if (!policy) return fail(where, name, error);

  // A policy that must not compile: compare the error codes, nothing else.
  simdjson::dom::array expected_errors;
  if (test["expect"]["check_errors"].get_array().get(expected_errors) == simdjson::SUCCESS) {
    std::vector<std::string> expected;
    for (auto code : expected_errors) {
      std::string_view text;
      if (code.get_string().get(text) == simdjson::SUCCESS) expected.emplace_back(text);
    }
    if (sorted_list(expected) == sorted_list(policy->error_codes)) {
      ++passed;
      return;
    }
    return fail(where, name, "  check errors: expected " + sorted_list(expected) + ", got " +
                                 sorted_list(policy->error_codes) + "\n" + policy->problem);
  }
  if (!policy->engine) return fail(where, name, policy->problem);

  // The request.
  simdjson::dom::object request_json;
  if (test["request"].get_object().get(request_json) != simdjson::SUCCESS) {
    return fail(where, name, "the case has no `request` object");
  }
  rt::Request request;
  bool have_target = false;
  for (auto field : request_json) {
    std::string_view key = field.key;
    std::string_view text;
    if (key == "user") {
      if (auto problem = principal_from(field.value, request.principal)) return fail(where, name, *problem);
    } else if (key == "tool" || key == "resource" || key == "prompt") {
      if (field.value.get_string().get(text) != simdjson::SUCCESS) return fail(where, name, "target must be a string");
      request.target = std::string(text);
      request.method = key == "tool" ? rt::MethodKind::ToolCall
                       : key == "resource" ? rt::MethodKind::ResourceRead
                                           : rt::MethodKind::PromptGet;
      have_target = true;
    } else if (key == "arguments") {
      request.arguments_json = simdjson::minify(field.value);
    } else if (key == "arguments_raw") {
      if (field.value.get_string().get(text) != simdjson::SUCCESS) {
        return fail(where, name, "`arguments_raw` must be a string");
      }
      request.arguments_json = expand_repeats(text);
    } else if (key == "now") {
      std::int64_t millis = 0;
      if (field.value.get_int64().get(millis) == simdjson::SUCCESS) {
        request.now_ms = millis;
      } else if (field.value.get_string().get(text) == simdjson::SUCCESS) {
        auto parsed = rt::parse_timestamp(text);
        if (!parsed) return fail(where, name, "`now` is not a timestamp: " + std::string(text));
        request.now_ms = *parsed;
      } else {
        return fail(where, name, "`now` must be a timestamp string or integer ms");
      }
    } else {
      return fail(where, name, "unknown request field `" + std::string(key) + "`");
    }
  }
  if (!have_target) return fail(where, name, "the request names no tool, resource or prompt");

  // Entities.
  std::optional<rt::JsonEntityStore> store;
  std::string_view text;
  simdjson::dom::element entities;
  simdjson::dom::parser entity_parser;
  bool have_entities = false;
  if (test["entities_file"].get_string().get(text) == simdjson::SUCCESS) {
    fs::path file = repo_root / std::string(text);
    if (entity_parser.load(file.string()).get(entities) != simdjson::SUCCESS) {
      return fail(where, name, "cannot read entities from " + file.string());
    }
    simdjson::dom::element inner;
    if (entities["entities"].get(inner) == simdjson::SUCCESS) entities = inner;  // {"users": ..., "entities": ...}
    have_entities = true;
  } else {
    have_entities = test["entities"].get(entities) == simdjson::SUCCESS;
  }
  if (have_entities) {
    auto loaded = rt::JsonEntityStore::from_json(simdjson::minify(entities));
    if (!loaded.ok()) return fail(where, name, "entities do not load: " + loaded.error());
    store.emplace(std::move(loaded.value()));
  }

  rt::EvaluateOptions options;
  options.trace = true;
  options.entities = store ? &*store : nullptr;
  rt::Decision decision = policy->engine->evaluate(request, options);

  // Compare.
  simdjson::dom::object expect;
  if (test["expect"].get_object().get(expect) != simdjson::SUCCESS) return fail(where, name, "no `expect` object");
  std::ostringstream mismatches;
  if (expect["effect"].get_string().get(text) == simdjson::SUCCESS) {
    std::string actual = decision.allowed() ? "allow" : "deny";
    if (text != actual) mismatches << "  effect: expected " << text << ", got " << actual << "\n";
  } else {
    mismatches << "  expect.effect is missing\n";
  }
  if (expect["reason"].get_string().get(text) == simdjson::SUCCESS) {
    std::string actual = rt::to_string(decision.reason);
    if (text != actual) mismatches << "  reason: expected " << text << ", got " << actual << "\n";
  } else {
    mismatches << "  expect.reason is missing\n";
  }
  simdjson::dom::array rules;
  if (expect["determining_rules"].get_array().get(rules) == simdjson::SUCCESS) {
    std::vector<std::string> expected, actual;
    for (auto rule : rules) {
      std::string_view id;
      if (rule.get_string().get(id) == simdjson::SUCCESS) expected.emplace_back(id);
    }
    for (std::string_view id : decision.determining_rules) actual.emplace_back(id);
    if (sorted_list(expected) != sorted_list(actual)) {
      mismatches << "  determining_rules: expected " << sorted_list(expected) << ", got " << sorted_list(actual) << "\n";
    }
  } else {
    mismatches << "  expect.determining_rules is missing\n";
  }
  simdjson::dom::array obligations;
  if (expect["obligations"].get_array().get(obligations) == simdjson::SUCCESS) {
    std::vector<std::string> expected, actual;
    bool with_rules = false;
    for (auto obligation : obligations) {
      std::string_view rule, obligation_name;
      with_rules = obligation["rule"].get_string().get(rule) == simdjson::SUCCESS || with_rules;
      if (obligation["name"].get_string().get(obligation_name) != simdjson::SUCCESS) obligation_name = "(unnamed)";
      std::vector<std::pair<std::string, std::string>> arguments;
      simdjson::dom::object argument_object;
      if (obligation["arguments"].get_object().get(argument_object) == simdjson::SUCCESS) {
        for (auto argument : argument_object) {
          arguments.emplace_back(std::string(argument.key), simdjson::minify(argument.value));
        }
      }
      expected.push_back(obligation_text(rule, obligation_name, arguments));
    }
    for (const rt::AppliedObligation& applied : decision.obligations) {
      std::vector<std::pair<std::string, std::string>> arguments;
      for (const rt::ObligationArgument& argument : applied.arguments) {
        // Through the JSON parser, so formatting (`["a", "b"]`) does not matter.
        simdjson::dom::parser json_parser;
        simdjson::dom::element parsed;
        std::string json(argument.json);
        if (json_parser.parse(json).get(parsed) == simdjson::SUCCESS) json = simdjson::minify(parsed);
        arguments.emplace_back(std::string(argument.name), json);
      }
      actual.push_back(obligation_text(with_rules ? applied.rule : std::string_view(), applied.name, arguments));
    }
    if (expected != actual) {
      std::string e, a;
      for (const auto& item : expected) e += "\n      " + item;
      for (const auto& item : actual) a += "\n      " + item;
      mismatches << "  obligations: expected" << (e.empty() ? " none" : e) << "\n    got" << (a.empty() ? " none" : a)
                 << "\n";
    }
  }
  if (expect["message_contains"].get_string().get(text) == simdjson::SUCCESS &&
      decision.message.find(text) == std::string::npos) {
    mismatches << "  message: expected it to contain `" << text << "`, got `" << decision.message << "`\n";
  }

  if (mismatches.str().empty()) {
    ++passed;
    return;
  }
  fail(where, name, mismatches.str() + "  trace:\n" + rt::render_text(decision, rt::Audience::Operator));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: authz_conformance_runner CASES_DIR REPO_ROOT WORK_DIR\n";
    return 2;
  }
  Runner runner;
  runner.repo_root = argv[2];
  runner.work_dir = argv[3];
  std::error_code ignored;
  fs::remove_all(runner.work_dir, ignored);
  fs::create_directories(runner.work_dir);

  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(argv[1])) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) runner.run_file(file);

  std::cout << runner.passed << " passed, " << runner.failed << " failed\n";
  return runner.failed == 0 && runner.passed > 0 ? 0 : 1;
}
