// decide.test.mjs — Authz.decide on the article's sales policy: plain object
// in, decision object out; explanations for each audience; obligations;
// requests of the wrong shape; partial evaluation to SQL.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Authz, Entities, isObligationRefusal } from '../index.js';
import { accounts, lookup, now, salesData, salesTable, user } from './helpers.mjs';

const authz = Authz.loadFile(salesTable);

test('a rep opens her own account: allowed, by the rule that says so', () => {
  const entities = lookup();
  const decision = authz.decide({ principal: user('u-bob'), target: 'get_account', arguments: { account: 'acc-1' }, now },
    { entities });
  assert.equal(decision.effect, 'allow');
  assert.equal(decision.allowed, true);
  assert.equal(decision.reason, 'allowed');
  assert.deepEqual(decision.rules, ['owners_read_own']);
  assert.deepEqual(decision.obligations, []);
  assert.match(decision.decisionId, /^[0-9a-f]{32}$/);
  assert.deepEqual(entities.calls[0], ['Account', 'acc-1']);
});

test("a rep opens a colleague's account: denied; the end user does not see the owner", () => {
  const decision = authz.decide({ principal: user('u-bob'), target: 'get_account', arguments: { account: 'acc-7' }, now },
    { entities: lookup(), explain: true });
  assert.equal(decision.effect, 'deny');
  assert.equal(decision.reason, 'forbidden');
  assert.deepEqual(decision.rules, ['no_cross_user_accounts']);
  assert.match(decision.explanation.operator, /"u-carol"/);
  assert.doesNotMatch(decision.explanation.user, /u-carol/);
  assert.match(decision.explanation.user, /no_cross_user_accounts/);
  assert.equal(decision.explanation.summary, 'tool `get_account` is forbidden by `no_cross_user_accounts`');
  assert.equal(authz.explain({ principal: user('u-bob'), target: 'get_account', arguments: { account: 'acc-7' }, now },
    'user', { entities: lookup() }), decision.explanation.user);
});

test('obligations come back as objects: the analyst gets aggregates only', () => {
  const decision = authz.decide({ principal: user('u-erin'), target: 'sales_summary', arguments: { region: 'europe' }, now });
  assert.equal(decision.effect, 'allow');
  assert.deepEqual(decision.obligations, [{ rule: 'analysts_totals', name: 'aggregate_only', arguments: { min_group: 5 } }]);
  const list = authz.decide({ principal: user('u-bob'), target: 'list_accounts', arguments: {}, now });
  assert.deepEqual(list.obligations.map((o) => o.name), ['rows_owned_by_caller', 'max_results']);
  assert.deepEqual(list.obligations[0].arguments, { field: 'owner' });
});

test('applies: an allow carrying an obligation the caller does not apply is a deny, reason error', () => {
  const request = { principal: user('u-bob'), target: 'list_accounts', arguments: {}, now };
  assert.equal(authz.decide(request, { applies: ['rows_owned_by_caller', 'max_results'] }).effect, 'allow');
  const refused = authz.decide(request, { applies: ['rows_owned_by_caller'] });
  assert.equal(refused.effect, 'deny');
  assert.equal(refused.reason, 'error');
  assert.equal(refused.message, 'the call comes with obligation `max_results` (rule `owners_list_own`), which the server does not apply, so it is refused');
  assert.equal(isObligationRefusal(refused), true);
  assert.equal(authz.decide(request, { applies: [] }).effect, 'deny');
  assert.equal(authz.decide({ ...request, principal: { ...user('u-bob'), id: 'u-bob\0' } }, { applies: ['rows_owned_by_caller'] }).effect, 'deny',
    'the field-by-field path applies it too');
  assert.throws(() => authz.decide(request, { applies: 'max_results' }), { code: 'AUTHZ_INVALID_REQUEST' });
  assert.throws(() => authz.decide(request, { applies: ['max\0results'] }), { code: 'AUTHZ_INVALID_REQUEST' });
});

