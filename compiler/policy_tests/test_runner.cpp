// test_runner.cpp — checks test files against a policy, runs them, counts
// coverage (contract in test_runner.h).
#include "compiler/policy_tests/test_runner.h"

#include <fmt/format.h>
#include "runtime/internal/closest_name.h"
#include "runtime/internal/principal_json.h"
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <map>

#include "compiler/json_string.h"
#include "runtime/internal/time_text.h"
#include "runtime/trace_render.h"

namespace authz::policy_tests {
namespace {

struct KnownUser {
  runtime::Principal principal;
  std::string origin;  // "" for a `user` line, else the entities file path as written
  Span span;           // the `user` line or the `entities` statement
};

std::string file_directory(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

std::string resolve_relative(const std::string& test_path, const std::string& written) {
  std::filesystem::path path(written);
  if (path.is_absolute()) return written;
  return (std::filesystem::path(file_directory(test_path)) / path).lexically_normal().string();
}

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates, std::string fallback) {
  std::string suggestion = runtime::internal::did_you_mean(runtime::internal::closest_name(name, candidates));
  return suggestion.empty() ? fallback : suggestion;
}

std::string listed(const std::vector<std::string>& names, std::size_t limit = 12) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < limit; ++i) out += (i == 0 ? "`" : ", `") + names[i] + "`";
  if (names.size() > limit) out += ", ...";
  return out;
}

using EntityMap = std::map<std::string, std::map<std::string, std::string>>;  // type -> id -> JSON object

bool load_entities_file(const std::string& path, EntityMap& entities, std::map<std::string, KnownUser>& users,
                        const Spanned<std::string>& written, std::string& problem) {
  simdjson::dom::parser parser;
  auto loaded = parser.load(path);
  if (loaded.error()) {
    std::string reason = simdjson::error_message(loaded.error());
    if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
    while (!reason.empty() && reason.back() == '.') reason.pop_back();
    problem = fmt::format("cannot read entities from `{}`: {}", written.value, reason);
    return false;
  }
  simdjson::dom::object root;
  if (loaded.value_unsafe().get_object().get(root)) {
    problem = fmt::format("`{}` must hold a JSON object", written.value);
    return false;
  }
  simdjson::dom::object by_type = root;
  bool has_entities = false;
  simdjson::dom::element element;
  if (root["entities"].get(element) == simdjson::SUCCESS) {
    if (element.get_object().get(by_type)) {
      problem = fmt::format("`entities` in `{}` must be an object", written.value);
      return false;
    }
    has_entities = true;
  }
  simdjson::dom::object users_object;
  bool has_users = root["users"].get(element) == simdjson::SUCCESS;
  if (has_users && element.get_object().get(users_object)) {
    problem = fmt::format("`users` in `{}` must be an object of user id to {{\"roles\": [...], ...}}", written.value);
    return false;
  }
  if (has_users) {
    for (auto user : users_object) {
      simdjson::dom::object fields;
      if (user.value.get_object().get(fields)) {
        problem = fmt::format("user `{}` in `{}` must be a JSON object", std::string(user.key), written.value);
        return false;
      }
      KnownUser known;
      known.principal.id = std::string(user.key);
      known.origin = written.value;
      known.span = written.span;
      if (auto error = runtime::internal::read_principal_json(fields, known.principal)) {
        problem = fmt::format("user `{}` in `{}`: {}", std::string(user.key), written.value, *error);
        return false;
      }
      users[known.principal.id] = std::move(known);
    }
  }
  if (!has_entities && has_users) return true;  // only users
  for (auto type : by_type) {
    simdjson::dom::object ids;
    if (type.value.get_object().get(ids)) {
      problem = fmt::format("entity type `{}` in `{}` must map ids to objects", std::string(type.key), written.value);
      return false;
    }
    for (auto entity : ids) {
      entities[std::string(type.key)][std::string(entity.key)] = simdjson::minify(entity.value);
    }
  }
  return true;
}

std::string entities_json(const EntityMap& entities) {
  std::string out = "{";
  bool first_type = true;
  for (const auto& [type, ids] : entities) {
    if (!first_type) out += ',';
    first_type = false;
    append_json_string(out, type);
    out += ":{";
    bool first = true;
    for (const auto& [id, json] : ids) {
      if (!first) out += ',';
      first = false;
      append_json_string(out, id);
      out += ':' + json;
    }
    out += '}';
  }
  return out + "}";
}

