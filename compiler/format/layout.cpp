// layout.cpp — the canonical layout (format.h lists its rules) over the
// formatter's tokens. A small printer places tokens and the comments before
// them; Layout walks declarations and decides where lines break.
//
// Robustness: the input has been accepted by the parser, but nothing here
// trusts that: every read past the end yields the End token and sets
// `failed`, every loop advances or stops, and a failed layout returns the
// input unchanged (format_source then refuses it, since its checks fail).
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ast.h"
#include "compiler/format/format.h"
#include "compiler/format/format_tokens.h"

namespace authz::format {
namespace {

std::size_t code_points(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

enum class SepKind { None, Space, Line, Soft };

struct Sep {
  SepKind kind = SepKind::Space;
  std::size_t indent = 0;   // for a new line: this token's, or its comments'
  bool keep_blank = false;  // keep one empty line here if the source had one
  std::size_t width = 0;    // Soft: the width of what follows on the same line
};

Sep none(std::size_t indent) { return {SepKind::None, indent, false, 0}; }
Sep space(std::size_t indent) { return {SepKind::Space, indent, false, 0}; }
Sep line(std::size_t indent, bool keep_blank = true) { return {SepKind::Line, indent, keep_blank, 0}; }
Sep soft(std::size_t indent, std::size_t width) { return {SepKind::Soft, indent, false, width}; }

class Printer {
 public:
  void emit(const Token& token, Sep sep) {
    for (const Comment& comment : token.comments) {
      if (comment.own_line) {
        if (open_) newline();
        if (comment.blank_before && sep.keep_blank) blank();
        start(sep.indent);
        line_ += comment.text;
        newline();
      } else {
        if (!open_) start(sep.indent);
        else line_ += ' ';
        line_ += comment.text;
        if (comment.is_line) must_break_ = true;
      }
    }
    if (token.kind == TokenKind::End) return;
    place(token.text, sep, token.blank_before);
    if (token.kind == TokenKind::Doc) must_break_ = true;
  }

  // Text the source did not have (a trailing comma): no comments, no blank.
  void emit_text(std::string_view text, Sep sep) { place(text, sep, false); }

  std::string finish(const Token& end) {
    emit(end, line(0));
    if (open_) newline();
    return std::move(out_);
  }

  std::size_t column() const {
    std::size_t last_break = line_.rfind('\n');
    return code_points(last_break == std::string::npos ? std::string_view(line_)
                                                        : std::string_view(line_).substr(last_break + 1));
  }

 private:
  void place(std::string_view text, Sep sep, bool blank_before) {
    bool at_start = !open_;
    if (open_ && (must_break_ || sep.kind == SepKind::Line ||
                  (sep.kind == SepKind::Soft && column() + 1 + sep.width > kLineWidth))) {
      newline();
      at_start = true;
    }
    if (at_start) {
      if (blank_before && sep.keep_blank) blank();
      start(sep.indent);
    } else if (sep.kind != SepKind::None) {
      line_ += ' ';
    }
    line_ += text;
  }
  void start(std::size_t indent) {
    line_.assign(indent, ' ');
    open_ = true;
  }
  void newline() {
    out_ += line_;
    out_ += '\n';
    line_.clear();
    open_ = false;
    must_break_ = false;
  }
  void blank() {
    if (out_.empty() || (out_.size() >= 2 && out_.compare(out_.size() - 2, 2, "\n\n") == 0)) return;
    out_ += '\n';
  }

  std::string out_;
  std::string line_;
  bool open_ = false;        // something is on the current line
  bool must_break_ = false;  // a `//` comment or doc comment ends the current line
};

bool is_one_of(std::string_view text, std::initializer_list<std::string_view> words) {
  return std::find(words.begin(), words.end(), text) != words.end();
}

class Layout {
 public:
  explicit Layout(const std::vector<Token>& tokens) : tokens_(tokens) {}

  bool failed = false;

  std::string run() {
    while (cur().kind != TokenKind::End && !failed) {
      std::size_t before = index_;
      item();
      if (index_ == before) failed = true;
    }
    return printer_.finish(tokens_.back());
  }

 private:
  const Token& at(std::size_t k) const { return k < tokens_.size() ? tokens_[k] : tokens_.back(); }
  const Token& cur() const { return at(index_); }
  std::string_view text(std::size_t k) const { return at(k).kind == TokenKind::End ? std::string_view() : at(k).text; }
  bool is(std::string_view t) const { return cur().kind != TokenKind::End && cur().text == t; }
  std::string_view prev_text() const { return index_ == 0 ? std::string_view() : text(index_ - 1); }

  void put(Sep sep) {
    if (cur().kind == TokenKind::End) {
      failed = true;
      return;
    }
    printer_.emit(cur(), sep);
    ++index_;
  }

  void item() {
    while (cur().kind == TokenKind::Doc) put(line(0));
    std::string_view keyword = text(index_);
    if (is_one_of(keyword, {"principal", "entity", "record"})) {
      record_decl();
    } else if (is_one_of(keyword, {"tool", "prompt", "obligation"})) {
      callable_decl();
    } else if (is_one_of(keyword, {"allow", "deny", "grant"})) {
      rule_decl();
    } else {
      simple_decl(keyword == "group");
    }
  }

  // Width of the next token plus what must stay on its line (`user "x"`, a following `,`/`;`).
  std::size_t item_width(std::size_t k) const {
    std::size_t width = code_points(text(k));
    if (text(k) == "user" && at(k + 1).kind == TokenKind::String) width += 1 + code_points(text(++k));
    if (is_one_of(text(k + 1), {",", ";"})) width += 1;
    return width;
  }

  // policy, module, use, role, group, resource, default: one line, groups wrap.
  void simple_decl(bool wraps) {
    put(line(0));
    while (!failed) {
      std::string_view t = text(index_);
      std::string_view prev = prev_text();
      if (t == ";") {
        put(none(2));
        return;
      }
      if (t == "," || t == "." || prev == ".") put(none(2));
      else if (wraps && prev == ",") put(soft(2, item_width(index_)));
      else put(space(2));
    }
  }

  // A type up to `,`, `)`, `}` or `sensitive`: `Map<String, Int>?`.
  void type(std::size_t indent) {
    int depth = 0;
    bool first = true;
    while (!failed) {
      std::string_view t = text(index_);
      if (depth == 0 && (t.empty() || is_one_of(t, {",", ")", "}", ";", "sensitive"}))) return;
      std::string_view prev = prev_text();
      if (t == "<") ++depth;
      if (t == ">") --depth;
      if (!first && (is_one_of(t, {"<", ">", "?", ","}) || prev == "<")) put(none(indent));
      else put(space(indent));
      first = false;
    }
  }

  void record_decl() {
    put(line(0));    // principal / entity / record
    put(space(2));   // name
    put(space(2));   // {
    while (!is("}") && !failed) {
      while (cur().kind == TokenKind::Doc) put(line(2));
      put(line(2));  // field name
      put(none(4));  // :
      type(4);
      if (is(",")) put(none(4));
      else printer_.emit_text(",", none(4));
    }
    if (at(index_ - 1).text == "{" && cur().comments.empty()) put(none(0));
    else put(line(0, false));
  }

  // The parameters fit on one line: no doc comment, no comment, short enough.
  std::string flat_params(std::size_t open, std::size_t& close) const {
    std::string flat = "(";
    std::size_t k = open + 1;
    for (; at(k).kind != TokenKind::End && text(k) != ")"; ++k) {
      const Token& token = at(k);
      if (token.kind == TokenKind::Doc || !token.comments.empty()) return {};
      std::string_view t = token.text;
      std::string_view prev = text(k - 1);
      if (t == "," && text(k + 1) == ")") continue;  // the trailing comma goes
      bool tight = k == open + 1 || is_one_of(t, {",", ":", "<", ">", "?"}) || prev == "<";
      if (!tight) flat += ' ';
      flat += t;
    }
    if (at(k).kind == TokenKind::End || !at(k).comments.empty()) return {};
    close = k;
    return flat + ")";
  }

  void callable_decl() {
    put(line(0));   // tool / prompt / obligation
    put(space(2));  // name
    std::size_t open = index_;
    std::size_t close = 0;
    std::string flat = flat_params(open, close);
    std::size_t tail = 1;  // `;`
    for (std::size_t k = close + 1; text(k) != ";" && at(k).kind != TokenKind::End; ++k) tail += 1 + text(k).size();
    bool one_line = !flat.empty() && printer_.column() + code_points(flat) + tail <= kLineWidth;
    put(none(2));  // (
    if (one_line) {
      while (index_ < close && !failed) {
        std::string_view t = text(index_);
        std::string_view prev = prev_text();
        if (t == "," && text(index_ + 1) == ")") {
          ++index_;  // drop the trailing comma (it has no comments: flat_params checked)
          continue;
        }
        bool tight = index_ == open + 1 || is_one_of(t, {",", ":", "<", ">", "?"}) || prev == "<";
        put(tight ? none(4) : space(4));
      }
      put(none(0));  // )
    } else {
      while (!is(")") && !failed) {
        while (cur().kind == TokenKind::Doc) put(line(2));
        put(line(2));  // parameter name
        put(none(4));  // :
        type(4);
        if (is("sensitive")) put(space(4));
        if (is(",")) put(none(4));
        else printer_.emit_text(",", none(4));
      }
      if (index_ == open + 1 && cur().comments.empty()) put(none(0));
      else put(line(0, false));
    }
    while (!is(";") && !failed) put(space(2));  // read / write
    put(none(2));
  }

  // Where the condition that starts at `k` ends: the next clause keyword or
  // `;` outside brackets (a keyword after `.` or `has` is an attribute name).
  std::size_t clause_end(std::size_t k) const {
    int depth = 0;
    for (; at(k).kind != TokenKind::End; ++k) {
      std::string_view t = text(k);
      if (t == "(" || t == "[") ++depth;
      if (t == ")" || t == "]") --depth;
      if (depth < 0) return k;
      if (depth > 0) continue;
      if (t == ";" || t == ",") return k;
      std::string_view prev = text(k - 1);
      if (at(k).kind == TokenKind::Word && is_one_of(t, {"when", "unless", "from", "until", "with", "because"}) &&
          prev != "." && prev != "has") {
        return k;
      }
    }
    return k;
  }

  // Token k is a word that opens an operand: an infix operator spelled as a
  // word (`in`, `under`, ... from runtime/opcodes.def), `when` or `unless`,
  // and not a field name (`args.in`, `x has under`).
  bool operand_opening_word(std::size_t k) const {
    std::string_view t = text(k);
    if (at(k).kind != TokenKind::Word || !(ast::binary_op_spelled(t) || is_one_of(t, {"when", "unless"}))) return false;
    std::string_view before = text(k - 1);
    return before != "." && before != "has";
  }

  bool unary_minus(std::size_t k, std::size_t start) const {
    if (k == start) return true;
    std::string_view prev = text(k - 1);
    if (is_one_of(prev, {"&&", "||", "!", "(", "[", ",", ":"})) return true;
    if (at(k - 1).kind != TokenKind::Word && ast::binary_op_spelled(prev)) return true;  // == != < <= > >= + -
    return operand_opening_word(k - 1);
  }

  bool tight_before(std::size_t k, std::size_t start) const {
    if (k == start) return false;
    std::string_view t = text(k);
    std::string_view prev = text(k - 1);
    if (is_one_of(t, {")", "]", ",", ".", ":"})) return true;
    if (is_one_of(prev, {"(", "[", ".", "!"})) return true;
    // A quantifier: `all(p in args.paths: ...)`, not `args.all (`.
    if (t == "(" && at(k - 1).kind == TokenKind::Word && is_one_of(prev, {"all", "any"}) &&
        (k - 1 == start || text(k - 2) != ".")) {
      return true;
    }
    return prev == "-" && unary_minus(k - 1, start);
  }

  // A condition or obligation argument, tokens [index_, end).
  void expression(std::size_t end, bool may_break) {
    std::size_t start = index_;
    std::size_t width = 0;
    for (std::size_t k = start; k < end; ++k) width += (tight_before(k, start) ? 0 : 1) + code_points(text(k));
    if (text(end) == ";") width += 1;
    std::vector<std::size_t> breaks;
    if (may_break && printer_.column() + width > kLineWidth) {
      for (std::string_view op : {"||", "&&"}) {
        int depth = 0;
        for (std::size_t k = start; k < end; ++k) {
          std::string_view t = text(k);
          if (t == "(" || t == "[") ++depth;
          if (t == ")" || t == "]") --depth;
          if (depth == 0 && t == op) breaks.push_back(k);
        }
        if (!breaks.empty()) break;
      }
    }
    while (index_ < end && !failed) {
      if (std::binary_search(breaks.begin(), breaks.end(), index_)) put(line(4, false));
      else put(tight_before(index_, start) ? none(4) : space(4));
    }
  }

  // Spacing inside a one-line rule (`start` is its first token): expression
  // spacing, plus `name(` for obligation calls and `id:` after the rule id.
  bool tight_in_rule(std::size_t k, std::size_t start) const {
    std::string_view t = text(k);
    if (t == "(" && at(k - 1).kind == TokenKind::Word && !operand_opening_word(k - 1)) return true;
    return tight_before(k, start);
  }

  // A rule or grant the author wrote on one line stays there when it fits
  // and holds no comment: `deny d: delete_records unless user is admin;`.
  bool one_line_rule() const {
    std::size_t width = 0;
    std::size_t k = index_;
    for (; at(k).kind != TokenKind::End; ++k) {
      const Token& token = at(k);
      if (k > index_ && (token.newline_before || !token.comments.empty())) return false;
      std::string_view t = token.text;
      width += (k == index_ || t == ";" || tight_in_rule(k, index_) ? 0 : 1) + code_points(t);
      if (t == ";") break;
    }
    return text(k) == ";" && width <= kLineWidth;
  }

  // allow / deny / grant: head on one line (targets wrap), one clause per line.
  void rule_decl() {
    if (one_line_rule()) {
      std::size_t start = index_;
      put(line(0));
      while (!failed && !is(";")) {
        put(tight_in_rule(index_, start) ? none(4) : space(4));
      }
      put(none(2));
      return;
    }
    put(line(0));   // allow / deny / grant
    put(space(4));  // id
    put(none(4));   // :
    bool after_colon = true;
    while (!failed) {
      std::string_view t = text(index_);
      if (t == ";" || (cur().kind == TokenKind::Word && is_one_of(t, {"when", "unless", "from", "until", "with", "because"}))) {
        break;
      }
      std::string_view prev = prev_text();
      if (t == ",") put(none(4));
      else if (prev == "," || prev == "may" || after_colon) put(soft(4, item_width(index_)));
      else put(space(4));
      after_colon = false;
    }
    std::string_view last_clause;
    while (!failed && !is(";")) {
      std::string_view clause = text(index_);
      if (clause == "until" && last_clause == "from") put(space(4));
      else put(line(2, false));
      if (clause == "when" || clause == "unless") {
        expression(clause_end(index_), true);
      } else if (clause == "with") {
        obligations();
      } else if (is_one_of(clause, {"from", "until", "because"})) {
        put(space(4));
      } else {
        failed = true;
      }
      last_clause = clause;
    }
    put(none(2));  // ;
  }

  // `with a(x: 1), b(y: "z")`: uses wrap at `,` like targets.
  void obligations() {
    bool first = true;
    while (!failed) {
      // name(
      if (first) put(space(4));
      else put(soft(4, code_points(text(index_)) + 1));
      first = false;
      put(none(4));  // (
      while (!is(")") && !failed) {
        put(prev_text() == "(" ? none(4) : space(4));  // argument name
        put(none(4));                                // :
        expression(clause_end(index_), false);
        if (is(",")) put(none(4));
      }
      put(none(4));  // )
      if (!is(",")) return;
      put(none(4));
    }
  }

  const std::vector<Token>& tokens_;
  std::size_t index_ = 0;
  Printer printer_;
};

}  // namespace

std::string layout(std::string_view text) {
  std::vector<Token> tokens = tokenize_for_format(text);
  Layout layout(tokens);
  std::string out = layout.run();
  if (layout.failed) return std::string(text);
  return out;
}

}  // namespace authz::format
