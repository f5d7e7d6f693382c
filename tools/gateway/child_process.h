// child_process.h — the MCP server the gateway runs: spawned with pipes on
// stdin and stdout, its stderr shared with the gateway's (passes through).
//
// Contract: spawn_child() starts `argv` (looked up on PATH) with both pipe
// ends the gateway keeps set non-blocking and close-on-exec; a command that
// cannot be started is an error (the gateway then exits 127, as a shell
// does). exit_code() maps a wait status to the gateway's exit code: the
// child's own code, or 128 + signal when a signal ended it. Nothing throws.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace authz::gateway {

struct ChildProcess {
  pid_t pid = -1;
  int stdin_fd = -1;   // we write the client's messages here
  int stdout_fd = -1;  // we read the server's messages here
};

std::optional<ChildProcess> spawn_child(const std::vector<std::string>& argv, std::string& error);

int exit_code(int wait_status);

// Sets O_NONBLOCK on `fd`; false on failure.
bool set_nonblocking(int fd);

}  // namespace authz::gateway
