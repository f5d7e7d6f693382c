// serve_command.h — the command line of `authz-gateway serve`: the
// configuration file, flags that override it, start-up errors and exit
// codes (docs/http-gateway.md). main.cpp hands over when argv[1] is `serve`.
#pragma once

namespace authz::http {

// argv[0] is `serve`. Returns the exit status.
int serve_main(int argc, char** argv);

}  // namespace authz::http
