// uri_template.h — MCP resource URIs and URI templates (RFC 6570 forms).
//
// Contract: the one parser and matcher of resource URI templates. The
// checker (authzc check), the table loader and the engine all call it, so a
// template that checks clean always loads and matches the same way everywhere.
//
// A template is literal text with expressions. Supported expressions, and
// what each matches in a URI (a "value" is always one or more bytes; the
// operator's own prefix/separators are literal text):
//   {var}        simple:   bytes other than `/ ? #`
//   {+var}       reserved: bytes other than `? #` (may span `/`)
//   {#var}       fragment: `#` then any bytes (may span `/` and `?`)
//   {/var}       segment:  `/` then bytes other than `/ ? #`
//   {.var}       label:    `.` then bytes other than `/ ? # .`
//   {?a,b}       query:    `?a=` value `&b=` value, values bytes other than `& #`
//   {&a}         query continuation: `&a=` value
//   {/var*}      explode:  `/` then one or more segments joined by `/`
//   {.var*}      explode:  `.` then one or more labels joined by `.`
// `{/a,b}` is `{/a}{/b}`, `{.a,b}` is `{.a}{.b}`, `{?a,b}` is `{?a}{&b}`.
// Query parameters match in template order, each exactly once, all present:
// a reordered, repeated, missing or extra parameter is no match (so a client
// cannot pass the check with one value of `a` and have the server read
// another). Every variable binds a `String`, except an exploded one, which
// binds a `List<String>` of its segments / labels (each non-empty, so `//`
// or a trailing separator is no match).
// Refused with an error (offset and length into the template): unbalanced
// braces, an empty expression or name, a name outside RFC 6570's varname
// (`[A-Za-z0-9_]`, `%XX`, inner `.`), a name used twice, the operators
// `; = , ! @ |` and any other unknown one, the prefix modifier `{var:3}`,
// explode other than `{/var*}` and `{.var*}`, and a multi-variable `{a,b}`, `{+a,b}` or `{#a,b}` (its
// `,` separator is ambiguous with the values' own text).
// Values are bound verbatim: no percent-decoding (`%2F` stays three
// characters), which keeps `under` and `matches` on what the client sent.
// Matching is a dynamic program over (piece, position): time and memory are
// O(pieces x URI length), whatever the input (no backtracking); the first
// variable takes the shortest value that lets the rest match, then the next.
// It does not allocate while the bit rows fit 32 words on the stack
// ((pieces - 1) x (URI length / 64 + 1) <= 32, a few hundred bytes of URI
// for a typical template; one-variable templates need no rows at all);
// beyond that it uses a per-thread scratch buffer that only grows. A
// template without expressions matches only itself, byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authz::runtime {

// The bytes a variable's value may hold (see the contract above).
enum class UriValueClass : std::uint8_t { Simple, Reserved, Segment, Label, QueryValue, Fragment };

struct UriTemplate {
  struct Piece {
    bool variable = false;
    UriValueClass value_class = UriValueClass::Simple;  // variables only
    std::string text;         // literal text, or the variable's name
    std::size_t offset = 0;   // of the variable's name in the template
    char explode = 0;         // exploded variables: the separator, `/` or `.`
  };
  std::vector<Piece> pieces;  // no two literals in a row
  std::size_t variable_count = 0;
};

struct UriTemplateError {
  std::size_t offset = 0;  // byte offset into the template
  std::size_t length = 1;
  std::string message;     // e.g. "unmatched `{` in resource URI template"
};

// nullopt and the problem in `error` when the template is malformed or uses
// a form the matcher does not implement.
std::optional<UriTemplate> parse_uri_template(std::string_view uri, UriTemplateError& error);
// The same, the problem as "<message> at byte <offset>".
std::optional<UriTemplate> parse_uri_template(std::string_view uri, std::string* error = nullptr);
// The variable names in template order; empty when the template is malformed.
std::vector<std::string> uri_template_variables(std::string_view uri);
// On a match, captures[k] is the value of the k-th variable (views into
// `uri`); `captures` must have room for variable_count views. An exploded
// variable's capture is its elements with their separators (`a/b/c`): split
// it with for_each_element.
bool match_uri_template(const UriTemplate& pattern, std::string_view uri, std::string_view* captures);

// Calls f(element) for each element of an exploded variable's capture.
template <class F>
void for_each_element(std::string_view capture, char separator, F f) {
  std::size_t start = 0;
  while (true) {
    std::size_t end = capture.find(separator, start);
    f(capture.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return;
    start = end + 1;
  }
}

}  // namespace authz::runtime
