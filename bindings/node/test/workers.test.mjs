// workers.test.mjs — the addon in worker threads: each worker loads its own
// table and decides at the same time as the others and the main thread; a
// worker terminated mid-way leaves the others unharmed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';

import { Authz } from '../index.js';
import { salesTable, user, now } from './helpers.mjs';

const body = `
  const { workerData, parentPort } = require('node:worker_threads');
  import(workerData.index).then(({ Authz }) => {
    const authz = Authz.loadFile(workerData.table);
    const accounts = { 'acc-1': { owner: 'u-bob', team: 'east', region: 'x' }, 'acc-7': { owner: 'u-carol', team: 'east', region: 'x' } };
    const entities = (type, id) => accounts[id] ?? null;
    const counts = { allow: 0, deny: 0 };
    for (let i = 0; i < workerData.rounds; i += 1) {
      const account = i % 2 ? 'acc-7' : 'acc-1';
      const d = authz.decide({ principal: { id: 'u-bob', roles: ['rep'], attributes: { manages: [] } }, target: 'get_account',
        arguments: { account }, now: workerData.now }, { entities });
      if ((d.effect === 'allow') !== (account === 'acc-1')) throw new Error('wrong decision for ' + account);
      counts[d.effect] += 1;
    }
    parentPort.postMessage(counts);
  }).catch((error) => { parentPort.postMessage({ error: String(error && error.stack || error) }); });
`;

test('eight workers and the main thread decide at once, each with its own table', async () => {
  const index = new URL('../index.js', import.meta.url).href;
  const rounds = 2000;
  const workers = Array.from({ length: 8 }, () => new Worker(body,
    { eval: true, workerData: { index, table: salesTable, rounds, now } }));
  const results = workers.map((worker) => new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  }));
  const authz = Authz.loadFile(salesTable);
  for (let i = 0; i < rounds; i += 1) {
    assert.equal(authz.decide({ principal: user('u-erin'), target: 'sales_summary', arguments: { region: 'x' }, now }).effect, 'allow');
  }
  for (const result of await Promise.all(results)) {
    assert.deepEqual(result, { allow: rounds / 2, deny: rounds / 2 });
  }
  await Promise.all(workers.map((worker) => worker.terminate()));
});

test('a worker terminated while deciding does not disturb the others', async () => {
  const index = new URL('../index.js', import.meta.url).href;
  const doomed = new Worker(body,
    { eval: true, workerData: { index, table: salesTable, rounds: 1e7, now } });
  const survivor = new Worker(body,
    { eval: true, workerData: { index, table: salesTable, rounds: 1000, now } });
  const survived = new Promise((resolve, reject) => { survivor.once('message', resolve); survivor.once('error', reject); });
  await new Promise((resolve) => setTimeout(resolve, 200));
  await doomed.terminate();
  const result = await survived;
  assert.deepEqual(result, { allow: 500, deny: 500 });
  await survivor.terminate();
});
