// gateway_lifecycle.test.mjs — hot reload and process lifecycle, with the real
// SDK client and server-everything: SIGHUP or a changed table file loads the
// new policy; an invalid table is refused and the old one stays; SIGTERM
// ends the gateway and its server; the server's exit code is the gateway's.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, renameSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';

import { McpError } from '@modelcontextprotocol/sdk/types.js';

import {
  authzcBinary, buildPolicy, callTool, closeAll, connectGateway, gatewayBinary, scratchDir, servers,
} from './harness.mjs';

const TEST_TIMEOUT = { timeout: 60000 };

// The e2e policy with echo forbidden: the table a reload switches to.
function buildNoEchoPolicy(dir) {
  const source = join(dir, 'no_echo.authz');
  writeFileSync(source, `// no_echo.authz — everything.authz, but nobody echoes.
policy e2e_no_echo;
use mcp.everything;
/// A person using the assistant.
principal User {}
/// Runs the test tools.
role tester;
/// Testers add numbers below 100 only.
allow testers_sum_small: tester may "get-sum" when args.a < 100 && args.b < 100;
/// Echo is switched off.
deny no_echo: echo;
`);
  const table = join(dir, 'no_echo.authzt');
  execFileSync(authzcBinary(), ['build', source, '-o', table], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000 });
  return table;
}

// Replaces `path` in one step, as a deployment would.
function replaceFile(path, from) {
  copyFileSync(from, `${path}.new`);
  renameSync(`${path}.new`, path);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(predicate, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function echoOutcome(client) {
  try {
    await callTool(client, 'echo', { message: 'hi' });
    return 'allowed';
  } catch (error) {
    assert.ok(error instanceof McpError, String(error));
    assert.equal(error.code, -32602);
    return 'denied';
  }
}

describe('gateway hot reload and lifecycle', TEST_TIMEOUT, () => {
  let dir, everything, noEcho;

  before(() => {
    dir = scratchDir();
    everything = buildPolicy('everything', dir);
    noEcho = buildNoEchoPolicy(dir);
  });
  after(closeAll);

  // u-1 through the gateway to server-everything; `name` keeps each test's
  // audit log and recording apart.
  const connect = (name, table, extraArgs) => connectGateway({
    table, user: 'u-1', audit: join(dir, `${name}.audit.jsonl`), record: join(dir, `${name}.received.jsonl`),
    server: servers.everything(), extraArgs,
  });

  test('SIGHUP loads the new table; an invalid one is refused and the old stays', TEST_TIMEOUT, async () => {
    const active = join(dir, 'active-hup.authzt');
    copyFileSync(everything, active);
    // A long check interval: only the signal can cause these reloads.
    const gateway = await connect('hup', active, ['--reload-check-ms', '600000']);
    const stderr = () => gateway.stderr.join('');
    assert.equal(await echoOutcome(gateway.client), 'allowed');

    replaceFile(active, noEcho);
    process.kill(gateway.transport.pid, 'SIGHUP');
    await waitFor(() => /reloaded the policy/.test(stderr()), 'the reload message');
    assert.equal(await echoOutcome(gateway.client), 'denied');

    writeFileSync(active, 'not a decision table');
    process.kill(gateway.transport.pid, 'SIGHUP');
    await waitFor(() => /kept the current policy; the new one is refused/.test(stderr()), 'the refusal message');
    assert.equal(await echoOutcome(gateway.client), 'denied');

    replaceFile(active, everything);
    process.kill(gateway.transport.pid, 'SIGHUP');
    await waitFor(() => (stderr().match(/reloaded the policy/g) ?? []).length === 2, 'the second reload');
    assert.equal(await echoOutcome(gateway.client), 'allowed');
  });

  test('a changed table file is loaded without a signal', TEST_TIMEOUT, async () => {
    const active = join(dir, 'active-watch.authzt');
    copyFileSync(everything, active);
    const gateway = await connect('watch', active, ['--reload-check-ms', '100']);
    assert.equal(await echoOutcome(gateway.client), 'allowed');
    replaceFile(active, noEcho);
    await waitFor(() => /reloaded the policy/.test(gateway.stderr.join('')), 'the reload message');
    assert.equal(await echoOutcome(gateway.client), 'denied');
  });

  test('SIGTERM ends the gateway and its server', TEST_TIMEOUT, async () => {
    const gateway = await connect('term', everything, ['--shutdown-grace-ms', '2000']);
    assert.equal(await echoOutcome(gateway.client), 'allowed');
    const pid = gateway.transport.pid;
    let closed = false;
    gateway.client.onclose = () => (closed = true);
    process.kill(pid, 'SIGTERM');
    await waitFor(() => closed, 'the gateway to exit after SIGTERM', 15000);
    assert.match(gateway.stderr.join(''), /terminating: closing the server's input and sending it SIGTERM/);
  });

  test("the server's exit code is the gateway's", TEST_TIMEOUT, async () => {
    const code = await new Promise((resolve, reject) => {
      const child = spawn(gatewayBinary(), [
        '--policy', everything, '--user', 'u-1', '--audit', join(dir, 'exit.audit.jsonl'), '--',
        process.execPath, '-e', 'setTimeout(() => process.exit(7), 200)',
      ], { stdio: ['pipe', 'pipe', 'pipe'] });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('the gateway did not exit after its server did'));
      }, 20000);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
      // stdin stays open: the server's exit alone must end the gateway.
    });
    assert.equal(code, 7);
  });
});
