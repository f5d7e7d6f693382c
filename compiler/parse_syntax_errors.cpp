// parse_syntax_errors.cpp — stage 4's diagnostics: ANTLR's syntax error
// reports turned into E0001 (syntax error) and E0013 (misplaced doc comment)
// in the user's terms, `expected `;` after `x`` rather than token names.
//
// Contract: one diagnostic per error, none for a follow-on error of the same
// declaration (is_cascade) or for a token right after a lexer error
// (ParseState::quiet_starts); at most DiagnosticSink::kMaxErrors, then the
// parse is cancelled. ANTLR itself prints nothing (FallbackErrorListener).
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/literals.h"
#include "compiler/parse_internal.h"

namespace authz::parse_detail {
namespace {

std::string join_alternatives(const std::vector<std::string>& phrases) {
  constexpr std::size_t kShown = 8;
  std::string out;
  const std::size_t shown = std::min(phrases.size(), kShown);
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) out += (i + 1 == shown && phrases.size() <= kShown) ? " or " : ", ";
    out += phrases[i];
  }
  if (phrases.size() > kShown) out += ", ...";
  return out;
}

class SyntaxReporter {
 public:
  SyntaxReporter(ParseState& state, const antlr4::dfa::Vocabulary& vocabulary)
      : state_(state), vocabulary_(vocabulary), k_(*state.kinds) {}

  // What the parser expected, as the user would write it.
  std::vector<std::string> describe(const antlr4::misc::IntervalSet& expected) const {
    std::vector<std::size_t> types;
    bool eof = false;
    for (ssize_t value : expected.toList()) {
      if (value < 0) eof = true;
      else types.push_back(static_cast<std::size_t>(value));
    }
    auto has = [&](std::size_t type) { return std::find(types.begin(), types.end(), type) != types.end(); };
    auto has_all = [&](const std::unordered_set<std::size_t>& set) {
      return std::all_of(set.begin(), set.end(), has);
    };
    auto drop = [&](auto predicate) { types.erase(std::remove_if(types.begin(), types.end(), predicate), types.end()); };
    // An attribute name may be any keyword; "a name" says it without listing 40 words.
    if (has(AuthzLexer::IDENT) &&
        std::count_if(types.begin(), types.end(), [&](std::size_t t) { return k_.keywords.count(t) != 0; }) >= 10) {
      drop([&](std::size_t t) { return k_.keywords.count(t) != 0; });
    }
    std::vector<std::string> phrases;
    if (has_all(k_.item_starts)) {
      phrases.push_back("a declaration");
      drop([&](std::size_t t) { return k_.item_starts.count(t) != 0 || t == AuthzLexer::DOC_COMMENT; });
    }
    if (has_all(k_.expression_starts)) {
      phrases.push_back("an expression");
      drop([&](std::size_t t) { return k_.expression_starts.count(t) != 0 || t == k_.bang || t == k_.minus; });
    }
    std::vector<std::string> classes;
    for (std::size_t type : types) {
      switch (type) {
        case AuthzLexer::IDENT: classes.push_back("a name"); break;
        case AuthzLexer::STRING: classes.push_back("a string"); break;
        case AuthzLexer::INT: classes.push_back("an integer"); break;
        case AuthzLexer::TIMESTAMP: classes.push_back("a timestamp"); break;
        case AuthzLexer::DURATION: classes.push_back("a duration"); break;
        case AuthzLexer::DOC_COMMENT: classes.push_back("a doc comment"); break;
        default: {
          std::string literal = vocabulary_.getLiteralName(type);
          if (literal.size() >= 3) phrases.push_back("`" + literal.substr(1, literal.size() - 2) + "`");
        }
      }
    }
    phrases.insert(phrases.end(), classes.begin(), classes.end());
    if (eof) phrases.push_back("the end of the file");
    return phrases;
  }

  std::string describe(const Token* token) const {
    if (token->getType() == Token::EOF) return "end of file";
    return quote(state_.text_of(token));
  }

