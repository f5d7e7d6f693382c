// helpers.mjs — shared by the binding's tests: the sales table built once by
// the real `authzc` (path in $AUTHZC, else the build tree), the sales entity
// data, and the users of examples/sales.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const authzc = process.env.AUTHZC ?? join(repo, 'build', 'compiler', 'authzc');
export const scratch = mkdtempSync(join(tmpdir(), 'authz-node-'));

export function buildTable(policyDir, name) {
  const out = join(scratch, `${name}.authzt`);
  execFileSync(authzc, ['build', '--color', 'never', policyDir, '-o', out], { stdio: 'pipe' });
  return out;
}

export const salesTable = buildTable(join(repo, 'examples', 'sales'), 'sales');
export const salesData = JSON.parse(readFileSync(join(repo, 'examples', 'sales', 'entities.json'), 'utf8'));
export const accounts = salesData.entities.Account;
export const now = '2026-11-26T12:00:00Z';

export function user(id) {
  const { roles, manages } = salesData.users[id];
  return { id, roles, attributes: { manages } };
}

// An entity callback over the sales accounts that counts its calls.
export function lookup() {
  const fn = (type, id) => {
    fn.calls.push([type, id]);
    return type === 'Account' ? accounts[id] ?? null : null;
  };
  fn.calls = [];
  return fn;
}