const char* method_verb(runtime::MethodKind method) {
  switch (method) {
    case runtime::MethodKind::ToolCall: return "calls";
    case runtime::MethodKind::ResourceRead: return "reads";
    case runtime::MethodKind::PromptGet: return "gets prompt";
  }
  return "calls";
}

std::string describe_outcome(runtime::Effect effect, std::string_view reason, const std::vector<std::string>& rules) {
  std::string out = effect == runtime::Effect::Allow ? "allow" : "deny";
  if (!(effect == runtime::Effect::Allow && reason == "allowed")) out += " " + std::string(reason);
  if (!rules.empty()) {
    out += " by ";
    for (std::size_t i = 0; i < rules.size(); ++i) out += (i == 0 ? "" : ", ") + rules[i];
  }
  return out;
}


}  // namespace

std::size_t Coverage::covered() const {
  return static_cast<std::size_t>(
      std::count_if(items.begin(), items.end(), [](const CoverageItem& item) { return item.decisions > 0; }));
}

double Coverage::percent() const {
  if (items.empty()) return 100.0;
  return 100.0 * static_cast<double>(covered()) / static_cast<double>(items.size());
}

Coverage empty_coverage(const runtime::Model& model) {
  Coverage coverage;
  coverage.policy_name = model.policy_name;
  for (const runtime::Rule& rule : model.rules) coverage.items.push_back({rule.id, false, rule.effect, rule.location, 0});
  for (const runtime::Grant& grant : model.grants) {
    coverage.items.push_back({grant.id, true, runtime::Effect::Allow, grant.location, 0});
  }
  return coverage;
}

std::string describe_expectation(const Expectation& expectation) {
  std::string out = expectation.effect == runtime::Effect::Allow ? "allow" : "deny";
  if (expectation.reason && expectation.reason->value != runtime::Reason::Allowed) {
    out += " " + std::string(runtime::to_string(expectation.reason->value));
  }
  if (expectation.rules_given) {
    out += " by ";
    for (std::size_t i = 0; i < expectation.rules.size(); ++i) out += (i == 0 ? "" : ", ") + expectation.rules[i].value;
  }
  if (expectation.obligations_given && expectation.obligations.empty()) out += " with nothing";
  if (expectation.obligations_given) {
    out += expectation.obligations.empty() ? "" : " with ";
    for (std::size_t i = 0; i < expectation.obligations.size(); ++i) {
      out += (i == 0 ? "" : ", ") + expectation.obligations[i].value;
    }
  }
  return out;
}

namespace {

// prepare_suite's steps over one test file: the policy's names to check
// against, the users and entities, then each test's request.
class SuitePreparer {
 public:
  SuitePreparer(const TestFile& file, const runtime::Engine& engine, const SourceManager& sources,
                DiagnosticSink& sink)
      : file_(file), engine_(engine), sources_(sources), sink_(sink) {
    const runtime::Model& model = engine.model();
    for (const runtime::Role& role : model.roles) role_names_.push_back(role.name);
    for (const runtime::Rule& rule : model.rules) rule_ids_.push_back(rule.id);
    for (const runtime::Grant& grant : model.grants) rule_ids_.push_back(grant.id);
    for (const runtime::Target& target : model.targets) {
      if (target.kind == runtime::TargetKind::Tool) tool_names_.push_back(target.name);
      if (target.kind == runtime::TargetKind::Prompt) prompt_names_.push_back(target.name);
    }
    for (const runtime::ObligationDecl& obligation : model.obligations) obligation_names_.push_back(obligation.name);
  }

  // Users and entities: files first, then `user` and `entity` lines (which win).
  void load_users_and_entities() {
    any_entities_ = !file_.entities.empty();
    for (const Spanned<std::string>& written : file_.entity_files) {
      std::string problem;
      if (!load_entities_file(resolve_relative(file_.path, written.value), entities_, users_, written, problem)) {
        entity_file_failed_ = true;
        sink_.report(DiagCode::TestEntitiesInvalid, written.span, problem,
                     "give a JSON file of the form {\"users\": {...}, \"entities\": {\"Type\": {\"id\": {...}}}}");
      }
      any_entities_ = true;
    }
    for (const TestUser& user : file_.users) {
      KnownUser known;
      known.principal.id = user.id.value;
      for (const auto& role : user.roles) known.principal.roles.push_back(role.value);
      known.principal.attributes_json = user.attributes_json;
      known.span = user.span;
      for (const auto& role : user.roles) {
        if (std::find(role_names_.begin(), role_names_.end(), role.value) != role_names_.end()) continue;
        sink_.report(DiagCode::TestUnknownRole, role.span,
                     fmt::format("user `{}` holds role `{}`, which the policy does not declare", user.id.value, role.value),
                     did_you_mean(role.value, role_names_, "the policy's roles are " + listed(role_names_)));
      }
      users_[known.principal.id] = std::move(known);
    }
    for (const InlineEntity& entity : file_.entities) entities_[entity.type][entity.id] = entity.attributes_json;
    for (const auto& [id, known] : users_) user_ids_.push_back(id);
  }