  // One syntax error. `missing` is ANTLR's "a token is missing here" report.
  void report(antlr4::Parser* parser, Token* offending, const antlr4::misc::IntervalSet& expected, bool missing) {
    if (offending == nullptr || state_.is_quiet(offending)) return;
    antlr4::TokenStream* stream = parser->getTokenStream();
    const std::size_t index = offending->getTokenIndex();
    if (is_cascade(stream, index)) return;
    Token* previous = index != kInvalidIndex && index > 0 ? stream->get(index - 1) : nullptr;
    Token* next = index != kInvalidIndex && index + 1 < stream->size() ? stream->get(index + 1) : nullptr;
    const std::size_t type = offending->getType();
    const std::vector<std::string> phrases = describe(expected);
    // A doc comment followed by a declaration starts the next declaration
    // (the one before probably lacks its `;`); any other is misplaced.
    const bool doc_starts_item = type == AuthzLexer::DOC_COMMENT && next != nullptr &&
                                 k_.item_starts.count(next->getType()) != 0;
    const bool starts_something_new = type == Token::EOF || doc_starts_item || k_.item_starts.count(type) != 0 ||
                                      (previous != nullptr && offending->getLine() > previous->getLine());
    const bool wants_semicolon = expected.contains(k_.semicolon);

    if (previous != nullptr && previous->getType() == AuthzLexer::DOC_COMMENT && type != AuthzLexer::DOC_COMMENT &&
        k_.item_starts.count(type) == 0) {
      // `/// text` followed by something that takes no doc comment.
      misplaced_doc(previous);
    } else if (previous != nullptr && !phrases.empty() && (type != AuthzLexer::DOC_COMMENT || doc_starts_item) &&
               (missing || phrases.size() == 1 || (wants_semicolon && starts_something_new))) {
      const std::string what = wants_semicolon ? "`;`" : join_alternatives(phrases);
      const Span after = state_.span_of(previous);
      std::string help;
      if (phrases.size() > 1 && wants_semicolon) help = "or continue with " + join_others(phrases, "`;`");
      if (what == "a timestamp") help = "timestamps look like `2026-01-01T00:00:00Z` (UTC) or `2026-01-01T09:00:00+02:00`";
      state_.sink.report(DiagCode::SyntaxError, state_.at(after.end, after.end),
                         "expected " + what + " after " + describe(previous), std::move(help));
    } else if (type == AuthzLexer::DOC_COMMENT) {
      misplaced_doc(offending);
    } else if ((type == k_.kw_policy || type == k_.kw_module) && previous != nullptr) {
      state_.sink.report(DiagCode::SyntaxError, state_.span_of(offending),
                         "unexpected " + describe(offending) + " header",
                         "a file has one `policy NAME;` or `module NAME;` line, at its top");
    } else {
      std::string help = phrases.empty() ? std::string() : "expected " + join_alternatives(phrases);
      const std::string_view text = state_.text_of(offending);
      if (text == "=" && !expected.contains(type)) help = "write `==` to compare values";
      if (text == "and") help = "write `&&` for a logical and";
      if (text == "or") help = "write `||` for a logical or";
      if (text == "not") help = "write `!` for a logical not";
      state_.sink.report(DiagCode::SyntaxError, state_.span_of(offending), "unexpected " + describe(offending),
                         std::move(help));
    }
    // The sink stops recording after its limit; stop parsing too.
    if (state_.sink.error_count() > DiagnosticSink::kMaxErrors) throw antlr4::ParseCancellationException();
  }

 private:
  // After one error, ANTLR's recovery often trips again within the same
  // declaration; those follow-on errors only restate the first. A later error
  // is reported only when a `;` or a declaration keyword lies between the last
  // reported error's token (inclusive) and its own.
  bool is_cascade(antlr4::TokenStream* stream, std::size_t index) {
    if (index == kInvalidIndex) return false;
    const bool first = last_error_index_ == kInvalidIndex;
    bool cascade = !first && index <= last_error_index_;
    if (!first && index > last_error_index_) {
      cascade = true;
      for (std::size_t i = last_error_index_; i < index; ++i) {
        const std::size_t type = stream->get(i)->getType();
        if (type == k_.semicolon || k_.item_starts.count(type) != 0) {
          cascade = false;
          break;
        }
      }
    }
    last_error_index_ = std::max(first ? index : last_error_index_, index);
    return cascade;
  }