test('deny wins, grants expire, unknown tools and bad arguments deny with a reason', () => {
  const ask = (principal, target, args, at = now) =>
    authz.decide({ principal, target, arguments: args, now: at }, { entities: new Entities(salesData.entities) });
  assert.equal(ask(user('u-dana'), 'delete_records', { account: 'acc-1', ids: ['n-1'] }).reason, 'forbidden');
  assert.equal(ask(user('u-alice'), 'update_account', { account: 'acc-9', fields: { region: 'x' } }).effect, 'allow');
  const late = ask(user('u-alice'), 'update_account', { account: 'acc-9', fields: { region: 'x' } }, new Date('2027-02-01T00:00:00Z'));
  assert.equal(late.effect, 'deny');
  assert.equal(late.reason, 'expired');
  assert.equal(ask(user('u-bob'), 'drop_database', {}).reason, 'unknown_target');
  const bad = ask(user('u-bob'), 'get_account', { account: 7 });
  assert.equal(bad.reason, 'invalid_arguments');
  assert.notEqual(bad.message, '');
});

test('an account that does not exist (the callback answers null) is denied', () => {
  const decision = authz.decide({ principal: user('u-bob'), target: 'get_account', arguments: { account: 'acc-404' }, now },
    { entities: lookup() });
  assert.equal(decision.effect, 'deny');
});

test('requests of the wrong shape are errors with code AUTHZ_INVALID_REQUEST, never decisions', () => {
  const cases = [
    {},
    { principal: {}, target: 'get_account' },
    { principal: { id: '' }, target: 'get_account' },
    { principal: { id: 'u-bob', roles: 'rep' }, target: 'get_account' },
    { principal: { id: 'u-bob', roles: [1] }, target: 'get_account' },
    { principal: { id: 'u-bob', attributes: [] }, target: 'get_account' },
    { principal: { id: 'u-bob' }, target: 42 },
    { principal: { id: 'u-bob' }, target: 'get_account', arguments: [] },
    { principal: { id: 'u-bob' }, target: 'get_account', method: 'tools/delete' },
    { principal: { id: 'u-bob' }, target: 'get_account', now: 'yesterday' },
  ];
  for (const request of cases) {
    assert.throws(() => authz.decide(request), (error) => error instanceof Error && error.code === 'AUTHZ_INVALID_REQUEST',
      JSON.stringify(request));
  }
  assert.throws(() => authz.decide({ principal: { id: 'u-bob' }, target: 'get_account' }, { entities: 5 }),
    { code: 'AUTHZ_INVALID_REQUEST' });
  assert.throws(() => new Entities('{"Account": 5}'), { code: 'AUTHZ_INVALID_REQUEST' });
  for (const request of [null, undefined, 'get_account']) {
    assert.throws(() => authz.decide(request), { code: 'AUTHZ_INVALID_REQUEST' });
  }
  // An audit log that is not one is refused, never silently skipped.
  assert.throws(() => authz.decide({ principal: { id: 'u-bob' }, target: 'get_account' }, { audit: { native: null } }),
    { code: 'AUTHZ_INVALID_REQUEST' });
  assert.throws(() => Authz.loadFile(salesTable, { audit: '/tmp/audit.jsonl' }), { code: 'AUTHZ_INVALID_REQUEST' });
});

test('hostile values are data: an id that looks like SQL or holds control characters is just a string', () => {
  for (const id of ["acc-1' OR 1=1 --", 'acc-1\u001facc-2', 'acc-\u0000', '\u202eacc-1']) {
    const decision = authz.decide({ principal: user('u-bob'), target: 'get_account', arguments: { account: id }, now },
      { entities: lookup() });
    assert.equal(decision.effect, 'deny', id);
  }
  const odd = authz.decide({ principal: { id: 'u-bob\u001fx', roles: ['rep', 'admin\u001e'] }, target: 'delete_records',
    arguments: { account: 'acc-1', ids: [] }, now }, { entities: lookup() });
  assert.equal(odd.effect, 'deny');
  // A NUL cannot smuggle a role in: `rep\0admin` is one (unknown) role, not rep and admin.
  for (const principal of [{ id: 'u-bob', roles: ['rep\0admin'] }, { id: 'u-bob\0admin', roles: ['rep'] }]) {
    const smuggled = authz.decide({ principal, target: 'delete_records', arguments: { account: 'acc-1', ids: [] }, now },
      { entities: lookup() });
    assert.equal(smuggled.effect, 'deny', JSON.stringify(principal));
    assert.deepEqual(smuggled.rules, ['delete_admin_only']);
  }
  const admin = authz.decide({ principal: { id: 'u-frank', roles: ['support', 'admin'], attributes: { manages: [] } }, target: 'delete_records',
    arguments: { account: 'acc-1', ids: [] }, now }, { entities: lookup() });
  assert.equal(admin.effect, 'allow', 'roles after the first reach the runtime');
});

