// peer_scenario.mjs — the shared peer scenario: the five sales requests that
// bench/runtime_bench.cpp times (rep reads own account, rep reads a
// colleague's, manager reads a team account, analyst totals, rep deletes),
// as plain request objects, with the same decisions written as a node-casbin
// model (RBAC with role inheritance plus ABAC conditions through eval()) so
// that peers are timed on the same requests. check() makes sure both engines
// answer every request the same way before anything is timed.
import { newEnforcer, newModelFromString } from 'casbin';

export const now = '2026-06-15T12:00:00Z';

export const accounts = {
  'acc-1': { owner: 'u-bob', team: 'east', region: 'north-america' },
  'acc-2': { owner: 'u-bob', team: 'east', region: 'europe' },
  'acc-7': { owner: 'u-carol', team: 'east', region: 'north-america' },
  'acc-9': { owner: 'u-hank', team: 'west', region: 'north-america' },
};

// Principals as a server keeps them for a session: frozen (decide_bench.mjs
// also times unfrozen copies, converted on every call).
const frozen = (value) => Object.freeze(Object.fromEntries(Object.entries(value).map(([key, item]) =>
  [key, Array.isArray(item) ? Object.freeze([...item]) : typeof item === 'object' ? frozen(item) : item])));
const bob = frozen({ id: 'u-bob', roles: ['rep'], attributes: { manages: [] } });
const dana = frozen({ id: 'u-dana', roles: ['manager'], attributes: { manages: ['east', 'north'] } });
const erin = frozen({ id: 'u-erin', roles: ['analyst'], attributes: { manages: [] } });

export const requests = [
  { name: 'rep reads own account', allow: true, request: { principal: bob, target: 'get_account', arguments: { account: 'acc-1' }, now } },
  { name: "rep reads a colleague's account", allow: false, request: { principal: bob, target: 'get_account', arguments: { account: 'acc-7' }, now } },
  { name: 'manager reads a team account', allow: true, request: { principal: dana, target: 'get_account', arguments: { account: 'acc-7' }, now } },
  { name: 'analyst totals (aggregate_only)', allow: true, request: { principal: erin, target: 'sales_summary', arguments: { region: 'emea' }, now } },
  { name: 'rep deletes records (deny wins)', allow: false, request: { principal: bob, target: 'delete_records', arguments: { account: 'acc-1', ids: ['r1', 'r2'] }, now } },
];

// examples/sales/sales.authz's rules for these three tools, in Casbin terms.
const model = `
[request_definition]
r = sub, act, obj

[policy_definition]
p = sub, act, cond, eft

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = (p.sub == "*" || g(r.sub.id, p.sub)) && r.act == p.act && eval(p.cond)
`;

const policy = [
  ['*', 'get_account', 'r.obj.owner == r.sub.id', 'allow'],                                  // owners_read_own
  ['manager', 'get_account', 'r.sub.manages.includes(r.obj.team)', 'allow'],                 // managers_team_accounts
  ['admin', 'get_account', 'true', 'allow'],                                                 // admins_all_accounts
  ['admin', 'delete_records', 'true', 'allow'],                                              // admins_delete
  ['*', 'delete_records', '!r.sub.admin', 'deny'],                                           // delete_admin_only
  ['*', 'get_account', '!(r.obj.owner == r.sub.id || r.sub.manages.includes(r.obj.team) || r.sub.admin || r.sub.support)', 'deny'],  // no_cross_user_accounts
  ['*', 'delete_records', '!(r.obj.owner == r.sub.id || r.sub.manages.includes(r.obj.team) || r.sub.admin || r.sub.support)', 'deny'],
  ['analyst', 'sales_summary', 'true', 'allow'],                                             // analysts_totals
  ['analyst', 'get_account', 'true', 'deny'],                                                // analysts_no_records
  ['*', 'sales_summary', 'r.obj.group_by == "account" || r.obj.group_by == "owner"', 'deny'],  // no_individual_breakdowns
];
const roles = [['manager', 'rep'], ['admin', 'manager'], ['u-bob', 'rep'], ['u-dana', 'manager'], ['u-erin', 'analyst']];

export async function casbinEnforcer() {
  const enforcer = await newEnforcer(newModelFromString(model));
  for (const rule of policy) await enforcer.addPolicy(...rule);
  for (const [member, role] of roles) await enforcer.addGroupingPolicy(member, role);
  return enforcer;
}

// The Casbin call for one request: the host looks the account up itself (as
// the authz host's entity store does) and passes subject and object.
export function casbinArguments(request) {
  const principal = request.principal;
  const roles = principal.roles;
  const sub = { id: principal.id, manages: principal.attributes.manages, admin: roles.includes('admin'),
    support: roles.includes('support') };
  const args = request.arguments;
  const account = args.account === undefined ? undefined : accounts[args.account];
  const obj = account === undefined ? { group_by: args.group_by } : { owner: account.owner, team: account.team };
  return [sub, request.target, obj];
}
