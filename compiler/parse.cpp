// parse.cpp — the parse adapter's driver: .authz text -> ast::File, running
// the stages below in order (parse_file, parse_into). Only the parse
// adapter's files (compiler/parse*.cpp) include ANTLR.
//
// Contract (see parse.h): never throws, never crashes, ANTLR prints nothing.
// Stages, each of which can end the parse with diagnostics:
//   1. size cap (E0005), UTF-8 validation (E0004) and a NUL byte (E0016, the
//      file is not text), on the raw bytes: each one diagnostic, then stop;
//   2. lexing everything up front into compact tokens: bad characters
//      (E0003), unterminated strings (E0002) and comments (E0007) become
//      diagnostics and leave the token stream; runs of `///` lines merge into
//      one doc token; a token cap bounds memory (E0005); an empty file is
//      E0011, one without a `policy` / `module` header E0012 (and the parse
//      stops: it is not a policy file); invisible and bidirectional
//      characters (compiler/invisible_chars.h) are E0015 in code and strings,
//      W0003 in comments, one per string or comment, at most 21 per file;
//   3. a nesting pre-scan over the tokens (E0006), so the recursive-descent
//      parser never recurses deeper than ast::kMaxNesting levels;
//   fast path: a file with no error so far is first given to the
//      ANTLR-free parser of compiler/fast_parse.h, which builds the same AST
//      directly; it declines at the first thing stage 4 or 5 would report
//      (or anything unusual), and only then do stages 4 and 5 run, unchanged;
//   4. ANTLR's parser, run over chunks of whole declarations so only one
//      chunk's parse tree exists at a time (a single oversized declaration is
//      E0005): first in SLL mode with a bail-out strategy (fast; almost every
//      chunk is valid), and only a chunk that fails again in LL mode with an
//      error strategy that turns ANTLR's recovery reports into E0001 / E0013
//      diagnostics in the user's terms;
//   5. a direct walk of each chunk's parse tree into the AST, decoding
//      literals (E0008, E0009, E0010), reporting repeated clauses (E0411) and
//      bounding left-nested chains (`a + b + ...`, `a.b.c...`) by E0006.
// Spans are byte offsets: ANTLR counts code points, so offsets are mapped back
// through the code point -> byte table built during UTF-8 validation.
// Where each stage lives: stages 1-3 parse_lex.cpp, stage 4's diagnostics
// parse_syntax_errors.cpp, stage 5 parse_tree_decls.cpp and
// parse_tree_exprs.cpp (parse_tree_builder.h); their shared declarations are
// in parse_internal.h. This file chunks the tokens, tries the fast path and
// runs ANTLR.
#include "compiler/parse.h"

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/fast_parse.h"
#include "compiler/parse_internal.h"

