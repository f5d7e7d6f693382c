// types.test.mjs — the TypeScript declarations compile against a program
// that uses the API (test/types_check.ts), with the pinned TypeScript.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function tsc(project) {
  const run = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, project)],
    { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
}

test('index.d.ts and mcp.d.ts are valid declarations', () => tsc('tsconfig.declarations.json'));
test('they type-check a real use of the API, and reject misuse', () => tsc('tsconfig.json'));