  // The entities the tests see: the file's (inline and from files), or the
  // entity sources of an `entity sources` statement over them.
  void open_entities(PreparedFile& prepared, const EntitySourceOpener& open_entity_sources) {
    if (any_entities_) {
      auto store = runtime::JsonEntityStore::from_json(entities_json(entities_));
      if (!store.ok()) {
        Span where = !file_.entities.empty() ? file_.entities.front().span
                     : !file_.entity_files.empty() ? file_.entity_files.front().span
                                                   : Span{};
        sink_.report(DiagCode::TestEntitiesInvalid, where, "the test entities do not load: " + store.error(),
                     "give each entity as {\"Type\": {\"id\": {\"attribute\": value}}}");
      } else {
        prepared.entities = std::make_shared<const runtime::JsonEntityStore>(std::move(store.value()));
      }
    }
    if (file_.entity_sources) {
      const Spanned<std::string>& written = *file_.entity_sources;
      std::string problem = "this authzc cannot read entity sources";
      std::shared_ptr<const runtime::EntityResolver> opened;
      if (open_entity_sources) {
        opened = open_entity_sources(resolve_relative(file_.path, written.value), engine_, prepared.entities, problem);
      }
      if (!opened) {
        sink_.report(DiagCode::TestEntitiesInvalid, written.span, "the entity sources do not open: " + problem,
                     "fix the [entities.TYPE] sections of the file (docs/entity-sources.md)");
      } else {
        prepared.entities = std::move(opened);
      }
    }
  }

  // One test's request; every missing part in one diagnostic, each with its fix.
  runtime::Request prepare_case(const TestCase& test) {
    runtime::Request request;
    check_unique_name(test);
    if (test.has_syntax_errors) return request;
    std::vector<std::string> missing;
    std::string fixes;
    auto incomplete = [&](std::string what, std::string fix) {
      missing.push_back(std::move(what));
      fixes += (fixes.empty() ? "" : "; ") + fix;
    };
    if (!test.user) {
      incomplete("user", "add `as USER_ID` to say who makes the call");
    } else {
      resolve_user(*test.user, request);
    }
    if (!test.target) {
      incomplete("call", "add `call TOOL {arguments}`, `read URI` or `prompt NAME {arguments}`");
    } else {
      resolve_target(test, request);
    }
    if (test.at_ms) {
      request.now_ms = test.at_ms->value;
    } else if (file_.now_ms) {
      request.now_ms = file_.now_ms->value;
    } else {
      incomplete("time", "add `now TIMESTAMP` at the top of the file or `at TIMESTAMP` in the test (tests run at a "
                         "fixed instant)");
    }
    if (!test.expect) {
      incomplete("expectation", "add `expect allow` or `expect deny REASON by RULE`");
    }
    if (!missing.empty()) {
      std::string parts;
      for (std::size_t m = 0; m < missing.size(); ++m) {
        parts += (m == 0 ? "" : m + 1 == missing.size() ? " or " : ", ") + missing[m];
      }
      sink_.report(DiagCode::TestIncomplete, test.span, fmt::format("test `{}` has no {}", test.name.value, parts), fixes);
    }
    if (test.expect) check_expectation_names(*test.expect);
    return request;
  }

 private:
  void check_unique_name(const TestCase& test) {
    auto [seen, inserted] = names_seen_.emplace(test.name.value, test.name.span);
    if (inserted) return;
    LineColumn first = sources_.line_column(seen->second.file, seen->second.begin);
    sink_.report(DiagCode::TestDuplicateName, test.name.span,
                 fmt::format("test name `{}` is already used on line {}", test.name.value, first.line),
                 "give every test in a file its own name, so reports can tell them apart");
  }