namespace authz {
namespace parse_detail {
namespace {

// ---- stage 1: bytes -------------------------------------------------------------------

// False (after its one diagnostic) when the file is too large (E0005), not
// UTF-8 (E0004) or not text (E0016); otherwise state.decoded holds its code
// points.
bool check_bytes(ParseState& state) {
  if (state.bytes.size() > kMaxFileBytes) {
    state.sink.report(DiagCode::FileTooLarge, state.at(0, 0),
                      "file is " + std::to_string(state.bytes.size()) + " bytes, more than the limit of " +
                          std::to_string(kMaxFileBytes) + " bytes",
                      "split the policy into several files and `use` them");
    return false;
  }
  if (auto error = decode_utf8(state.bytes, state.decoded)) {
    state.sink.report(DiagCode::InvalidUtf8, state.at(error->offset, error->offset + 1), std::move(error->message),
                      "save the file as UTF-8");
    return false;
  }
  // A NUL byte (in valid UTF-8): a binary file, not policy text. One diagnostic without an
  // excerpt, however many characters the lexer would refuse.
  if (const std::size_t nul = state.bytes.find('\0'); nul != std::string_view::npos) {
    state.sink.report(DiagCode::NotPolicyText, Span{},
                      "file `" + state.path + "` is not text: byte " + std::to_string(nul) + " is NUL",
                      "a policy file is UTF-8 text starting with `policy NAME;` or `module NAME;`");
    return false;
  }
  return true;
}

// ---- stage 2: tokens ------------------------------------------------------------------

// Lexes the file into `tokens` (state.kinds set). False when the parse stops
// here: lexing stopped, the file is empty (E0011, unless a lexer error said
// why) or has no header (E0012). A doc comment on the header is E0013 and is
// dropped.
bool lex_file(ParseState& state, std::vector<LexedToken>& tokens) {
  bool has_content = false;
  std::size_t lexer_errors = 0;
  Lexer hand_lexer(state.decoded.code_points);
  if (!lex_all(state, hand_lexer, tokens, has_content, lexer_errors)) return false;
  if (!has_content) {
    if (lexer_errors == 0) {
      const bool only_comments = !state.doc_lines.empty() ||
                                 std::any_of(state.bytes.begin(), state.bytes.end(), [](char c) { return c == '/'; });
      state.sink.report(DiagCode::EmptyFile, state.at(0, 0),
                        only_comments ? "file has nothing but comments" : "file is empty",
                        "a policy file starts with `policy NAME;`, a library with `module NAME;`");
    }
    return false;
  }

  // A doc comment on the header: say so, and keep the header (the grammar
  // has no doc there, and losing the header would add a missing-header error).
  if (tokens.size() >= 2 && tokens[0].type == AuthzLexer::DOC_COMMENT &&
      (tokens[1].type == state.kinds->kw_policy || tokens[1].type == state.kinds->kw_module)) {
    const std::vector<Span>& lines = state.doc_lines[tokens[0].start];
    state.sink.report(DiagCode::MisplacedDocComment, lines.empty() ? state.at(0, 0) : lines.front(),
                      "doc comment on the file header", "use `//` for comments about the whole file");
    tokens.erase(tokens.begin());
  }

  // No header: not a policy file. Say so once and stop, so that a file that
  // is some other text (a configuration file, a key) is one diagnostic
  // instead of a syntax error, with an excerpt, per line.
  if (tokens[0].type != state.kinds->kw_policy && tokens[0].type != state.kinds->kw_module) {
    const LexedToken& first = tokens[tokens[0].type == AuthzLexer::DOC_COMMENT && tokens.size() > 1 ? 1 : 0];
    state.sink.report(DiagCode::MissingHeader, state.span_of_range(first.start, first.end),
                      "file has no `policy` or `module` header",
                      "start the file with `policy NAME;` for a policy, or `module NAME;` for a library");
    return false;
  }
  return true;
}

// ---- chunks and the fast path ---------------------------------------------------------

// Where chunks start: token 0, then the first declaration keyword (or the
// doc comment before one) right after a `;` or `}` once the current chunk has
// kChunkTokens tokens. `;` and `}` only ever end declarations (no bracket
// holds them), so declarations never span chunks, and an unbalanced bracket
// does not glue the rest of the file into one chunk.
std::vector<std::size_t> chunk_starts(const ParseState& state, const std::vector<LexedToken>& tokens) {
  const TokenKinds& k = *state.kinds;
  std::vector<std::size_t> starts = {0};
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    if (i - starts.back() < kChunkTokens) continue;
    const std::size_t previous = tokens[i - 1].type;
    if (previous != k.semicolon && previous != k.rbrace) continue;
    std::size_t type = tokens[i].type;
    if (type == AuthzLexer::DOC_COMMENT && i + 1 < tokens.size()) type = tokens[i + 1].type;
    if (k.item_starts.count(type) != 0) starts.push_back(i);
  }
  return starts;
}

// The end (exclusive) of chunk `c`.
std::size_t chunk_end(const std::vector<std::size_t>& starts, std::size_t c, const std::vector<LexedToken>& tokens) {
  return c + 1 < starts.size() ? starts[c + 1] : tokens.size();
}

// The fast path, for a file with no error so far (then the ANTLR path would
// report nothing before stage 5 either). True when it built `file`. The ANTLR
// path also caps one chunk's parse tree (kMaxChunkTokens, kMaxSyntaxNodes);
// the densest valid text has 4.5 rule nodes per token (`[x, x, ...]`: nine
// per element of two tokens), so chunks under kMaxSyntaxNodes / 5 tokens stay
// within both caps, and a larger one is left to ANTLR to report.
bool try_fast_path(ParseState& state, const std::vector<LexedToken>& tokens, const std::vector<std::size_t>& starts,
                   ast::File& file) {
  bool small_chunks = true;
  for (std::size_t c = 0; c < starts.size(); ++c) {
    small_chunks = small_chunks && chunk_end(starts, c, tokens) - starts[c] < kMaxSyntaxNodes / 5;
  }
  // Warnings so far (W0003, from stage 2) do not matter: stages 4 and 5 see
  // the same tokens either way.
  if (!state.options.fast_path || !small_chunks || state.sink.error_count() != state.errors_before) return false;
  ast::File fast;
  fast.file = file.file;
  const FastParseInput input{state.file, state.bytes, &state.decoded, &tokens, &state.doc_lines,
                             &state.kinds->fast_kinds};
  if (!fast_parse(input, fast)) return false;
  file = std::move(fast);
  if (state.options.used_fast_path != nullptr) *state.options.used_fast_path = true;
  return true;
}

// ---- stages 4 and 5: ANTLR ------------------------------------------------------------

// Where ANTLR's tokens say they come from: the generated lexer (never run;
// it gives the vocabulary) over the file's code points.
using TokenOrigin = std::pair<antlr4::TokenSource*, antlr4::CharStream*>;

// Tokens [begin, end) as ANTLR tokens, ending in an EOF token.
std::vector<std::unique_ptr<Token>> antlr_chunk(const std::vector<LexedToken>& tokens, std::size_t begin,
                                                std::size_t end, const TokenOrigin& origin) {
  auto make = [&](const LexedToken& t, std::size_t type, std::size_t start, std::size_t stop) {
    auto token = std::make_unique<antlr4::CommonToken>(origin, type, Token::DEFAULT_CHANNEL, start, stop);
    token->setLine(t.line);
    token->setCharPositionInLine(t.column);
    return token;
  };
  std::vector<std::unique_ptr<Token>> chunk;
  chunk.reserve(end - begin + 1);
  for (std::size_t i = begin; i < end; ++i) {
    const LexedToken& t = tokens[i];
    chunk.push_back(make(t, antlr_type(t), t.start, std::size_t{t.end} - 1));
  }
  if (end < tokens.size()) {
    // The chunk ends where the next declaration starts: an end of input
    // there is exactly what the grammar expects after a declaration.
    const LexedToken& next = tokens[end];
    chunk.push_back(make(next, Token::EOF, next.start, std::size_t{next.start} - 1));
  }
  return chunk;
}

// Stops a parse whose tree grows past kMaxSyntaxNodes rule nodes.
class SyntaxNodeBudget final : public antlr4::tree::ParseTreeListener {
 public:
  void enterEveryRule(antlr4::ParserRuleContext*) override {
    if (++nodes_ > kMaxSyntaxNodes) {
      exceeded_ = true;
      throw antlr4::ParseCancellationException();
    }
  }
  void exitEveryRule(antlr4::ParserRuleContext*) override {}
  void visitTerminal(antlr4::tree::TerminalNode*) override {}
  void visitErrorNode(antlr4::tree::ErrorNode*) override {}
  bool exceeded() const { return exceeded_; }

