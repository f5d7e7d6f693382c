// log_line.h — the gateway's diagnostic lines on stderr, for both fronts.
//
// Contract: log_line writes "authz-gateway: TEXT\n" with ONE write(2), so
// lines from several threads, or from the gateway and a server child sharing
// its stderr, never interleave mid-line. A failed write is ignored (stderr
// is the last place to report it).
#pragma once

#include <string_view>

namespace authz::gateway {

void log_line(std::string_view text);

}  // namespace authz::gateway