  // The principal of `as USER`; an entities-file user's roles are checked
  // once, where first used.
  void resolve_user(const Spanned<std::string>& user, runtime::Request& request) {
    auto found = users_.find(user.value);
    if (found == users_.end()) {
      if (!entity_file_failed_) {  // else unknown users are likely its users: not reported again
        std::string fallback = user_ids_.empty() ? "declare it with `user " + user.value + " roles ROLE`"
                                                 : "declare it with `user ID roles ...`; known users are " + listed(user_ids_);
        sink_.report(DiagCode::TestUnknownUser, user.span, fmt::format("unknown user `{}`", user.value),
                     did_you_mean(user.value, user_ids_, fallback));
      }
      return;
    }
    request.principal = found->second.principal;
    if (!found->second.origin.empty() && !roles_checked_[found->first]) {
      roles_checked_[found->first] = true;
      check_roles(request.principal, user.span, found->second.origin);
    }
  }

  void check_roles(const runtime::Principal& principal, Span where, const std::string& origin) {
    for (const std::string& role : principal.roles) {
      if (std::find(role_names_.begin(), role_names_.end(), role) != role_names_.end()) continue;
      sink_.report(DiagCode::TestUnknownRole, where,
                   fmt::format("user `{}`{} holds role `{}`, which the policy does not declare", principal.id,
                               origin.empty() ? "" : " (from `" + origin + "`)", role),
                   did_you_mean(role, role_names_, "the policy's roles are " + listed(role_names_)));
    }
  }

  // The call: a declared tool or prompt, or a URI some resource matches.
  void resolve_target(const TestCase& test, runtime::Request& request) {
    request.method = test.method;
    request.target = test.target->value;
    request.arguments_json = test.arguments_json;
    if (test.method == runtime::MethodKind::ToolCall &&
        std::find(tool_names_.begin(), tool_names_.end(), request.target) == tool_names_.end()) {
      sink_.report(DiagCode::TestUnknownTarget, test.target->span, fmt::format("unknown tool `{}`", request.target),
                   did_you_mean(request.target, tool_names_, "the policy's tools are " + listed(tool_names_)));
    } else if (test.method == runtime::MethodKind::PromptGet &&
               std::find(prompt_names_.begin(), prompt_names_.end(), request.target) == prompt_names_.end()) {
      sink_.report(DiagCode::TestUnknownTarget, test.target->span, fmt::format("unknown prompt `{}`", request.target),
                   did_you_mean(request.target, prompt_names_,
                                prompt_names_.empty() ? "the policy declares no prompts"
                                                      : "the policy's prompts are " + listed(prompt_names_)));
    } else if (test.method == runtime::MethodKind::ResourceRead) {
      runtime::Request probe;
      probe.method = runtime::MethodKind::ResourceRead;
      probe.target = request.target;
      if (engine_.evaluate(probe).reason == runtime::Reason::UnknownTarget) {
        sink_.report(DiagCode::TestUnknownTarget, test.target->span,
                     fmt::format("no resource of the policy matches `{}`", request.target),
                     "read a URI that a declared resource or resource template matches");
      }
    }
  }

  // The obligations and rules an expectation names exist in the policy.
  void check_expectation_names(const Expectation& expect) {
    for (const auto& obligation : expect.obligations) {
      if (std::find(obligation_names_.begin(), obligation_names_.end(), obligation.value) != obligation_names_.end()) continue;
      sink_.report(DiagCode::TestUnknownObligation, obligation.span, fmt::format("unknown obligation `{}`", obligation.value),
                   did_you_mean(obligation.value, obligation_names_,
                                obligation_names_.empty() ? "the policy declares no obligations"
                                                          : "the policy's obligations are " + listed(obligation_names_)));
    }
    for (const auto& rule : expect.rules) {
      if (std::find(rule_ids_.begin(), rule_ids_.end(), rule.value) != rule_ids_.end()) continue;
      sink_.report(DiagCode::TestUnknownRule, rule.span, fmt::format("unknown rule or grant `{}`", rule.value),
                   did_you_mean(rule.value, rule_ids_, "the policy's rules and grants are " + listed(rule_ids_)));
    }
  }

  const TestFile& file_;
  const runtime::Engine& engine_;
  const SourceManager& sources_;
  DiagnosticSink& sink_;
  std::vector<std::string> role_names_, rule_ids_, tool_names_, prompt_names_, obligation_names_;
  std::map<std::string, KnownUser> users_;
  std::vector<std::string> user_ids_;
  EntityMap entities_;
  bool any_entities_ = false;
  bool entity_file_failed_ = false;  // then unknown users are likely its users: not reported again
  std::map<std::string, Span> names_seen_;
  std::map<std::string, bool> roles_checked_;  // entities-file users whose roles were checked
};

}  // namespace

