// gateway_audit.test.mjs — the audit log across gateway sessions: a second
// session continues the first one's hash chain, the whole log verifies (and
// fails to verify after an edit), and a gateway whose audit log cannot be
// written or whose last record was edited refuses to start (fail closed).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';

import {
  auditRecords, buildPolicy, callTool, closeAll, connectGateway, gatewayBinary, scratchDir, servers, verifyAudit,
} from './harness.mjs';

const TEST_TIMEOUT = { timeout: 60000 };

// Runs the gateway with stdin closed at once; resolves { code, stderr }.
function runGatewayToExit(args, timeoutMs = 20000) {
  return new Promise((resolve, reject) => {
    const child = spawn(gatewayBinary(), args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway did not exit within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
    child.stdin.end();
  });
}

describe('the gateway audit log across sessions', TEST_TIMEOUT, () => {
  let dir, table, audit;

  before(() => {
    dir = scratchDir();
    table = buildPolicy('everything', dir);
    audit = join(dir, 'shared.audit.jsonl');
  });
  after(closeAll);

  const session = async (user, roles, calls, index) => {
    const gateway = await connectGateway({
      table, user, roles, audit, record: join(dir, `received-${index}.jsonl`), server: servers.everything(),
    });
    for (const [name, args] of calls) {
      try {
        await callTool(gateway.client, name, args);
      } catch {
        // denials are recorded too
      }
    }
    await gateway.client.close();
  };

  test('a second session continues the chain of the first', TEST_TIMEOUT, async () => {
    await session('u-alice', ['tester'], [['echo', { message: 'one' }], ['get-sum', { a: 1, b: 2 }]], 1);
    const first = auditRecords(audit);
    assert.ok(first.length >= 2);
    await session('u-bob', [], [['echo', { message: 'two' }], ['get-sum', { a: 1, b: 2 }]], 2);
    const all = auditRecords(audit);
    assert.ok(all.length >= first.length + 2);
    const next = all[first.length];
    assert.equal(next.seq, first.at(-1).seq + 1);
    assert.equal(next.previous, first.at(-1).hash);
    assert.equal(next.user, 'u-bob');
    const { exitCode, report } = verifyAudit(audit, ['--expect-head', first.at(-1).hash]);
    assert.equal(exitCode, 0, JSON.stringify(report));
    assert.equal(report.records, all.length);
  });

  test('an edited record fails verification at its line', TEST_TIMEOUT, async () => {
    const lines = readFileSync(audit, 'utf8').split('\n').filter(Boolean);
    const edited = join(dir, 'edited.audit.jsonl');
    const target = lines.findIndex((line) => line.includes('"effect":"deny"'));
    assert.ok(target >= 0, 'the log holds a denial');
    lines[target] = lines[target].replace('"effect":"deny"', '"effect":"allow"');
    writeFileSync(edited, lines.join('\n') + '\n');
    const { exitCode, report } = verifyAudit(edited);
    assert.equal(exitCode, 1);
    assert.equal(report.status, 'tampered');
    assert.equal(report.line, target + 1);
  });

  test('a gateway whose last audit record was edited refuses to start', TEST_TIMEOUT, async () => {
    const lines = readFileSync(audit, 'utf8').split('\n').filter(Boolean);
    const broken = join(dir, 'broken.audit.jsonl');
    lines[lines.length - 1] = lines.at(-1).replace('"user":"u-bob"', '"user":"u-eve"');
    writeFileSync(broken, lines.join('\n') + '\n');
    const before = readFileSync(broken, 'utf8');
    const { code, stderr } = await runGatewayToExit(['--policy', table, '--user', 'u-bob', '--audit', broken, '--',
                                                     ...servers.everything()]);
    assert.notEqual(code, 0, stderr);
    assert.match(stderr, /audit/);
    assert.equal(readFileSync(broken, 'utf8'), before, 'nothing was appended to the broken log');
  });

  test('a gateway whose audit log cannot be opened refuses to start', TEST_TIMEOUT, async () => {
    const { code, stderr } = await runGatewayToExit(['--policy', table, '--user', 'u-bob', '--audit',
                                                     join(dir, 'no', 'such', 'dir', 'audit.jsonl'), '--',
                                                     ...servers.everything()]);
    assert.notEqual(code, 0, stderr);
    assert.match(stderr, /audit/);
  });
});
