// log_line.h — the gateway's diagnostic lines on stderr, for both fronts.
//
// Contract: log_line writes "authz-gateway: TEXT\n" with ONE write(2), so
// lines from several threads, or from the gateway and a server child sharing
// its stderr, never interleave mid-line. A failed write is ignored (stderr
// is the last place to report it). event_line builds the HTTP front's JSON
// event lines, {"event":NAME[,"session":ID],"detail":DETAIL}, every value
// JSON-escaped (a detail may carry a peer's or a database's text).
#pragma once

#include <string>
#include <string_view>

namespace authz::gateway {

void log_line(std::string_view text);
std::string event_line(std::string_view name, std::string_view detail, std::string_view session = {});

}  // namespace authz::gateway
