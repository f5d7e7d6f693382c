// test_file.cpp — the `*.authz.test` parser (format in test_file.h and
// docs/testing.md). A cursor walks the whole text: statements are lines, a
// JSON value may run over several lines; every mistake is a diagnostic and
// the rest of that line is skipped.
#include "compiler/policy_tests/test_file.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "runtime/internal/time_text.h"

namespace authz::policy_tests {
namespace {

constexpr std::array<std::string_view, 7> kReasons = {"allowed",           "forbidden", "not_permitted", "unknown_target",
                                                      "invalid_arguments", "expired",   "error"};

class Parser {
 public:
  Parser(const SourceManager& sources, FileId file, DiagnosticSink& sink)
      : text_(sources.text(file)), file_(file), sink_(sink) {
    result_.file = file;
    result_.path = sources.path(file);
  }

  TestFile parse() {
    while (true) {
      skip_blank_lines();
      if (pos_ >= text_.size()) break;
      statement();
    }
    finish_test();
    return std::move(result_);
  }

 private:
  // ---- characters ------------------------------------------------------------------

  bool at_end_of_line() const { return pos_ >= text_.size() || text_[pos_] == '\n' || text_[pos_] == '\r'; }

  void skip_spaces() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
    if (text_.substr(pos_).starts_with("//")) {
      while (!at_end_of_line()) ++pos_;
    }
  }

  void skip_blank_lines() {
    while (true) {
      skip_spaces();
      if (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
        ++pos_;
        continue;
      }
      return;
    }
  }

  void skip_rest_of_line() {
    while (!at_end_of_line()) ++pos_;
  }

  Span span(std::size_t begin, std::size_t end) const {
    return Span{file_, static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end)};
  }

  static bool is_word_char(char c) {
    return !(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == '{' || c == '[' || c == '"' ||
             c == '}' || c == ']');
  }

  // ---- tokens ------------------------------------------------------------------------

  // A bare word (ids, names, timestamps); empty when none is here.
  Spanned<std::string> word() {
    skip_spaces();
    std::size_t begin = pos_;
    while (pos_ < text_.size() && is_word_char(text_[pos_])) {
      if (text_.substr(pos_).starts_with("//")) break;
      ++pos_;
    }
    return {std::string(text_.substr(begin, pos_ - begin)), span(begin, pos_)};
  }

  // The next token's text for an error message, without consuming it.
  std::string peek_token() {
    skip_spaces();
    std::size_t end = pos_;
    while (end < text_.size() && text_[end] != ' ' && text_[end] != '\t' && text_[end] != '\n' && text_[end] != '\r' &&
           end - pos_ < 40) {
      ++end;
    }
    return std::string(text_.substr(pos_, end - pos_));
  }

  Span token_span() {
    skip_spaces();
    std::size_t end = pos_;
    while (end < text_.size() && !(text_[end] == ' ' || text_[end] == '\t' || text_[end] == '\n' || text_[end] == '\r')) ++end;
    return span(pos_, end);  // empty at the end of a line: the printer marks the position
  }

  bool error(DiagCode code, Span where, std::string message, std::string help) {
    sink_.report(code, where, std::move(message), std::move(help));
    result_.has_syntax_errors = true;
    if (current_) current_->has_syntax_errors = true;
    skip_rest_of_line();
    return false;
  }

