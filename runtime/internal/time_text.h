// time_text.h — timestamps and durations as text, both directions.
//
// Contract: timestamps are int64 milliseconds since 1970-01-01T00:00:00Z; any
// int64 is a valid timestamp, including negative ones (before 1970), and
// formats with the proleptic Gregorian calendar. Formatting gives RFC 3339 in
// UTC: `2026-12-01T00:00:00Z`, with `.mmm` only when the milliseconds are not
// zero, and a signed, wider year outside 0000..9999. Parsing accepts
// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)` (fraction beyond ms is
// truncated). Durations are the language's `7d`, `1h30m`, `250ms` (units d, h,
// m, s, ms, largest first); negative durations print with a leading `-`.
// Parsers return nullopt on anything malformed or out of range; nothing throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authz::runtime {

std::string format_timestamp(std::int64_t millis);
// format_timestamp's text into `out` without allocating, when the year is
// within 0000..9999: returns its length (20 or 24), else 0.
std::size_t write_timestamp(char (&out)[24], std::int64_t millis);
std::optional<std::int64_t> parse_timestamp(std::string_view text);

// Days from 1970-01-01 to a proleptic Gregorian date (month 1..12, day
// 1..31; Howard Hinnant's days_from_civil), and the days of a month.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);
unsigned days_in_month(std::int64_t year, unsigned month);

std::string format_duration(std::int64_t millis);
std::optional<std::int64_t> parse_duration(std::string_view text);

}  // namespace authz::runtime
