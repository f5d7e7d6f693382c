// gateway_shadow.test.mjs — a candidate policy run as the shadow
// (`--shadow`), the real SDK client and server-everything: what the client
// gets and what the server receives are exactly what the same gateway without
// a shadow gives; every audit record carries the shadow's decision, and the
// records where the two disagree are exactly the calls the candidate changes.
// The shadow table is reloaded like the policy.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, renameSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';

import {
  auditRecords, authzcBinary, buildPolicy, callTool, closeAll, connectGateway, recordedToolCalls, scratchDir,
  servers, verifyAudit,
} from './harness.mjs';

const TEST_TIMEOUT = { timeout: 90000 };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// [tool, arguments, what the candidate changes: null (nothing), 'newly_deny', 'newly_allow']
const CALLS = [
  ['echo', { message: 'hello' }, null],
  ['echo', { message: 'secret' }, 'newly_deny'],
  ['get-sum', { a: 1, b: 2 }, null],
  ['get-sum', { a: 50, b: 40 }, 'newly_deny'],
  ['get-sum', { a: 500, b: 1 }, null],  // denied by both
  ['get-structured-content', { location: 'Chicago' }, 'newly_deny'],
  ['get-tiny-image', {}, 'newly_allow'],
  ['get-env', {}, null],
];

async function outcome(client, name, args) {
  try {
    const result = await callTool(client, name, args);
    if (result.isError) return { status: 'refused', text: result.content?.[0]?.text?.replace(/[0-9a-f]{32}/g, '<id>') };
    return { status: 'allowed' };
  } catch (error) {
    return { status: 'error', code: error.code, message: String(error.message).replace(/[0-9a-f]{32}/g, '<id>') };
  }
}

describe('a shadow policy in authz-gateway', TEST_TIMEOUT, () => {
  let dir, primary, candidate;

  before(() => {
    dir = scratchDir();
    primary = buildPolicy('everything', dir);
    candidate = buildPolicy('everything_strict', dir);
  });
  after(closeAll);

  const connect = (name, extraArgs = []) => connectGateway({
    table: primary, user: 'u-alice', roles: ['tester'], audit: join(dir, `${name}.audit.jsonl`),
    record: join(dir, `${name}.received.jsonl`), server: servers.everything(), extraArgs,
  });

  test('enforcement is unchanged and every disagreement is recorded', TEST_TIMEOUT, async () => {
    const plain = await connect('plain');
    const shadowed = await connect('shadowed', ['--shadow', candidate]);
    for (const [name, args] of CALLS) {
      const a = await outcome(plain.client, name, args);
      const b = await outcome(shadowed.client, name, args);
      assert.deepEqual(b, a, `${name} ${JSON.stringify(args)}`);
    }
    const received = (path) => recordedToolCalls(path).map((m) => [m.params.name, m.params.arguments]);
    assert.deepEqual(received(shadowed.recordPath), received(plain.recordPath));
    assert.equal(received(plain.recordPath).length, 5);  // the five the primary allows

    const plainRecords = auditRecords(plain.auditPath);
    const records = auditRecords(shadowed.auditPath);
    assert.equal(records.length, CALLS.length);
    const candidateHash = execFileSync(authzcBinary(), ['dump', candidate], { encoding: 'utf8' })
      .split('\n')[0].replace('// policy hash ', '');
    for (const [i, record] of records.entries()) {
      assert.equal(plainRecords[i].shadow, undefined, 'no shadow, no field');
      for (const field of ['effect', 'reason', 'rules', 'policy_hash', 'target', 'arguments']) {
        assert.deepEqual(record[field], plainRecords[i][field], field);
      }
      assert.equal(record.shadow.policy_hash, candidateHash);
      const change = record.effect === record.shadow.effect ? null
        : record.shadow.effect === 'allow' ? 'newly_allow' : 'newly_deny';
      assert.equal(change, CALLS[i][2], `${CALLS[i][0]} ${JSON.stringify(CALLS[i][1])}`);
    }
    assert.deepEqual(records[1].shadow, {
      effect: 'deny', reason: 'not_permitted', rules: [], policy_hash: candidateHash,
    });
    assert.deepEqual(records[6].shadow.rules, ['testers_tiny_image']);
    assert.equal(verifyAudit(shadowed.auditPath).exitCode, 0);
    assert.equal(verifyAudit(plain.auditPath).exitCode, 0);

    // `authzc audit report` lists exactly these disagreements.
    const report = JSON.parse(execFileSync(authzcBinary(), [
      'audit', 'report', shadowed.auditPath, plain.auditPath, '--format', 'json', '--examples', '10',
    ], { encoding: 'utf8' }));
    assert.equal(report.verified, true);
    assert.equal(report.shadow.records, CALLS.length);
    const expected = CALLS.map(([name, args, change], i) => ({ seq: i + 1, name, args, change })).filter((c) => c.change);
    assert.equal(report.shadow.disagree, expected.length);
    assert.equal(report.shadow.newly_allowed, expected.filter((c) => c.change === 'newly_allow').length);
    assert.equal(report.shadow.newly_denied, expected.filter((c) => c.change === 'newly_deny').length);
    const listed = new Map();
    for (const group of report.shadow.by_rule) {
      for (const example of group.examples) listed.set(example.seq, example);
    }
    assert.deepEqual([...listed.keys()].sort((a, b) => a - b), expected.map((c) => c.seq));
    for (const c of expected) {
      const example = listed.get(c.seq);
      assert.equal(example.target, c.name);
      assert.deepEqual(example.arguments, c.args);
      assert.equal(example.shadow.effect, c.change === 'newly_allow' ? 'allow' : 'deny');
    }
    assert.deepEqual(report.shadow.by_user, [{
      user: 'u-alice', newly_allowed: 1, newly_denied: expected.length - 1,
    }]);
  });

  test('the shadow table is reloaded; a broken one is refused and the old shadow stays', TEST_TIMEOUT, async () => {
    const active = join(dir, 'active-shadow.authzt');
    copyFileSync(candidate, active);
    const gateway = await connect('reload', ['--shadow', active, '--reload-check-ms', '100']);
    const stderr = () => gateway.stderr.join('');
    await outcome(gateway.client, 'echo', { message: 'secret' });
    execFileSync('sh', ['-c', `printf broken > '${active}.new'`]);
    renameSync(`${active}.new`, active);
    for (let i = 0; i < 100 && !/kept the current shadow policy/.test(stderr()); i += 1) await sleep(50);
    assert.match(stderr(), /kept the current shadow policy; the new one is refused/);
    await outcome(gateway.client, 'echo', { message: 'secret' });
    copyFileSync(primary, `${active}.new`);
    renameSync(`${active}.new`, active);
    for (let i = 0; i < 100 && !/reloaded the shadow policy/.test(stderr()); i += 1) await sleep(50);
    assert.match(stderr(), /reloaded the shadow policy/);
    await outcome(gateway.client, 'echo', { message: 'secret' });
    const records = auditRecords(gateway.auditPath);
    assert.deepEqual(records.map((r) => r.shadow.effect), ['deny', 'deny', 'allow']);
    assert.doesNotMatch(stderr(), /reloaded the policy from/);
  });
});