test('row filters: partial evaluation to a parameterised WHERE, per user', () => {
  const columns = { account: 'id', 'account.owner': 'owner', 'account.team': 'team', 'account.region': 'region' };
  const rep = authz.rowFilter({ principal: user('u-bob'), target: 'get_account', unknown: ['account'], now }, columns);
  assert.equal(rep.kind, 'conditional');
  assert.equal(rep.sql, '"owner" = ?');
  assert.deepEqual(rep.parameters, ['u-bob']);
  const manager = authz.rowFilter({ principal: user('u-dana'), target: 'get_account', unknown: 'all', now }, columns);
  assert.equal(manager.sql, '"owner" = ? OR "team" IN (?)');
  assert.deepEqual(manager.parameters, ['u-dana', 'east']);
  const admin = authz.rowFilter({ principal: user('u-frank'), target: 'get_account', unknown: ['account'], now }, columns);
  assert.equal(admin.kind, 'always_allowed');
  assert.equal(admin.sql, '1');
  const analyst = authz.rowFilter({ principal: user('u-erin'), target: 'get_account', unknown: ['account'], now }, columns);
  assert.equal(analyst.sql, '0');
  assert.throws(() => authz.rowFilter({ principal: user('u-bob'), target: 'get_account', unknown: ['account'], now }, { account: 'id' }),
    (error) => error.code === 'AUTHZ_UNTRANSLATABLE' && /account\.owner/.test(error.message));
  const residual = authz.residual({ principal: user('u-bob'), target: 'get_account', unknown: ['account'], now });
  assert.equal(residual.kind, 'conditional');
  assert.equal(Object.keys(accounts).length > 0, true);
});

test('mayUse: the question behind list filtering', () => {
  assert.equal(authz.mayUse(user('u-bob'), 'get_account', { now }), true);
  assert.equal(authz.mayUse(user('u-bob'), 'delete_records', { now }), false);
  assert.equal(authz.mayUse(user('u-erin'), 'get_account', { now }), false);
  assert.equal(authz.mayUse(user('u-frank'), 'delete_records', { now }), true);
  assert.equal(authz.mayUse(user('u-bob'), 'no_such_tool', { now }), false);
});

test('frozen attributes are converted once; anything that can change is converted every time', () => {
  const request = (attributes) => ({ principal: { id: 'u-dana', roles: ['manager'], attributes }, target: 'get_account',
    arguments: { account: 'acc-7' }, now });
  const ask = (attributes) => authz.decide(request(attributes), { entities: lookup() }).effect;
  const mutable = { manages: ['east'] };
  assert.equal(ask(mutable), 'allow');
  mutable.manages = [];
  assert.equal(ask(mutable), 'deny', 'a changed object is seen');
  const shallow = Object.freeze({ manages: ['east'] });
  assert.equal(ask(shallow), 'allow');
  shallow.manages.pop();
  assert.equal(ask(shallow), 'deny', 'a frozen object with a mutable array inside is converted again');
  let flip = true;
  const getter = Object.freeze({ get manages() { flip = !flip; return flip ? [] : ['east']; } });
  assert.equal(ask(getter), 'allow');
  assert.equal(ask(getter), 'deny', 'a getter is read on every call');
  const frozen = Object.freeze({ manages: Object.freeze(['east']) });
  assert.equal(ask(frozen), 'allow');
  assert.equal(ask(frozen), 'allow');
  const obligations = authz.decide({ principal: user('u-erin'), target: 'sales_summary', arguments: { region: 'x' }, now }).obligations;
  assert.ok(Object.isFrozen(obligations) && Object.isFrozen(obligations[0].arguments), 'shared obligations cannot be edited');
});
