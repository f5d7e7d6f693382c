// callbacks.test.mjs — entity look-ups through a JavaScript callback: a
// callback that throws or answers nonsense makes decide() throw
// AUTHZ_ENTITY_LOOKUP (never an allow), with the callback's error as `cause`;
// the audit log records the refusal and verifies.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { AuditLog, Authz } from '../index.js';
import { accounts, authzc, lookup, now, salesTable, scratch, user } from './helpers.mjs';

const authz = Authz.loadFile(salesTable);
const mine = { principal: user('u-bob'), target: 'get_account', arguments: { account: 'acc-1' }, now };

test('a callback that throws: AUTHZ_ENTITY_LOOKUP naming the entity, with the cause', () => {
  const cause = new Error('database is down');
  let calls = 0;
  const entities = () => { calls += 1; throw cause; };
  assert.throws(() => authz.decide(mine, { entities }), (error) => {
    assert.equal(error.code, 'AUTHZ_ENTITY_LOOKUP');
    assert.match(error.message, /^entity look-up for `Account` `acc-1` threw: database is down/);
    assert.equal(error.cause, cause);
    return true;
  });
  assert.equal(calls, 1, 'no call after the first failure');
  // The next decision on the same Authz is unaffected.
  assert.equal(authz.decide(mine, { entities: lookup() }).effect, 'allow');
});

test('a callback that throws a non-Error, or answers something that is not an entity', () => {
  assert.throws(() => authz.decide(mine, { entities: () => { throw 'plain string'; } }), { code: 'AUTHZ_ENTITY_LOOKUP' });
  for (const answer of [[], 5, 'u-bob', true, { owner: 'u-bob', team: 'east', region: 1n }]) {
    assert.throws(() => authz.decide(mine, { entities: () => answer }), { code: 'AUTHZ_ENTITY_LOOKUP' }, String(answer));
  }
  const cyclic = { owner: 'u-bob' };
  cyclic.self = cyclic;
  assert.throws(() => authz.decide(mine, { entities: () => cyclic }), { code: 'AUTHZ_ENTITY_LOOKUP' });
  // Wrong attribute types are the runtime's business: a deny, not an error.
  assert.equal(authz.decide(mine, { entities: () => ({ owner: 5, team: 'east', region: 'x' }) }).effect, 'deny');
});

test('a callback that re-enters decide() gets a consistent answer', () => {
  const inner = [];
  const entities = (type, id) => {
    inner.push(authz.decide({ principal: user('u-erin'), target: 'sales_summary', arguments: { region: 'europe' }, now }).effect);
    return accounts[id] ?? null;
  };
  // Re-entry reuses the engine's buffers: the outer call must still decide its own request.
  const decision = authz.decide(mine, { entities });
  assert.deepEqual(inner, ['allow']);
  assert.equal(decision.target, 'get_account');
  assert.equal(typeof decision.effect, 'string');
});

test('audit: one record per decision, including refusals; the chain verifies', () => {
  const path = join(scratch, 'audit.jsonl');
  const audit = new AuditLog(path);
  const audited = Authz.loadFile(salesTable, { audit });
  audited.decide(mine, { entities: lookup() });
  audited.decide({ ...mine, arguments: { account: 'acc-7' } }, { entities: lookup() });
  assert.throws(() => audited.decide(mine, { entities: () => { throw new Error('down'); } }), { code: 'AUTHZ_ENTITY_LOOKUP' });
  assert.equal(audit.records, 3);
  assert.throws(() => new AuditLog(path), { code: 'AUTHZ_IO' }, 'one writer per file');
  const lines = readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual(lines.map((r) => [r.effect, r.reason]), [['allow', 'allowed'], ['deny', 'forbidden'], ['deny', 'error']]);
  assert.equal(lines[0].user, 'u-bob');
  const head = audit.head;
  audit.close();
  assert.throws(() => audited.decide(mine, { entities: lookup() }), { code: 'AUTHZ_AUDIT_UNAVAILABLE' });
  const out = execFileSync(authzc, ['audit', 'verify', path, '--expect-head', head], { encoding: 'utf8' });
  assert.match(out, /ok: 3 records, chain intact/);
});