  // E0013 at the first line of a (merged) doc comment token.
  void misplaced_doc(const Token* doc) {
    Span first_line = state_.span_of(doc);
    auto lines = state_.doc_lines.find(doc->getStartIndex());
    if (lines != state_.doc_lines.end() && !lines->second.empty()) first_line = lines->second.front();
    state_.sink.report(DiagCode::MisplacedDocComment, first_line, "doc comment does not document anything here",
                       "`///` documents the declaration right after it; use `//` for a plain comment");
  }

  static std::string join_others(const std::vector<std::string>& phrases, const std::string& except) {
    std::vector<std::string> others;
    for (const std::string& phrase : phrases) {
      if (phrase != except) others.push_back(phrase);
    }
    return join_alternatives(others);
  }

  ParseState& state_;
  const antlr4::dfa::Vocabulary& vocabulary_;
  const TokenKinds& k_;
  std::size_t last_error_index_ = kInvalidIndex;  // token index of the last reported syntax error
};

// ANTLR's recovery (single-token insertion and deletion, resynchronising at
// follow sets) with every report routed to SyntaxReporter.
class ReportingErrorStrategy final : public antlr4::DefaultErrorStrategy {
 public:
  ReportingErrorStrategy(ParseState& state, const antlr4::dfa::Vocabulary& vocabulary)
      : reporter_(state, vocabulary) {}

  void reportError(antlr4::Parser* parser, const antlr4::RecognitionException& e) override {
    if (inErrorRecoveryMode(parser)) return;
    beginErrorCondition(parser);
    Token* offending = e.getOffendingToken() != nullptr ? e.getOffendingToken() : parser->getCurrentToken();
    antlr4::misc::IntervalSet expected;
    auto* no_viable = dynamic_cast<const antlr4::NoViableAltException*>(&e);
    // A prediction that failed some tokens after its start knows what could
    // start the construct, not what could come at the offending token: say
    // only what is unexpected rather than mislead.
    const bool failed_later = no_viable != nullptr && no_viable->getStartToken() != nullptr &&
                              offending != nullptr && no_viable->getStartToken() != offending;
    if (!failed_later) {
      try {
        expected = e.getExpectedTokens();
      } catch (const std::exception&) {
        // No expectation to show; the error itself is still worth reporting.
      }
    }
    reporter_.report(parser, offending, expected, false);
  }

 protected:
  void reportUnwantedToken(antlr4::Parser* parser) override {
    if (inErrorRecoveryMode(parser)) return;
    beginErrorCondition(parser);
    reporter_.report(parser, parser->getCurrentToken(), getExpectedTokens(parser), false);
  }

  void reportMissingToken(antlr4::Parser* parser) override {
    if (inErrorRecoveryMode(parser)) return;
    beginErrorCondition(parser);
    reporter_.report(parser, parser->getCurrentToken(), getExpectedTokens(parser), true);
  }

 private:
  SyntaxReporter reporter_;
};

}  // namespace

std::shared_ptr<antlr4::ANTLRErrorStrategy> make_reporting_error_strategy(
    ParseState& state, const antlr4::dfa::Vocabulary& vocabulary) {
  return std::make_shared<ReportingErrorStrategy>(state, vocabulary);
}

void FallbackErrorListener::syntaxError(antlr4::Recognizer* recognizer, Token* offending, size_t, size_t,
                                        const std::string&, std::exception_ptr) {
  if (offending != nullptr) {
    if (!state_.is_quiet(offending)) {
      state_.sink.report(DiagCode::SyntaxError, state_.span_of(offending),
                         "unexpected " + quote(state_.text_of(offending)));
    }
    return;
  }
  if (auto* lexer = dynamic_cast<antlr4::Lexer*>(recognizer)) {
    const std::uint32_t begin = state_.decoded.byte_at(lexer->tokenStartCharIndex);
    state_.sink.report(DiagCode::InvalidCharacter, state_.at(begin, begin + 1), "invalid character");
  }
}

}  // namespace authz::parse_detail