 private:
  std::size_t nodes_ = 0;
  bool exceeded_ = false;
};

// Parses one chunk (ending in an EOF token) and adds its declarations to
// `file`. Returns false when parsing must stop (too many errors).
//
// Two stages, ANTLR's standard speedup: first SLL prediction with a strategy
// that gives up at the first syntax error (no recovery bookkeeping, no
// `sync` at every loop, nothing reported); nearly every chunk of a real
// policy is valid and is done after this. Only a chunk that fails is parsed
// again from its first token in full LL mode with the reporting strategy, so
// diagnostics are exactly those of a single LL parse.
bool parse_chunk(ParseState& state, FallbackErrorListener& listener, std::vector<std::unique_ptr<Token>> chunk,
                 ast::File& file) {
  antlr4::ListTokenSource source(std::move(chunk));
  antlr4::CommonTokenStream stream(&source);
  stream.fill();
  AuthzParser parser(&stream);
  // No listener in the first stage: the generated rules hand a failed
  // prediction to reportError before the bail strategy gives up, and a
  // report from this stage would duplicate the second stage's.
  parser.removeErrorListeners();
  AuthzParser::File_Context* tree = nullptr;
  {
    parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
    SyntaxNodeBudget budget;
    parser.addParseListener(&budget);
    try {
      tree = parser.file_();
    } catch (const antlr4::ParseCancellationException&) {
      tree = nullptr;  // a syntax error, or the node budget: the second stage says which
    }
    parser.removeParseListeners();
  }
  if (tree == nullptr) {
    stream.seek(0);
    parser.reset();
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
    parser.addErrorListener(&listener);
    parser.setErrorHandler(make_reporting_error_strategy(state, parser.getVocabulary()));
    SyntaxNodeBudget budget;
    parser.addParseListener(&budget);
    try {
      tree = parser.file_();
    } catch (const antlr4::ParseCancellationException&) {
      if (!budget.exceeded()) return false;  // the sink hit its error limit and says so
      state.sink.report(DiagCode::FileTooLarge, state.span_of(parser.getCurrentToken()),
                        "declaration is too large: more than " + std::to_string(kMaxSyntaxNodes) +
                            " syntax nodes",
                        "split it into several smaller rules");
      return true;
    }
    parser.removeParseListeners();
  }
  build_ast(state, tree, file);
  return true;
}
// Stages 4 and 5, one chunk of whole declarations at a time.
void parse_chunks(ParseState& state, const TokenOrigin& origin, FallbackErrorListener& listener,
                  const std::vector<LexedToken>& tokens, const std::vector<std::size_t>& starts, ast::File& file) {
  for (std::size_t c = 0; c < starts.size(); ++c) {
    if (state.sink.error_count() > DiagnosticSink::kMaxErrors) return;
    const std::size_t begin = starts[c];
    const std::size_t end = chunk_end(starts, c, tokens);
    if (end - begin > kMaxChunkTokens) {
      // Chunks end at the first declaration boundary after kChunkTokens, so
      // this is one declaration (or one run of garbage) with no end in sight.
      const LexedToken& crossing = tokens[begin + kMaxChunkTokens];
      state.sink.report(DiagCode::FileTooLarge, state.span_of_range(crossing.start, crossing.end),
                        "declaration is too large: more than " + std::to_string(kMaxChunkTokens) + " tokens",
                        "split it into several smaller declarations; each ends with `;`");
      continue;
    }
    if (!parse_chunk(state, listener, antlr_chunk(tokens, begin, end, origin), file)) return;
  }
}

// The stages in order; each step that reports what ends the parse returns
// false.
void parse_into(ParseState& state, ast::File& file) {
  if (!check_bytes(state)) return;
  CodePointStream input(state.decoded.code_points);
  AuthzLexer lexer(&input);
  lexer.removeErrorListeners();
  FallbackErrorListener listener(state);
  lexer.addErrorListener(&listener);
  state.kinds = &TokenKinds::instance(lexer.getVocabulary());
  std::vector<LexedToken> tokens;
  if (!lex_file(state, tokens)) return;
  if (!check_nesting(state, tokens)) return;  // stage 3
  const std::vector<std::size_t> starts = chunk_starts(state, tokens);
  if (try_fast_path(state, tokens, starts, file)) return;
  parse_chunks(state, TokenOrigin(&lexer, &input), listener, tokens, starts, file);
}

}  // namespace
}  // namespace parse_detail