std::optional<PreparedFile> prepare_suite(const TestFile& file, const runtime::Engine& engine,
                                          const SourceManager& sources, DiagnosticSink& sink,
                                          const EntitySourceOpener& open_entity_sources) {
  std::size_t errors_before = sink.error_count();
  SuitePreparer preparer(file, engine, sources, sink);
  preparer.load_users_and_entities();
  PreparedFile prepared;
  prepared.file = &file;
  preparer.open_entities(prepared, open_entity_sources);
  for (const TestCase& test : file.tests) prepared.requests.push_back(preparer.prepare_case(test));
  if (sink.error_count() > errors_before || file.has_syntax_errors) return std::nullopt;
  return prepared;
}

void run_suite(const PreparedFile& prepared, const runtime::Engine& engine, const SourceManager& sources,
               std::vector<CaseResult>& results, Coverage& coverage) {
  const TestFile& file = *prepared.file;
  runtime::EvaluateOptions options;
  options.trace = true;
  options.entities = prepared.entities.get();
  for (std::size_t i = 0; i < file.tests.size(); ++i) {
    const TestCase& test = file.tests[i];
    const runtime::Request& request = prepared.requests[i];
    auto started = std::chrono::steady_clock::now();
    runtime::Decision decision = engine.evaluate(request, options);
    auto finished = std::chrono::steady_clock::now();

    CaseResult result;
    result.file = file.path;
    result.name = test.name.value;
    result.span = test.span;
    result.line = sources.line_column(test.span.file, test.span.begin).line;
    result.seconds = std::chrono::duration<double>(finished - started).count();
    result.actual_effect = decision.effect;
    result.actual_reason = runtime::to_string(decision.reason);
    for (std::string_view rule : decision.determining_rules) result.actual_rules.emplace_back(rule);
    std::sort(result.actual_rules.begin(), result.actual_rules.end());
    result.actual_rules.erase(std::unique(result.actual_rules.begin(), result.actual_rules.end()), result.actual_rules.end());

    for (const std::string& rule : result.actual_rules) {
      for (CoverageItem& item : coverage.items) {
        if (item.id == rule) ++item.decisions;
      }
    }

    const Expectation& expect = *test.expect;
    bool passed = expect.effect == decision.effect;
    if (expect.reason && expect.reason->value != decision.reason) passed = false;
    if (expect.rules_given) {
      std::vector<std::string> expected_rules;
      for (const auto& rule : expect.rules) expected_rules.push_back(rule.value);
      std::sort(expected_rules.begin(), expected_rules.end());
      expected_rules.erase(std::unique(expected_rules.begin(), expected_rules.end()), expected_rules.end());
      if (expected_rules != result.actual_rules) passed = false;
    }
    std::vector<std::string> actual_obligations;
    for (const runtime::AppliedObligation& obligation : decision.obligations) actual_obligations.emplace_back(obligation.name);
    std::sort(actual_obligations.begin(), actual_obligations.end());
    actual_obligations.erase(std::unique(actual_obligations.begin(), actual_obligations.end()), actual_obligations.end());
    if (expect.obligations_given) {
      std::vector<std::string> expected_obligations;
      for (const auto& obligation : expect.obligations) expected_obligations.push_back(obligation.value);
      std::sort(expected_obligations.begin(), expected_obligations.end());
      expected_obligations.erase(std::unique(expected_obligations.begin(), expected_obligations.end()),
                                 expected_obligations.end());
      if (expected_obligations != actual_obligations) passed = false;
    }
    result.passed = passed;
    result.call = fmt::format("{} {} {}{} at {}", request.principal.id, method_verb(request.method), request.target,
                              request.arguments_json.empty() ? "" : " " + request.arguments_json,
                              runtime::format_timestamp(request.now_ms));
    result.expected = describe_expectation(expect);
    result.actual = describe_outcome(decision.effect, result.actual_reason, result.actual_rules);
    for (std::size_t o = 0; o < actual_obligations.size(); ++o) {
      result.actual += (o == 0 ? " with " : ", ") + actual_obligations[o];
    }
    if (expect.obligations_given && actual_obligations.empty() && !expect.obligations.empty()) result.actual += " with nothing";
    if (!decision.message.empty()) result.actual += " (" + decision.message + ")";
    result.trace_text = indent_lines(runtime::render_text(decision, runtime::Audience::Operator), "");
    result.trace_json = runtime::render_json(decision, runtime::Audience::Operator);
    results.push_back(std::move(result));
  }
}

std::string indent_lines(std::string_view text, std::string_view prefix) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out += std::string(prefix) + std::string(text.substr(start, end - start)) + "\n";
    start = end + 1;
  }
  return out;
}

}  // namespace authz::policy_tests
