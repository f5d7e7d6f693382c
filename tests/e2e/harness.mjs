// harness.mjs — shared setup for the e2e tests: the real MCP SDK client, the
// real reference servers from node_modules, authz-gateway in between, and a
// recorder (recorder.mjs) logging what the server receives.
//
// Contract:
//   - Binaries come from the environment: AUTHZ_GATEWAY and AUTHZC (ctest sets
//     them, see CMakeLists.txt). A missing one fails the test with a message
//     saying which variable to set; it is never silently skipped.
//   - Every process a test starts is registered and ended by closeAll()
//     (client close, then SIGKILL after a grace period), which each test file
//     calls in `after`. Every request has a timeout.
//   - Scratch files live in one mkdtemp directory per test file, removed by
//     closeAll() unless AUTHZ_E2E_KEEP is set.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

export const E2E_DIR = dirname(fileURLToPath(import.meta.url));
export const REQUEST_TIMEOUT_MS = 15000;
const RECORDER = join(E2E_DIR, 'recorder.mjs');

function binary(variable) {
  const path = process.env[variable];
  if (!path) throw new Error(`set ${variable} to the built binary (ctest does this; see tests/e2e/CMakeLists.txt)`);
  if (!existsSync(path)) throw new Error(`${variable}=${path} does not exist: build it first`);
  return path;
}
export const gatewayBinary = () => binary('AUTHZ_GATEWAY');
export const authzcBinary = () => binary('AUTHZC');

// The reference servers, run with this node.
export const servers = {
  everything: () => [process.execPath, join(E2E_DIR, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js'), 'stdio'],
  filesystem: (...roots) => [process.execPath, join(E2E_DIR, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js'), ...roots],
};

const scratchDirs = [];
export function scratchDir(prefix = 'authz-e2e-') {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  scratchDirs.push(dir);
  return dir;
}

// Builds tests/e2e/policies/NAME.authz into a decision table; returns its path.
export function buildPolicy(name, dir) {
  const table = join(dir, `${name}.authzt`);
  execFileSync(authzcBinary(), ['build', join(E2E_DIR, 'policies', `${name}.authz`), '-o', table], {
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30000,
  });
  return table;
}

const openClients = [];

async function connect(command, args, env) {
  const transport = new StdioClientTransport({ command, args, stderr: 'pipe', env });
  const stderr = [];
  transport.stderr?.on('data', (chunk) => stderr.push(chunk.toString('utf8')));
  const client = new Client({ name: 'authz-e2e', version: '1.0.0' });
  const entry = { client, transport, stderr };
  openClients.push(entry);
  await client.connect(transport, { timeout: REQUEST_TIMEOUT_MS });
  return entry;
}

// A client talking to the server directly.
export async function connectDirect(serverCommand) {
  const [command, ...args] = serverCommand;
  return connect(command, args);
}

// A client talking to authz-gateway, which runs the recorder, which runs the
// server. Returns { client, transport, stderr, auditPath, recordPath }.
export async function connectGateway({ table, user, roles = [], attributes, audit, record, server, extraArgs = [] }) {
  const args = ['--policy', table, '--user', user];
  for (const role of roles) args.push('--role', role);
  if (attributes) args.push('--attributes', JSON.stringify(attributes));
  args.push('--audit', audit, ...extraArgs, '--', process.execPath, RECORDER, record, '--', ...server);
  const entry = await connect(gatewayBinary(), args);
  return { ...entry, auditPath: audit, recordPath: record };
}

// The two users of tests/e2e/policies/everything.authz in front of
// server-everything, each with its own audit log and record of what the
// server received (in `dir`): alice, a tester, and bob, with no role.
export async function connectEverythingUsers(table, dir) {
  const alice = await connectGateway({
    table, user: 'u-alice', roles: ['tester'], audit: join(dir, 'alice.audit.jsonl'),
    record: join(dir, 'alice.received.jsonl'), server: servers.everything(),
  });
  const bob = await connectGateway({
    table, user: 'u-bob', audit: join(dir, 'bob.audit.jsonl'),
    record: join(dir, 'bob.received.jsonl'), server: servers.everything(),
  });
  return { alice, bob };
}

// Everything the server received, one parsed JSON-RPC message per line.
export function recordedMessages(recordPath) {
  if (!existsSync(recordPath)) return [];
  return readFileSync(recordPath, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

export function recordedToolCalls(recordPath) {
  return recordedMessages(recordPath).filter((message) => message.method === 'tools/call');
}

export function auditRecords(auditPath) {
  if (!existsSync(auditPath)) return [];
  return readFileSync(auditPath, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

// `authzc audit verify --format json`: { status, exitCode, report }.
export function verifyAudit(auditPath, extra = []) {
  const run = spawnSync(authzcBinary(), ['audit', 'verify', auditPath, '--format', 'json', ...extra], {
    encoding: 'utf8',
    timeout: 30000,
  });
  let report = null;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    report = { raw: run.stdout, stderr: run.stderr };
  }
  return { exitCode: run.status, report };
}

export async function callTool(client, name, args) {
  return client.callTool({ name, arguments: args }, undefined, { timeout: REQUEST_TIMEOUT_MS });
}

export async function listAllTools(client) {
  const tools = [];
  let cursor;
  do {
    const page = await client.listTools(cursor ? { cursor } : {}, { timeout: REQUEST_TIMEOUT_MS });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  return tools;
}

// Closes every client (which ends its process), then makes sure: any process
// still alive after a grace period is killed. Removes scratch directories.
export async function closeAll() {
  const entries = openClients.splice(0);
  await Promise.allSettled(entries.map((entry) => entry.client.close()));
  const deadline = Date.now() + 3000;
  for (const entry of entries) {
    const pid = entry.transport.pid;
    if (!pid) continue;
    while (Date.now() < deadline && isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
    if (isAlive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
  }
  if (!process.env.AUTHZ_E2E_KEEP) {
    for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