  // A double-quoted string (escapes \" \\ \n \t) on one line.
  std::optional<Spanned<std::string>> quoted(std::string_view what) {
    skip_spaces();
    if (pos_ >= text_.size() || text_[pos_] != '"') {
      error(DiagCode::TestSyntaxError, token_span(),
            at_end_of_line() ? "expected " + std::string(what) + " in double quotes"
                             : "expected " + std::string(what) + " in double quotes, found `" + peek_token() + "`",
            "write it as a quoted string, e.g. `\"...\"`");
      return std::nullopt;
    }
    std::size_t begin = pos_++;
    std::string value;
    while (true) {
      if (at_end_of_line()) {
        error(DiagCode::TestSyntaxError, span(begin, pos_), "unterminated string", "close the string with `\"` on the same line");
        return std::nullopt;
      }
      char c = text_[pos_++];
      if (c == '"') break;
      if (c != '\\') {
        value += c;
        continue;
      }
      char escaped = pos_ < text_.size() ? text_[pos_] : '\0';
      if (escaped == '"' || escaped == '\\') value += escaped;
      else if (escaped == 'n') value += '\n';
      else if (escaped == 't') value += '\t';
      else {
        error(DiagCode::TestSyntaxError, span(pos_ - 1, std::min(pos_ + 1, text_.size())), "invalid escape in string",
              "use `\\\"`, `\\\\`, `\\n` or `\\t`");
        return std::nullopt;
      }
      ++pos_;
    }
    return Spanned<std::string>{std::move(value), span(begin, pos_)};
  }

  // A JSON object or array starting here; may span lines. Returns it minified.
  std::optional<Spanned<std::string>> json_value(std::string_view what, bool object_only) {
    skip_spaces();
    std::size_t begin = pos_;
    if (pos_ >= text_.size() || (text_[pos_] != '{' && (object_only || text_[pos_] != '['))) {
      error(DiagCode::TestSyntaxError, token_span(), "expected " + std::string(what) + " as a JSON object",
            "write it as `{...}`, e.g. `{\"account\": \"acc-1\"}`");
      return std::nullopt;
    }
    int depth = 0;
    bool in_string = false;
    for (; pos_ < text_.size(); ++pos_) {
      char c = text_[pos_];
      if (in_string) {
        if (c == '\\') ++pos_;
        else if (c == '"') in_string = false;
        continue;
      }
      if (c == '"') in_string = true;
      else if (c == '{' || c == '[') ++depth;
      else if (c == '}' || c == ']') {
        if (--depth == 0) {
          ++pos_;
          break;
        }
      }
    }
    if (depth != 0) {
      // The scan ran to the end of the file: everything after the opening
      // bracket may be part of the value, so nothing more is reported.
      pos_ = text_.size();
      error(DiagCode::TestInvalidJson, span(begin, begin + 1), std::string(what) + " is not closed",
            "close every `{` and `[` of the JSON value");
      return std::nullopt;
    }
    std::string_view raw = text_.substr(begin, pos_ - begin);
    simdjson::dom::parser parser;
    simdjson::padded_string padded(raw);
    auto parsed = parser.parse(padded);
    if (parsed.error()) {
      std::string reason = simdjson::error_message(parsed.error());
      if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
      while (!reason.empty() && reason.back() == '.') reason.pop_back();
      error(DiagCode::TestInvalidJson, span(begin, pos_), "invalid JSON in " + std::string(what) + ": " + reason,
            "JSON needs double-quoted keys and strings and no trailing commas");
      return std::nullopt;
    }
    if (object_only && !parsed.value_unsafe().is_object()) {
      error(DiagCode::TestInvalidJson, span(begin, pos_), std::string(what) + " must be a JSON object",
            "write it as `{...}`");
      return std::nullopt;
    }
    return Spanned<std::string>{simdjson::minify(parsed.value_unsafe()), span(begin, pos_)};
  }

  std::optional<Spanned<std::int64_t>> timestamp() {
    Spanned<std::string> text = word();
    if (text.value.empty()) {
      error(DiagCode::TestSyntaxError, token_span(), "expected a timestamp", "write e.g. `2026-12-01T00:00:00Z`");
      return std::nullopt;
    }
    auto parsed = runtime::parse_timestamp(text.value);
    if (!parsed) {
      error(DiagCode::InvalidTimestamp, text.span, "`" + text.value + "` is not a timestamp",
            "write an RFC 3339 instant in UTC, e.g. `2026-12-01T00:00:00Z`");
      return std::nullopt;
    }
    return Spanned<std::int64_t>{*parsed, text.span};
  }

