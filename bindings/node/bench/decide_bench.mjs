// decide_bench.mjs — `Authz.decide` from a JavaScript request object to a
// decision object, against node-casbin's enforceSync on the same requests
// (the shared peer scenario, peer_scenario.mjs), in one run.
// Usage: node bindings/node/bench/decide_bench.mjs [--batches N] [--batch-size N]
// Reports, per request and engine, the median over N batches of the mean
// CPU time per call in a batch (process.cpuUsage: this process's user +
// system time, as Google Benchmark's CPU time in bench/*.cpp, so that time
// the shared machine gives to other processes is not counted), after a
// warm-up, and the median of the five; wall-clock medians beside them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { Authz, Entities } from '../index.js';
import { accounts, casbinArguments, casbinEnforcer, requests } from './peer_scenario.mjs';

const { values } = parseArgs({ options: { batches: { type: 'string', default: '21' }, 'batch-size': { type: 'string', default: '20000' } } });
const batches = Number(values.batches);
const batchSize = Number(values['batch-size']);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const authzc = process.env.AUTHZC ?? join(repo, 'build', 'compiler', 'authzc');
const table = join(mkdtempSync(join(tmpdir(), 'authz-bench-')), 'sales.authzt');
execFileSync(authzc, ['build', '--color', 'never', join(repo, 'examples', 'sales'), '-o', table], { stdio: 'pipe' });

const authz = Authz.loadFile(table);
const entities = new Entities({ Account: accounts });
const callback = (type, id) => accounts[id] ?? null;
const casbin = await casbinEnforcer();

// Both engines must agree with the policy before anything is timed.
for (const { name, allow, request } of requests) {
  const decision = authz.decide(request, { entities });
  const viaCallback = authz.decide(request, { entities: callback });
  const peer = casbin.enforceSync(...casbinArguments(request));
  if (decision.allowed !== allow || viaCallback.allowed !== allow || peer !== allow) {
    throw new Error(`${name}: expected ${allow}, authz ${decision.allowed} / ${viaCallback.allowed}, casbin ${peer}`);
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

let sink = 0;
// { cpu, wall }: medians of the per-call means, in ns.
function time(fn) {
  for (let i = 0; i < batchSize; i += 1) sink += fn() ? 1 : 0;  // warm-up
  const cpu = [];
  const wall = [];
  for (let b = 0; b < batches; b += 1) {
    const start = process.hrtime.bigint();
    const startCpu = process.cpuUsage();
    for (let i = 0; i < batchSize; i += 1) sink += fn() ? 1 : 0;
    const used = process.cpuUsage(startCpu);
    wall.push(Number(process.hrtime.bigint() - start) / batchSize);
    cpu.push(((used.user + used.system) * 1000) / batchSize);
  }
  return { cpu: median(cpu), wall: median(wall) };
}

const thawed = (request) => ({ ...request, principal: { ...request.principal, roles: [...request.principal.roles],
  attributes: JSON.parse(JSON.stringify(request.principal.attributes)) } });
const rows = [];
for (const { name, request } of requests) {
  const unfrozen = thawed(request);
  rows.push({
    request: name,
    authz: time(() => authz.decide(request, { entities }).allowed),
    authzUnfrozen: time(() => authz.decide(unfrozen, { entities }).allowed),
    authzCallback: time(() => authz.decide(request, { entities: callback }).allowed),
    casbin: time(() => casbin.enforceSync(...casbinArguments(request))),
  });
}

const ns = (value) => (value >= 1000 ? `${(value / 1000).toFixed(2)} µs` : `${value.toFixed(0)} ns`);
const cell = (t) => `${ns(t.cpu)} (${ns(t.wall)})`;
console.log(`node ${process.version}, ${batches} batches of ${batchSize} calls; CPU time per call, median of the batch means (wall clock in parentheses)`);
console.log('| request | authz decide | same, principal not frozen | same, entities by callback | casbin enforceSync | casbin / authz (CPU) |');
console.log('|---|---|---|---|---|---|');
for (const row of rows) {
  console.log(`| ${row.request} | ${cell(row.authz)} | ${cell(row.authzUnfrozen)} | ${cell(row.authzCallback)} | ${cell(row.casbin)} | ${(row.casbin.cpu / row.authz.cpu).toFixed(1)}× |`);
}
const overall = (key) => ({ cpu: median(rows.map((r) => r[key].cpu)), wall: median(rows.map((r) => r[key].wall)) });
const [a, u, c, p] = [overall('authz'), overall('authzUnfrozen'), overall('authzCallback'), overall('casbin')];
console.log(`| **median of the five** | **${cell(a)}** | ${cell(u)} | ${cell(c)} | ${cell(p)} | ${(p.cpu / a.cpu).toFixed(1)}× |`);
if (sink < 0) console.log(sink);
