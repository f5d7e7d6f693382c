// gateway_completion.test.mjs — completion/complete through authz-gateway,
// with the real SDK client and the real server-everything: a user who may
// use a prompt or resource template gets exactly the server's completions of
// its arguments; a user who may not gets McpError -32602, the server never
// sees the request, and both decisions are in the verified audit log.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { McpError } from '@modelcontextprotocol/sdk/types.js';

import {
  REQUEST_TIMEOUT_MS, auditRecords, buildPolicy, closeAll, connectDirect, connectEverythingUsers, recordedMessages,
  scratchDir, servers, verifyAudit,
} from './harness.mjs';

const TEST_TIMEOUT = { timeout: 60000 };
const TEAM_PROMPT = { type: 'ref/prompt', name: 'completable-prompt' };
const TEXT_TEMPLATE = { type: 'ref/resource', uri: 'demo://resource/dynamic/text/{resourceId}' };
const BLOB_TEMPLATE = { type: 'ref/resource', uri: 'demo://resource/dynamic/blob/{resourceId}' };

const complete = (session, params) => session.client.complete(params, { timeout: REQUEST_TIMEOUT_MS });
const completionsReceived = (session) =>
  recordedMessages(session.recordPath).filter((message) => message.method === 'completion/complete');

describe('completion/complete through the gateway', TEST_TIMEOUT, () => {
  let dir, table, direct, alice, bob;

  before(async () => {
    dir = scratchDir();
    table = buildPolicy('everything', dir);
    direct = await connectDirect(servers.everything());
    ({ alice, bob } = await connectEverythingUsers(table, dir));
  });
  after(closeAll);

  test('a user who may use the prompt gets exactly the server\'s completions', TEST_TIMEOUT, async () => {
    const requests = [
      { ref: TEAM_PROMPT, argument: { name: 'department', value: 'E' } },
      { ref: TEAM_PROMPT, argument: { name: 'name', value: '' }, context: { arguments: { department: 'Sales' } } },
      { ref: TEXT_TEMPLATE, argument: { name: 'resourceId', value: '3' } },
    ];
    for (const params of requests) {
      const expected = await complete(direct, params);
      assert.ok(expected.completion.values.length > 0, `the server completes ${JSON.stringify(params)}`);
      assert.deepEqual(await complete(alice, params), expected);
    }
    assert.deepEqual((await complete(alice, requests[0])).completion.values, ['Engineering']);
    assert.deepEqual((await complete(alice, requests[1])).completion.values, ['David', 'Eve', 'Frank']);
    // The server received them as sent, context included.
    const received = completionsReceived(alice);
    assert.equal(received.length, 5);
    assert.deepEqual(received[1].params, requests[1]);
  });

  test('a user who may not gets McpError -32602 and the server never sees it', TEST_TIMEOUT, async () => {
    for (const [session, params, key, target] of [
      [bob, { ref: TEAM_PROMPT, argument: { name: 'department', value: 'E' } }, 'prompt', 'completable-prompt'],
      [bob, { ref: TEAM_PROMPT, argument: { name: 'name', value: '' }, context: { arguments: { department: 'Sales' } } },
       'prompt', 'completable-prompt'],
      [bob, { ref: TEXT_TEMPLATE, argument: { name: 'resourceId', value: '1' } }, 'resource', TEXT_TEMPLATE.uri],
      [alice, { ref: BLOB_TEMPLATE, argument: { name: 'resourceId', value: '1' } }, 'resource', BLOB_TEMPLATE.uri],
      [alice, { ref: { type: 'ref/prompt', name: 'args-prompt' }, argument: { name: 'city', value: 'B' } }, 'prompt',
       'args-prompt'],
    ]) {
      const before = completionsReceived(session).length;
      await assert.rejects(complete(session, params), (error) => {
        assert.ok(error instanceof McpError, `expected McpError, got ${error}`);
        assert.equal(error.code, -32602);
        assert.match(error.message, /access denied by policy: no rule allows user `u-(alice|bob)` to use/);
        assert.equal(error.data?.[key], target);
        assert.equal(error.data?.reason, 'not_permitted');
        assert.match(error.data?.decision_id ?? '', /^[0-9a-f]{32}$/);
        const record = auditRecords(session.auditPath).find((r) => r.decision_id === error.data.decision_id);
        assert.ok(record, 'the refusal has an audit record with its decision id');
        assert.equal(record.method, 'completion/complete');
        assert.equal(record.effect, 'deny');
        assert.equal(record.reason, 'not_permitted');
        assert.equal(record.target, target);
        assert.deepEqual(record.arguments, { [params.argument.name]: params.argument.value });
        return true;
      });
      assert.equal(completionsReceived(session).length, before, `the server saw no completion for ${target}`);
    }
    // Bob's server never received a completion request at all.
    assert.deepEqual(completionsReceived(bob), []);
  });

  test('completions follow the lists: what is completed is what is listed', TEST_TIMEOUT, async () => {
    const prompts = async (session) => (await session.client.listPrompts({}, { timeout: REQUEST_TIMEOUT_MS })).prompts;
    const templates = async (session) =>
      (await session.client.listResourceTemplates({}, { timeout: REQUEST_TIMEOUT_MS })).resourceTemplates;
    assert.deepEqual((await prompts(alice)).map((p) => p.name), ['completable-prompt']);
    assert.deepEqual(await prompts(bob), []);
    assert.deepEqual((await templates(alice)).map((t) => t.uriTemplate), [TEXT_TEMPLATE.uri]);
    assert.deepEqual(await templates(bob), []);
  });

  test('every completion decision is in the audit log, which verifies', TEST_TIMEOUT, async () => {
    const allowed = auditRecords(alice.auditPath).filter((r) => r.method === 'completion/complete' && r.effect === 'allow');
    assert.equal(allowed.length, completionsReceived(alice).length, 'one allow record per completion forwarded');
    assert.deepEqual(allowed[0].arguments, { department: 'E' });
    assert.equal(allowed[0].target, 'completable-prompt');
    assert.deepEqual(allowed[0].rules, ['testers_team_prompt']);
    assert.equal(allowed[2].target, TEXT_TEMPLATE.uri);
    assert.deepEqual(allowed[2].rules, ['testers_dynamic_text']);
    const refused = auditRecords(bob.auditPath).filter((r) => r.method === 'completion/complete');
    assert.equal(refused.length, 3);
    assert.ok(refused.every((r) => r.effect === 'deny' && r.user === 'u-bob'));
    for (const session of [alice, bob]) {
      const { exitCode, report } = verifyAudit(session.auditPath);
      assert.equal(exitCode, 0, JSON.stringify(report));
      assert.equal(report.records, auditRecords(session.auditPath).length);
    }
  });
});
