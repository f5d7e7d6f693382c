// http_gateway_summary.mjs — the summary bench/http_gateway_bench.sh prints:
// reads the JSON results it left in DIR (NAME-load/-single/-sse.json,
// gateway-newtok.json, meta.json) and prints the figures and the issue #15
// targets. Added latency = the proxy's median p50 (p99) minus the upstream's
// own, both measured in the same run; the latency targets are judged on one
// client (per-call cost without queueing: with 64 clients on 2 CPUs a call's
// latency is mostly the 63 calls ahead of it), throughput on 64 clients.
// Usage: node bench/http_gateway_summary.mjs DIR   (also writes DIR/summary.json)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node bench/http_gateway_summary.mjs DIR');
  process.exit(2);
}
const read = (name) => (existsSync(join(dir, `${name}.json`)) ? JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) : null);
const meta = read('meta');
const names = ['direct', 'haproxy', 'gateway'].filter((n) => read(`${n}-load`));
const r = Object.fromEntries(names.map((n) => [n, { load: read(`${n}-load`), single: read(`${n}-single`), sse: read(`${n}-sse`) }]));
const fmt = (x, digits = 1) => (x === undefined || x === null || Number.isNaN(x) ? '—' : x.toFixed(digits));
const pad = (s, n) => String(s).padStart(n);
const label = { direct: 'upstream direct', haproxy: 'haproxy', gateway: 'gateway' };

console.log(`\nHTTP gateway benchmark, ${meta.date}, ${meta.cpus} CPUs, load average ${meta.load_average}, commit ${meta.commit}`);
console.log(`medians of ${meta.runs} runs of ${meta.duration_s} s (after 1 s warm-up); HAProxy ${meta.haproxy} (${meta.haproxy_threads} thread(s))\n`);
console.log(`${'target'.padEnd(16)} ${pad(`${meta.connections} clients: calls/s`, 26)} ${pad('p50 µs', 9)} ${pad('p99 µs', 9)}   ${pad('1 client: calls/s', 17)} ${pad('p50 µs', 9)} ${pad('p99 µs', 9)}`);
for (const n of names) {
  const l = r[n].load.median, s = r[n].single.median;
  console.log(`${label[n].padEnd(16)} ${pad(fmt(l.calls_per_s, 0), 26)} ${pad(fmt(l.p50_us), 9)} ${pad(fmt(l.p99_us), 9)}   ${pad(fmt(s.calls_per_s, 0), 17)} ${pad(fmt(s.p50_us), 9)} ${pad(fmt(s.p99_us), 9)}`);
}

const summary = { meta, added: {}, targets: {} };
console.log('\nadded per call (proxy − direct), µs:');
console.log(`${''.padEnd(16)} ${pad('1 client p50', 13)} ${pad('p99', 9)}   ${pad(`${meta.connections} clients p50`, 15)} ${pad('p99', 9)}`);
for (const n of names.filter((x) => x !== 'direct')) {
  const a = {
    single_p50: r[n].single.median.p50_us - r.direct.single.median.p50_us,
    single_p99: r[n].single.median.p99_us - r.direct.single.median.p99_us,
    load_p50: r[n].load.median.p50_us - r.direct.load.median.p50_us,
    load_p99: r[n].load.median.p99_us - r.direct.load.median.p99_us,
  };
  summary.added[n] = a;
  console.log(`${label[n].padEnd(16)} ${pad(fmt(a.single_p50), 13)} ${pad(fmt(a.single_p99), 9)}   ${pad(fmt(a.load_p50), 15)} ${pad(fmt(a.load_p99), 9)}`);
}

console.log('\nidle sessions with a GET SSE stream held (RSS of the process serving them):');
for (const n of names) {
  const s = r[n].sse;
  if (!s) continue;
  const rss = s.rss[0] || {};
  console.log(`${label[n].padEnd(16)} ${s.streams_open}/${s.sessions} open, RSS ${rss.rss_before_kib} → ${rss.rss_after_kib} KiB: ${fmt(rss.bytes_per_session / 1024)} KiB per session`);
}

const check = (name, value, ok, unit, target) => {
  summary.targets[name] = { value, target, met: value === undefined ? null : ok };
  const verdict = value === undefined ? 'not measured' : ok ? 'met' : 'MISSED';
  console.log(`  ${name.padEnd(46)} ${pad(value === undefined ? '—' : `${fmt(value)} ${unit}`, 16)}  (${target})  ${verdict}`);
};
console.log('\nissue #15 targets (gateway):');
const g = summary.added.gateway, h = summary.added.haproxy;
check('added p50 per call, 1 client', g?.single_p50, g?.single_p50 <= 100, 'µs', '≤ 100 µs');
check('added p99 per call, 1 client', g?.single_p99, g?.single_p99 <= 500, 'µs', '≤ 500 µs');
const ratio = g && h && h.single_p50 > 0 ? g.single_p50 / h.single_p50 : undefined;
check('added p50 gateway / haproxy, 1 client', ratio, ratio <= 2, '×', '≤ 2×');
const ratioLoad = g && h && h.load_p50 > 0 ? g.load_p50 / h.load_p50 : undefined;
check(`added p50 gateway / haproxy, ${meta.connections} clients`, ratioLoad, ratioLoad <= 2, '×', '≤ 2× (informative)');
const rate = r.gateway?.load.median.calls_per_s;
check(`calls/s through one gateway, ${meta.connections} clients`, rate, rate >= 10000, '/s', '≥ 10,000');
const perSession = r.gateway?.sse ? r.gateway.sse.rss[0].bytes_per_session / 1024 : undefined;
check(`memory per idle session (${meta.sessions} with SSE)`, perSession, perSession <= 64, 'KiB', '≤ 64 KiB');
const newtok = read('gateway-newtok');
const newAdded = newtok ? newtok.median.p50_us - r.direct.single.median.p50_us : undefined;
if (newtok) summary.added.gateway_new_token_p50 = newAdded;
check('first call with a new token: added p50', newAdded, newAdded <= 250, 'µs', '≤ 250 µs');
if (!meta.gateway) console.log('\n(the gateway was not measured: this build has no `authz-gateway serve`)');
writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
console.log(`\nresults: ${dir}`);
