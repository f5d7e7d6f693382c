// uri_template_test.cpp — the RFC 6570 forms of runtime/internal/uri_template.h: what
// each operator matches and captures, what the parser refuses, hostile URIs
// (timing bounds), and the matcher against a brute-force reference on random
// templates and URIs.
#include <catch2/catch.hpp>

#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "runtime/internal/uri_template.h"

using namespace authz::runtime;

namespace {

// Matches `uri` against `text`; the captures in template order, or nullopt.
std::optional<std::vector<std::string>> match(std::string_view text, std::string_view uri) {
  std::string error;
  auto parsed = parse_uri_template(text, &error);
  INFO("template `" << text << "`: " << error);
  REQUIRE(parsed);
  std::vector<std::string_view> captures(parsed->variable_count);
  if (!match_uri_template(*parsed, uri, captures.data())) return std::nullopt;
  return std::vector<std::string>(captures.begin(), captures.end());
}

using Captures = std::vector<std::string>;

std::string refused(std::string_view text) {
  UriTemplateError error;
  if (parse_uri_template(text, error)) return "accepted";
  return error.message;
}

bool allowed_by(UriValueClass value_class, char c) {
  switch (value_class) {
    case UriValueClass::Simple:
    case UriValueClass::Segment: return c != '/' && c != '?' && c != '#';
    case UriValueClass::Reserved: return c != '?' && c != '#';
    case UriValueClass::Label: return c != '/' && c != '?' && c != '#' && c != '.';
    case UriValueClass::QueryValue: return c != '&' && c != '#';
    case UriValueClass::Fragment: return true;
  }
  return false;
}

// Exhaustive backtracking, shortest value first: the semantics the contract states.
bool reference_match(const UriTemplate& t, std::size_t piece, std::string_view uri, std::size_t pos,
                     std::vector<std::string>& captures) {
  if (piece == t.pieces.size()) return pos == uri.size();
  const auto& p = t.pieces[piece];
  if (!p.variable) {
    return uri.compare(pos, p.text.size(), p.text) == 0 && pos + p.text.size() <= uri.size() &&
           reference_match(t, piece + 1, uri, pos + p.text.size(), captures);
  }
  for (std::size_t end = pos + 1; end <= uri.size() && (allowed_by(p.value_class, uri[end - 1]) || (p.explode != 0 && uri[end - 1] == p.explode)); ++end) {
    std::string value(uri.substr(pos, end - pos));
    std::string twice(2, p.explode);
    if (p.explode != 0 && (value.front() == p.explode || value.back() == p.explode || value.find(twice) != std::string::npos))
      continue;
    captures.push_back(value);
    if (reference_match(t, piece + 1, uri, end, captures)) return true;
    captures.pop_back();
  }
  return false;
}

}  // namespace

TEST_CASE("uri templates: simple variables stay inside a segment, before any query or fragment", "[uri_template]") {
  CHECK(match("demo://doc/{name}", "demo://doc/readme.md") == Captures{"readme.md"});
  CHECK_FALSE(match("demo://doc/{name}", "demo://doc/"));
  CHECK_FALSE(match("demo://doc/{name}", "demo://doc/a/b"));
  CHECK_FALSE(match("demo://doc/{name}", "demo://doc/a?b"));
  CHECK_FALSE(match("demo://doc/{name}", "demo://doc/a#b"));
  CHECK(match("demo://doc/{name}", "demo://doc/..%2Fsecret") == Captures{"..%2Fsecret"});  // verbatim
  CHECK(match("x://{a}-{b}", "x://1-2-3") == Captures{"1", "2-3"});  // the first variable takes the least
}

TEST_CASE("uri templates: reserved {+var} spans `/` but not `?` or `#`", "[uri_template]") {
  CHECK(match("file:///{+path}", "file:///etc/passwd") == Captures{"etc/passwd"});
  CHECK(match("file:///{+path}", "file:///a/../../b") == Captures{"a/../../b"});  // `under` normalises it
  CHECK(match("file://{+path}", "file:///srv/x") == Captures{"/srv/x"});
  CHECK_FALSE(match("file:///{+path}", "file:///"));
  CHECK_FALSE(match("file:///{+path}", "file:///a?b=1"));
  CHECK_FALSE(match("file:///{+path}", "file:///a#frag"));
  CHECK(match("x://{+dir}/{name}.txt", "x://a/b/c.d.txt") == Captures{"a/b", "c.d"});
  CHECK(match("x://{+a}/x/{+b}", "x://1/x/2/x/3") == Captures{"1", "2/x/3"});
}