  bool expect_end_of_line(std::string_view statement) {
    skip_spaces();
    if (at_end_of_line()) return true;
    return error(DiagCode::TestSyntaxError, token_span(),
                 "unexpected `" + peek_token() + "` after `" + std::string(statement) + "`",
                 "put one statement on each line");
  }

  bool accept_comma() {
    skip_spaces();
    if (pos_ < text_.size() && text_[pos_] == ',') {
      ++pos_;
      return true;
    }
    return false;
  }

  // ---- statements --------------------------------------------------------------------

  void statement() {
    Spanned<std::string> keyword = word();
    if (keyword.value.empty()) {
      error(DiagCode::TestSyntaxError, token_span(), "unexpected `" + peek_token() + "`",
            "a line starts with `test`, `as`, `at`, `call`, `read`, `prompt`, `expect`, `user`, `entity`, "
            "`entities`, `entity_sources`, `now` or `policy`");
      return;
    }
    const std::string& k = keyword.value;
    if (k == "test") return test_statement(keyword.span);
    if (k == "policy") return policy_statement(keyword.span);
    if (k == "now") return now_statement(keyword.span);
    if (k == "entities") return entities_statement();
    if (k == "entity_sources") return entity_sources_statement(keyword.span);
    if (k == "entity") return entity_statement(keyword.span);
    if (k == "user") return user_statement(keyword.span);
    if (k == "as" || k == "at" || k == "call" || k == "read" || k == "prompt" || k == "expect") {
      if (!current_) {
        error(DiagCode::TestSyntaxError, keyword.span, "`" + k + "` outside a test",
              "start a test first with `test \"what it checks\"`");
        return;
      }
      if (k == "as") return as_clause(keyword.span);
      if (k == "at") return at_clause(keyword.span);
      if (k == "expect") return expect_clause(keyword.span);
      return call_clause(keyword);
    }
    error(DiagCode::TestSyntaxError, keyword.span, "unknown statement `" + k + "`",
          "a line starts with `test`, `as`, `at`, `call`, `read`, `prompt`, `expect`, `user`, `entity`, "
          "`entities`, `entity_sources`, `now` or `policy`");
  }

  void duplicate(Span where, std::string_view clause) {
    error(DiagCode::TestDuplicateClause, where, "`" + std::string(clause) + "` given twice", "keep one of them");
  }

  void finish_test() {
    if (current_) result_.tests.push_back(std::move(*current_));
    current_.reset();
  }

  void test_statement(Span keyword) {
    finish_test();
    auto name = quoted("the test's name");
    if (!name) return;
    current_.emplace();
    current_->name = *name;
    current_->span = span(keyword.begin, name->span.end);
    expect_end_of_line("test");
  }

  void policy_statement(Span keyword) {
    if (!result_.policy_paths.empty()) return duplicate(keyword, "policy");
    do {
      auto path = quoted("a policy file or directory");
      if (!path) return;
      result_.policy_paths.push_back(*path);
      skip_spaces();
    } while (!at_end_of_line() && text_[pos_] == '"');
    expect_end_of_line("policy");
  }

  void now_statement(Span keyword) {
    if (result_.now_ms) return duplicate(keyword, "now");
    auto now = timestamp();
    if (!now) return;
    result_.now_ms = now;
    expect_end_of_line("now");
  }

  void entities_statement() {
    auto path = quoted("the path of an entities JSON file");
    if (!path) return;
    result_.entity_files.push_back(*path);
    expect_end_of_line("entities");
  }

  void entity_sources_statement(Span keyword) {
    if (result_.entity_sources) return duplicate(keyword, "entity_sources");
    auto path = quoted("the path of a TOML file with [entities.TYPE] sections");
    if (!path) return;
    result_.entity_sources = *path;
    expect_end_of_line("entity_sources");
  }

