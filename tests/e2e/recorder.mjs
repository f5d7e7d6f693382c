// recorder.mjs — stands between authz-gateway and the real MCP server and
// writes every line the server receives to a log, so a test can prove that a
// denied call never reached the server.
//
// Usage: node recorder.mjs LOG_FILE -- SERVER_COMMAND [ARGS...]
// Contract: bytes pass through unchanged in both directions; stderr is
// inherited; each received line is appended to LOG_FILE (synchronously,
// before it is forwarded) so the log is complete when the server answers.
// The recorder exits with the server's exit code, and ends the server when
// its own stdin closes or it is signalled.
import { spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';

const [logFile, separator, command, ...args] = process.argv.slice(2);
if (!logFile || separator !== '--' || !command) {
  process.stderr.write('usage: node recorder.mjs LOG_FILE -- SERVER_COMMAND [ARGS...]\n');
  process.exit(2);
}
writeFileSync(logFile, '');

const server = spawn(command, args, { stdio: ['pipe', 'inherit', 'inherit'] });
let pending = '';
process.stdin.on('data', (chunk) => {
  pending += chunk.toString('utf8');
  let newline;
  while ((newline = pending.indexOf('\n')) >= 0) {
    appendFileSync(logFile, pending.slice(0, newline + 1));
    pending = pending.slice(newline + 1);
  }
  server.stdin.write(chunk);
});
process.stdin.on('end', () => {
  if (pending) appendFileSync(logFile, pending + '\n');
  server.stdin.end();
});
server.stdin.on('error', () => {});
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(signal, () => server.kill(signal));
}
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 15 : 1)));