TEST_CASE("uri templates: fragment {#var} takes the rest after `#`", "[uri_template]") {
  CHECK(match("demo://page{#section}", "demo://page#a/b?c") == Captures{"a/b?c"});
  CHECK_FALSE(match("demo://page{#section}", "demo://page"));
  CHECK_FALSE(match("demo://page{#section}", "demo://page#"));
}

TEST_CASE("uri templates: path segments {/var} and labels {.var}", "[uri_template]") {
  CHECK(match("demo://root{/a,b}", "demo://root/x/y") == Captures{"x", "y"});
  CHECK_FALSE(match("demo://root{/a,b}", "demo://root/x"));
  CHECK_FALSE(match("demo://root{/a,b}", "demo://root/x/y/z"));
  CHECK(match("demo://root{/a}", "demo://root/x.y") == Captures{"x.y"});
  CHECK(match("demo://host{.tld}", "demo://host.com") == Captures{"com"});
  CHECK_FALSE(match("demo://host{.tld}", "demo://host.co.uk"));  // a label holds no `.`
  CHECK(match("demo://f/{name}{.ext}", "demo://f/a.b.c") == Captures{"a.b", "c"});
}

TEST_CASE("uri templates: exploded {/var*} and {.var*} capture every element", "[uri_template]") {
  CHECK(match("demo://tree{/parts*}", "demo://tree/a/b/c") == Captures{"a/b/c"});
  CHECK(match("demo://tree{/parts*}", "demo://tree/a") == Captures{"a"});
  CHECK_FALSE(match("demo://tree{/parts*}", "demo://tree"));
  CHECK_FALSE(match("demo://tree{/parts*}", "demo://tree/"));
  CHECK_FALSE(match("demo://tree{/parts*}", "demo://tree/a//b"));  // no empty element
  CHECK_FALSE(match("demo://tree{/parts*}", "demo://tree/a/"));
  CHECK_FALSE(match("demo://tree{/parts*}", "demo://tree/a?b"));
  CHECK(match("demo://tree{/parts*}/end", "demo://tree/a/b/end") == Captures{"a/b"});
  CHECK(match("demo://tree{/parts*}{?q}", "demo://tree/a/b?q=1") == Captures{"a/b", "1"});
  CHECK(match("demo://host{.labels*}/x", "demo://host.a.b/x") == Captures{"a.b"});
  CHECK_FALSE(match("demo://host{.labels*}", "demo://host.a..b"));
  std::vector<std::string> elements;
  for_each_element("a/b/c", '/', [&](std::string_view e) { elements.emplace_back(e); });
  CHECK(elements == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("uri templates: query parameters in template order, each once, all present", "[uri_template]") {
  const char* search = "demo://search{?q,limit}";
  CHECK(match(search, "demo://search?q=cats&limit=10") == Captures{"cats", "10"});
  CHECK(match(search, "demo://search?q=a=b/c?d&limit=1") == Captures{"a=b/c?d", "1"});  // verbatim
  CHECK(match(search, "demo://search?q=%26&limit=1") == Captures{"%26", "1"});           // not decoded
  CHECK_FALSE(match(search, "demo://search?limit=10&q=cats"));             // reordered
  CHECK_FALSE(match(search, "demo://search?q=cats"));                      // missing
  CHECK_FALSE(match(search, "demo://search?q=cats&limit="));               // empty value
  CHECK_FALSE(match(search, "demo://search?q=ok&q=evil&limit=1"));         // repeated
  CHECK_FALSE(match(search, "demo://search?q=ok&limit=1&q=evil"));         // repeated after
  CHECK_FALSE(match(search, "demo://search?q=ok&limit=1&limit=2"));        // repeated last
  CHECK_FALSE(match(search, "demo://search?q=ok&extra=1&limit=1"));        // extra
  CHECK_FALSE(match(search, "demo://search?q=ok&limit=1#frag"));           // fragment
  CHECK_FALSE(match(search, "demo://search"));
  CHECK(match("demo://s?type=doc{&q}", "demo://s?type=doc&q=x") == Captures{"x"});
  CHECK(match("demo://s/{kind}{?q}{&page}", "demo://s/a?q=x&page=2") == Captures{"a", "x", "2"});
  CHECK(match("file:///{+path}{?rev}", "file:///a/b?rev=3") == Captures{"a/b", "3"});
}

TEST_CASE("uri templates: unsupported forms are refused with a message", "[uri_template]") {
  CHECK(refused("demo://{=x}").find("unsupported operator `=`") != std::string::npos);
  CHECK(refused("demo://{;x}").find("unsupported operator `;`") != std::string::npos);
  CHECK(refused("demo://{var:3}").find("prefix modifier") != std::string::npos);
  CHECK(refused("demo://{list*}").find("explode modifier") != std::string::npos);
  CHECK(refused("demo://{+list*}").find("explode modifier") != std::string::npos);
  CHECK(refused("demo://x{?list*}").find("explode modifier") != std::string::npos);
  CHECK(refused("demo://x{/list*}") == "accepted");
  CHECK(refused("demo://x{.list*}") == "accepted");
  CHECK(refused("demo://{a}/{+a}") == "template variable `a` appears twice");
  CHECK(refused("demo://{?a}{&a}") == "template variable `a` appears twice");
  CHECK(refused("demo://{a,b}").find("ambiguous") != std::string::npos);
  CHECK(refused("demo://{+a,b}").find("ambiguous") != std::string::npos);
  CHECK(refused("demo://{?a}{?b}").find("at most one") != std::string::npos);
  CHECK(refused("demo://{a-b}") == "invalid template variable name `a-b`");
  CHECK(refused("demo://{.}") == "empty variable in resource URI template");
  CHECK(refused("demo://{?a,}") == "empty variable in resource URI template");
  CHECK(refused("demo://{a.}") == "invalid template variable name `a.`");
  CHECK(refused("demo://{a%2}") == "invalid template variable name `a%2`");
  CHECK(refused("demo://{a%2Fb}") == "accepted");
  CHECK(refused("demo://{a.b}") == "accepted");
  UriTemplateError error;
  REQUIRE_FALSE(parse_uri_template("demo://x/{y}/{!z}", error));
  CHECK(error.offset == 13);
  CHECK(error.length == 4);
  // Every template the captured reference servers publish parses.
  for (const char* published : {"demo://resource/dynamic/text/{resourceId}", "demo://resource/dynamic/blob/{resourceId}"})
    CHECK(refused(published) == "accepted");
}

TEST_CASE("uri templates: hostile URIs match in linear time", "[uri_template]") {
  std::string text;
  for (int i = 0; i < 16; ++i) text += "{+v" + std::to_string(i) + "}/a";
  text += "{?q,r}";
  auto parsed = *parse_uri_template(text);
  std::vector<std::string_view> captures(parsed.variable_count);
  std::string uri;
  while (uri.size() < 200000) uri += "/a/a?q=&";
  auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(match_uri_template(parsed, uri, captures.data()));
  std::string almost(200000, 'a');
  for (std::size_t i = 1; i < almost.size(); i += 2) almost[i] = '/';
  CHECK_FALSE(match_uri_template(parsed, almost + "?q=1&r=", captures.data()));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

TEST_CASE("uri templates: the matcher agrees with exhaustive backtracking", "[uri_template]") {
  std::mt19937 rng(20);
  const std::vector<std::string> parts = {"{a}", "{+b}", "{/c}", "{.d}", "{#e}", "{?f,g}", "{&h}", "{/i*}", "{.j*}", "/", "x", ".", "-", "?", "&g="};
  const std::string alphabet = "x/.?&=#-";
  int matched = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text = "s:";
    std::size_t count = 1 + rng() % 4;
    for (std::size_t i = 0; i < count; ++i) text += parts[rng() % parts.size()];
    auto parsed = parse_uri_template(text);
    if (!parsed) continue;  // e.g. a name used twice
    for (int u = 0; u < 20; ++u) {
      std::string uri = "s:";
      std::size_t length = rng() % 10;
      for (std::size_t i = 0; i < length; ++i) uri += alphabet[rng() % alphabet.size()];
      if (u % 2 == 0) {  // bias towards URIs shaped like the template
        uri = "s:";
        for (const auto& piece : parsed->pieces) uri += piece.variable ? alphabet.substr(rng() % 8, 1 + rng() % 2) : piece.text;
      }
      std::vector<std::string> expected;
      bool want = reference_match(*parsed, 0, uri, 0, expected);
      std::vector<std::string_view> got(parsed->variable_count);
      bool have = match_uri_template(*parsed, uri, got.data());
      INFO("template `" << text << "` uri `" << uri << "`");
      REQUIRE(have == want);
      if (want) {
        ++matched;
        CHECK(std::vector<std::string>(got.begin(), got.end()) == expected);
      }
    }
  }
  CHECK(matched > 1000);
}
