// gateway_everything.test.mjs — the real SDK client -> authz-gateway -> the
// real server-everything: allowed calls are relayed exactly, tools/list is the
// direct list filtered by policy, denied calls raise McpError -32602 and never
// reach the server, argument denials are isError results, and the audit log
// has one verified record per decision.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { McpError } from '@modelcontextprotocol/sdk/types.js';

import {
  auditRecords, buildPolicy, callTool, closeAll, connectDirect, connectEverythingUsers, listAllTools,
  recordedMessages, recordedToolCalls, scratchDir, servers, verifyAudit,
} from './harness.mjs';

const TEST_TIMEOUT = { timeout: 60000 };

describe('gateway in front of server-everything', TEST_TIMEOUT, () => {
  let dir, table, direct, alice, bob;
  // Every tools/call sent through a gateway, per audit log: what the log must hold.
  const sentCalls = new Map();
  const send = async (session, name, args) => {
    sentCalls.set(session.auditPath, (sentCalls.get(session.auditPath) ?? 0) + 1);
    return callTool(session.client, name, args);
  };

  before(async () => {
    dir = scratchDir();
    table = buildPolicy('everything', dir);
    direct = await connectDirect(servers.everything());
    ({ alice, bob } = await connectEverythingUsers(table, dir));
  });
  after(closeAll);

  test('an allowed call returns exactly what the server returns directly', TEST_TIMEOUT, async () => {
    for (const [name, args] of [['echo', { message: 'hello through the gateway' }], ['get-sum', { a: 2, b: 40 }],
                                ['get-structured-content', { location: 'Chicago' }]]) {
      const expected = await callTool(direct.client, name, args);
      const actual = await send(alice, name, args);
      assert.deepEqual(actual, expected, `${name} through the gateway`);
      assert.notEqual(actual.isError, true);
    }
    const echo = await send(bob, 'echo', { message: 'é ü 😀 "quoted" \\ back' });
    assert.deepEqual(echo, await callTool(direct.client, 'echo', { message: 'é ü 😀 "quoted" \\ back' }));
  });

  test('tools/list is the direct list filtered by the policy, tool objects intact', TEST_TIMEOUT, async () => {
    const all = await listAllTools(direct.client);
    assert.ok(all.length >= 10, 'the direct server lists its tools');
    const expectFor = (names) => all.filter((tool) => names.includes(tool.name));
    assert.deepEqual(await listAllTools(alice.client), expectFor(['echo', 'get-structured-content', 'get-sum']));
    assert.deepEqual(await listAllTools(bob.client), expectFor(['echo']));
  });

  test('a tool the user may not call raises McpError -32602 and never reaches the server', TEST_TIMEOUT, async () => {
    for (const [session, name, args] of [[bob, 'get-sum', { a: 1, b: 2 }], [alice, 'get-env', {}],
                                         [bob, 'toggle-simulated-logging', {}], [alice, 'no-such-tool', {}]]) {
      const before = recordedToolCalls(session.recordPath).length;
      await assert.rejects(send(session, name, args), (error) => {
        assert.ok(error instanceof McpError, `expected McpError for ${name}, got ${error}`);
        assert.equal(error.code, -32602);
        assert.match(error.message, /access denied by policy/);
        assert.equal(error.data?.tool, name);
        assert.equal(typeof error.data?.reason, 'string');
        assert.match(error.data?.decision_id ?? '', /^[0-9a-f]{32}$/);
        const record = auditRecords(session.auditPath).find((r) => r.decision_id === error.data.decision_id);
        assert.ok(record, 'the denial has an audit record with its decision id');
        assert.equal(record.effect, 'deny');
        assert.equal(record.target, name);
        return true;
      });
      const seen = recordedToolCalls(session.recordPath);
      assert.equal(seen.length, before, `the server saw no call of ${name}`);
      assert.ok(!seen.some((message) => message.params?.name === name));
    }
  });

  test('an argument denial is an isError result and never reaches the server', TEST_TIMEOUT, async () => {
    const before = recordedToolCalls(alice.recordPath).length;
    for (const args of [{ a: 500, b: 1 }, { a: 1, b: 100 }]) {
      const result = await send(alice, 'get-sum', args);
      assert.equal(result.isError, true);
      assert.equal(result.content?.[0]?.type, 'text');
      assert.ok(result.content[0].text.length > 0, 'the result explains the denial');
    }
    assert.equal(recordedToolCalls(alice.recordPath).length, before);
    const denied = auditRecords(alice.auditPath).filter((r) => r.target === 'get-sum' && r.effect === 'deny');
    assert.equal(denied.length, 2);
    assert.deepEqual(denied.map((r) => r.arguments), [{ a: 500, b: 1 }, { a: 1, b: 100 }]);
  });

  test('the server received the allowed calls byte-for-byte in meaning', TEST_TIMEOUT, async () => {
    const calls = recordedToolCalls(alice.recordPath).map((message) => message.params);
    assert.deepEqual(calls.map((p) => p.name), ['echo', 'get-sum', 'get-structured-content']);
    assert.deepEqual(calls[1].arguments, { a: 2, b: 40 });
    // initialize went through untouched.
    assert.equal(recordedMessages(alice.recordPath)[0].method, 'initialize');
  });

  test('the audit log has one record per decision and verifies', TEST_TIMEOUT, async () => {
    for (const session of [alice, bob]) {
      const calls = auditRecords(session.auditPath).filter((record) => record.method === 'tools/call');
      assert.equal(calls.length, sentCalls.get(session.auditPath), `${session.auditPath}: one record per tools/call`);
      const records = auditRecords(session.auditPath);
      assert.deepEqual(records.map((r) => r.seq), records.map((_, i) => i + 1));
      assert.ok(records.every((r) => r.user === (session === alice ? 'u-alice' : 'u-bob')));
      assert.ok(records.every((r) => /^[0-9a-f]{64}$/.test(r.policy_hash)));
      const { exitCode, report } = verifyAudit(session.auditPath);
      assert.equal(exitCode, 0, JSON.stringify(report));
      assert.equal(report.status, 'ok');
      assert.equal(report.records, records.length);
      assert.equal(report.head, records.at(-1).hash);
    }
    const allowed = auditRecords(alice.auditPath).find((r) => r.target === 'get-sum' && r.effect === 'allow');
    assert.deepEqual(allowed.rules, ['testers_sum_small']);
  });
});
