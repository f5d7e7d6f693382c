// gateway_signing.test.mjs — signed tables in front of server-everything:
// with --trusted-key the gateway refuses to start on an unsigned table, one
// signed by an unknown key or one with a changed byte; on reload the same
// tables are refused and the old policy stays; a table signed by the second
// of two trusted keys (rotation) loads. Keys come from the openssl command.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';

import { McpError } from '@modelcontextprotocol/sdk/types.js';

import {
  authzcBinary, callTool, closeAll, connectGateway, E2E_DIR, gatewayBinary, scratchDir, servers,
} from './harness.mjs';

const TEST_TIMEOUT = { timeout: 60000 };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(predicate, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function openssl(...args) {
  execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

function newKey(dir, name) {
  const key = join(dir, `${name}.pem`);
  const pub = join(dir, `${name}.pub.pem`);
  openssl('genpkey', '-algorithm', 'ed25519', '-out', key);
  openssl('pkey', '-in', key, '-pubout', '-out', pub);
  return { key, pub };
}

function build(source, output, key) {
  const args = ['build', source, '-o', output];
  if (key) args.push('--sign', key);
  execFileSync(authzcBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000 });
  return output;
}

function replaceFile(path, from) {
  copyFileSync(from, `${path}.new`);
  renameSync(`${path}.new`, path);
}

async function echoOutcome(client) {
  try {
    await callTool(client, 'echo', { message: 'hi' });
    return 'allowed';
  } catch (error) {
    assert.ok(error instanceof McpError, String(error));
    return 'denied';
  }
}

describe('signed tables in authz-gateway', TEST_TIMEOUT, () => {
  let dir, release, next, rogue, everything, noEcho;

  before(() => {
    dir = scratchDir();
    release = newKey(dir, 'release');
    next = newKey(dir, 'next');
    rogue = newKey(dir, 'rogue');
    const source = join(E2E_DIR, 'policies', 'everything.authz');
    const noEchoSource = join(dir, 'no_echo.authz');
    writeFileSync(noEchoSource, readFileSync(source, 'utf8') + '\n/// Echo is switched off.\ndeny no_echo: echo;\n');
    everything = {
      unsigned: build(source, join(dir, 'everything.authzt')),
      release: build(source, join(dir, 'everything.release.authzt'), release.key),
      rogue: build(source, join(dir, 'everything.rogue.authzt'), rogue.key),
    };
    noEcho = {
      next: build(noEchoSource, join(dir, 'no_echo.next.authzt'), next.key),
      rogue: build(noEchoSource, join(dir, 'no_echo.rogue.authzt'), rogue.key),
      unsigned: build(noEchoSource, join(dir, 'no_echo.authzt')),
    };
    const tampered = Buffer.from(readFileSync(noEcho.next));
    tampered[tampered.length - 3] ^= 0x40;  // in the signature
    noEcho.tampered = join(dir, 'no_echo.tampered.authzt');
    writeFileSync(noEcho.tampered, tampered);
  });
  after(closeAll);

  const start = (table, keys) => spawnSync(gatewayBinary(), [
    '--policy', table, '--user', 'u-1', '--audit', join(dir, 'refused.audit.jsonl'),
    ...keys.flatMap((key) => ['--trusted-key', key]), '--', ...servers.everything(),
  ], { encoding: 'utf8', timeout: 30000, input: '' });

  test('start-up refuses unsigned, unknown-key and changed tables (exit 1)', TEST_TIMEOUT, () => {
    for (const [table, message] of [
      [everything.unsigned, /the table is not signed/],
      [everything.rogue, /which is not a trusted key/],
      [noEcho.tampered, /signature does not verify/],
    ]) {
      const run = start(table, [release.pub, next.pub]);
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stderr, message);
      assert.match(run.stderr, /help: sign it with `authzc build POLICY --sign KEY/);
    }
    const privateKey = start(everything.release, [release.key]);
    assert.equal(privateKey.status, 2, privateKey.stderr);
    assert.match(privateKey.stderr, /this is a private key/);
  });

  test('reload refuses badly signed tables, keeps the old one, and accepts a rotated key', TEST_TIMEOUT, async () => {
    const active = join(dir, 'active.authzt');
    copyFileSync(everything.release, active);
    const gateway = await connectGateway({
      table: active, user: 'u-1', audit: join(dir, 'reload.audit.jsonl'), record: join(dir, 'reload.received.jsonl'),
      server: servers.everything(),
      extraArgs: ['--reload-check-ms', '600000', '--trusted-key', release.pub, '--trusted-key', next.pub],
    });
    const stderr = () => gateway.stderr.join('');
    const refusals = () => (stderr().match(/kept the current policy; the new one is refused/g) ?? []).length;
    assert.equal(await echoOutcome(gateway.client), 'allowed');

    let expected = 0;
    for (const [bad, message] of [
      [noEcho.unsigned, /the table is not signed/],
      [noEcho.rogue, /which is not a trusted key/],
      [noEcho.tampered, /signature does not verify/],
    ]) {
      replaceFile(active, bad);
      process.kill(gateway.transport.pid, 'SIGHUP');
      expected += 1;
      await waitFor(() => refusals() === expected, `refusal ${expected}`);
      assert.match(stderr(), message);
      assert.equal(await echoOutcome(gateway.client), 'allowed', 'the old table stays');
    }
    assert.doesNotMatch(stderr(), /reloaded the policy/);

    replaceFile(active, noEcho.next);  // signed by the second trusted key
    process.kill(gateway.transport.pid, 'SIGHUP');
    await waitFor(() => /reloaded the policy/.test(stderr()), 'the reload');
    assert.equal(await echoOutcome(gateway.client), 'denied');
  });
});