  void entity_statement(Span keyword) {
    Spanned<std::string> type = word();
    if (type.value.empty()) {
      error(DiagCode::TestSyntaxError, token_span(), "expected the entity type", "write e.g. `entity Account \"acc-1\" {...}`");
      return;
    }
    auto id = quoted("the entity's id");
    if (!id) return;
    auto attributes = json_value("the entity's attributes", true);
    if (!attributes) return;
    result_.entities.push_back({type.value, id->value, attributes->value, span(keyword.begin, attributes->span.end)});
    expect_end_of_line("entity");
  }

  void user_statement(Span keyword) {
    TestUser user;
    user.id = word();
    if (user.id.value.empty()) {
      error(DiagCode::TestSyntaxError, token_span(), "expected the user's id", "write e.g. `user u-bob roles rep {\"manages\": []}`");
      return;
    }
    skip_spaces();
    std::size_t end = user.id.span.end;
    if (text_.substr(pos_).starts_with("roles") && (pos_ + 5 >= text_.size() || !is_word_char(text_[pos_ + 5]))) {
      pos_ += 5;
      do {
        Spanned<std::string> role = word();
        if (role.value.empty()) {
          error(DiagCode::TestSyntaxError, token_span(), "expected a role name after `roles`",
                "list the roles separated by commas, e.g. `roles rep, manager`");
          return;
        }
        end = role.span.end;
        user.roles.push_back(role);
      } while (accept_comma());
    }
    skip_spaces();
    if (!at_end_of_line()) {
      if (text_[pos_] != '{') {
        error(DiagCode::TestSyntaxError, token_span(), "unexpected `" + peek_token() + "` in `user`",
              "write `user ID [roles ROLE, ...] [{attributes as JSON}]`");
        return;
      }
      auto attributes = json_value("the user's attributes", true);
      if (!attributes) return;
      user.attributes_json = attributes->value;
      end = attributes->span.end;
    }
    user.span = span(keyword.begin, end);
    result_.users.push_back(std::move(user));
    expect_end_of_line("user");
  }

  void as_clause(Span keyword) {
    if (current_->user) return duplicate(keyword, "as");
    Spanned<std::string> user = word();
    if (user.value.empty()) {
      error(DiagCode::TestSyntaxError, token_span(), "expected a user id after `as`", "write e.g. `as u-bob`");
      return;
    }
    current_->user = user;
    expect_end_of_line("as");
  }

  void at_clause(Span keyword) {
    if (current_->at_ms) return duplicate(keyword, "at");
    auto at = timestamp();
    if (!at) return;
    current_->at_ms = at;
    expect_end_of_line("at");
  }

  void call_clause(const Spanned<std::string>& keyword) {
    if (current_->target) return duplicate(keyword.span, "call`, `read` or `prompt");
    Spanned<std::string> target;
    if (keyword.value == "read") {
      skip_spaces();
      if (pos_ < text_.size() && text_[pos_] == '"') {
        auto uri = quoted("the resource URI");
        if (!uri) return;
        target = *uri;
      } else {
        target = word();
      }
      current_->method = runtime::MethodKind::ResourceRead;
    } else {
      target = word();
      current_->method = keyword.value == "call" ? runtime::MethodKind::ToolCall : runtime::MethodKind::PromptGet;
    }
    if (target.value.empty()) {
      error(DiagCode::TestSyntaxError, token_span(), "expected what `" + keyword.value + "` names",
            keyword.value == "read" ? "write e.g. `read \"file:///srv/notes.txt\"`"
                                    : "write e.g. `" + keyword.value + " NAME {\"arg\": \"value\"}`");
      return;
    }
    skip_spaces();
    if (keyword.value != "read" && !at_end_of_line()) {
      auto arguments = json_value("the arguments", true);
      if (!arguments) return;
      current_->arguments_json = arguments->value;
    }
    current_->target = target;
    expect_end_of_line(keyword.value);
  }

  // NAME (, NAME)* into `names`; `end` moves past the last one.
  bool name_list(std::vector<Spanned<std::string>>& names, std::string_view what, std::string_view help,
                 std::size_t& end) {
    do {
      Spanned<std::string> name = word();
      if (name.value.empty()) {
        error(DiagCode::TestSyntaxError, token_span(), "expected " + std::string(what), std::string(help));
        return false;
      }
      end = name.span.end;
      names.push_back(name);
    } while (accept_comma());
    return true;
  }