using namespace parse_detail;

std::vector<LexedForTest> lex_for_test(std::string_view text, bool reference) {
  std::vector<LexedForTest> out;
  DecodedText decoded;
  if (decode_utf8(text, decoded)) return out;
  CodePointStream input(decoded.code_points);
  AuthzLexer antlr_lexer(&input);
  antlr_lexer.removeErrorListeners();
  const TokenKinds& kinds = TokenKinds::instance(antlr_lexer.getVocabulary());
  Lexer hand_lexer(decoded.code_points);
  for (;;) {
    const RawToken token =
        reference ? next_antlr_lexed(antlr_lexer) : next_hand_lexed(kinds, hand_lexer, decoded.code_points);
    out.push_back({token.type, token.start, token.end, token.line, token.column});
    if (token.type == Token::EOF) return out;
  }
}

std::string token_type_name_for_test(std::size_t type) {
  if (type == Token::EOF) return "EOF";
  antlr4::ANTLRInputStream empty("");
  AuthzLexer lexer(&empty);
  return lexer.getVocabulary().getDisplayName(type);
}

std::unique_ptr<ast::File> parse_file(const SourceManager& sources, FileId file, DiagnosticSink& sink,
                                      const ParseOptions& options) {
  auto result = std::make_unique<ast::File>();
  result->file = file;
  if (options.used_fast_path != nullptr) *options.used_fast_path = false;
  try {
    ParseState state(file, sources.text(file), sink, options);
    state.path = sources.path(file);
    parse_into(state, *result);
  } catch (const std::bad_alloc&) {
    sink.report(DiagCode::FileTooLarge, Span{file, 0, 0}, "ran out of memory while parsing this file",
                "split the policy into several smaller files");
  } catch (...) {
    // ANTLR throws for states its recovery cannot handle; whatever it was,
    // the caller gets a diagnostic, not an exception.
    sink.report(DiagCode::SyntaxError, Span{file, 0, 0}, "could not parse this file (internal parser error)",
                "please report this as a bug, with the file");
  }
  return result;
}

}  // namespace authz
