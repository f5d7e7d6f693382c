// tables.test.mjs — loading, verifying and reloading tables: every bad table
// is an Error with a stable code and a failed reload keeps the table in use.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { Authz } from '../index.js';
import { buildTable, now, repo, salesTable, scratch, user } from './helpers.mjs';

const bytes = readFileSync(salesTable);
const fsTable = buildTable(join(repo, 'examples', 'filesystem'), 'filesystem');

test('bad tables are refused with AUTHZ_INVALID_TABLE, missing files with AUTHZ_IO', () => {
  const flipped = Buffer.from(bytes);
  flipped[flipped.length - 10] ^= 0xff;
  const otherVersion = Buffer.from(bytes);
  otherVersion[4] ^= 0x01;
  const bad = [Buffer.alloc(0), Buffer.from('not a table at all'), bytes.subarray(0, bytes.length >> 1), flipped,
    otherVersion, Buffer.concat([bytes, Buffer.from('x')]), Buffer.alloc(1 << 16, 0xff)];
  for (const table of bad) {
    assert.throws(() => Authz.load(table), (error) => error instanceof Error && error.code === 'AUTHZ_INVALID_TABLE' &&
      /^invalid decision table: /.test(error.message));
  }
  assert.throws(() => Authz.load('sales.authzt'), { code: 'AUTHZ_INVALID_REQUEST' });
  assert.throws(() => Authz.loadFile(join(scratch, 'missing.authzt')), { code: 'AUTHZ_IO' });
});

test('verifying: a table whose policy hash is not the expected one is refused', () => {
  const authz = Authz.load(bytes);
  assert.match(authz.policyHash, /^[0-9a-f]{64}$/);
  assert.equal(Authz.load(bytes, { expectedPolicyHash: authz.policyHash }).policyHash, authz.policyHash);
  assert.throws(() => Authz.load(bytes, { expectedPolicyHash: '00'.repeat(32) }), { code: 'AUTHZ_POLICY_MISMATCH' });
});

test('reload swaps the table; a broken one is refused and the old one stays', () => {
  const authz = Authz.loadFile(salesTable);
  const before = authz.policyHash;
  const request = { principal: user('u-erin'), target: 'sales_summary', arguments: { region: 'europe' }, now };
  assert.equal(authz.decide(request).effect, 'allow');
  assert.throws(() => authz.reload(Buffer.from('garbage')), { code: 'AUTHZ_INVALID_TABLE' });
  assert.throws(() => authz.reload(join(scratch, 'missing.authzt')), { code: 'AUTHZ_IO' });
  assert.equal(authz.policyHash, before);
  assert.equal(authz.decide(request).effect, 'allow');

  authz.reload(fsTable);
  assert.notEqual(authz.policyHash, before);
  assert.equal(authz.decide(request).reason, 'unknown_target');
  const copy = join(scratch, 'sales-copy.authzt');
  writeFileSync(copy, bytes);
  authz.reload(copy, { expectedPolicyHash: before });
  assert.equal(authz.decide(request).effect, 'allow');
  assert.throws(() => authz.reload(fsTable, { expectedPolicyHash: before }), { code: 'AUTHZ_POLICY_MISMATCH' });
  assert.equal(authz.policyHash, before);
});

test('targets lists the declared tools with their action', () => {
  const targets = Authz.load(bytes).targets();
  assert.deepEqual(targets.map((t) => `${t.kind}:${t.name}:${t.action}`).sort(), [
    'tool:delete_records:write', 'tool:get_account:read', 'tool:list_accounts:read', 'tool:sales_summary:read',
    'tool:update_account:write']);
});