  void expect_clause(Span keyword) {
    if (current_->expect) return duplicate(keyword, "expect");
    Expectation expectation;
    Spanned<std::string> effect = word();
    if (effect.value == "allow") expectation.effect = runtime::Effect::Allow;
    else if (effect.value == "deny") expectation.effect = runtime::Effect::Deny;
    else {
      error(DiagCode::TestSyntaxError, effect.value.empty() ? token_span() : effect.span,
            effect.value.empty() ? "expected `allow` or `deny` after `expect`"
                                 : "expected `allow` or `deny`, found `" + effect.value + "`",
            "write e.g. `expect deny forbidden by no_cross_user_accounts`");
      return;
    }
    std::size_t end = effect.span.end;
    Spanned<std::string> next = word();
    if (!next.value.empty() && next.value != "by" && next.value != "with") {
      auto reason = reason_from_string(next.value);
      if (!reason) {
        std::string listed;
        for (std::string_view r : kReasons) listed += (listed.empty() ? "`" : ", `") + std::string(r) + "`";
        error(DiagCode::TestSyntaxError, next.span, "unknown reason `" + next.value + "`", "a reason is one of " + listed);
        return;
      }
      bool allow_reason = *reason == runtime::Reason::Allowed;
      if (allow_reason != (expectation.effect == runtime::Effect::Allow)) {
        error(DiagCode::TestSyntaxError, next.span,
              "reason `" + next.value + "` never comes with `" + effect.value + "`",
              expectation.effect == runtime::Effect::Allow ? "an allowed call's reason is `allowed`"
                                                           : "a denied call's reason is not `allowed`");
        return;
      }
      expectation.reason = Spanned<runtime::Reason>{*reason, next.span};
      end = next.span.end;
      next = word();
    }
    if (next.value == "by") {
      expectation.rules_given = true;
      if (!name_list(expectation.rules, "a rule or grant id after `by`",
                     "list the rules that decide, separated by commas, e.g. `by owners_read_own`", end)) {
        return;
      }
      next = word();
    }
    if (next.value == "with") {
      expectation.obligations_given = true;
      if (!name_list(expectation.obligations, "an obligation name after `with`",
                     "list the obligations the allow carries, e.g. `with rows_owned_by_caller, max_results`", end)) {
        return;
      }
      // `with nothing`: the decision must carry no obligation at all.
      if (expectation.obligations.size() == 1 && expectation.obligations[0].value == "nothing") {
        expectation.obligations.clear();
      }
      next = word();
    }
    if (!next.value.empty()) {
      error(DiagCode::TestSyntaxError, next.span, "unexpected `" + next.value + "` in `expect`",
            "write `expect allow|deny [REASON] [by RULE, ...] [with OBLIGATION, ...]`");
      return;
    }
    expectation.span = span(keyword.begin, end);
    current_->expect = std::move(expectation);
    expect_end_of_line("expect");
  }

  std::string_view text_;
  FileId file_;
  DiagnosticSink& sink_;
  std::size_t pos_ = 0;
  TestFile result_;
  std::optional<TestCase> current_;
};

}  // namespace

std::optional<runtime::Reason> reason_from_string(std::string_view text) {
  static constexpr std::array<runtime::Reason, 7> kValues = {
      runtime::Reason::Allowed,          runtime::Reason::Forbidden, runtime::Reason::NotPermitted,
      runtime::Reason::UnknownTarget,    runtime::Reason::InvalidArguments, runtime::Reason::Expired,
      runtime::Reason::Error};
  for (std::size_t i = 0; i < kReasons.size(); ++i) {
    if (kReasons[i] == text) return kValues[i];
  }
  return std::nullopt;
}

TestFile parse_test_file(const SourceManager& sources, FileId file, DiagnosticSink& sink) {
  return Parser(sources, file, sink).parse();
}

}  // namespace authz::policy_tests
