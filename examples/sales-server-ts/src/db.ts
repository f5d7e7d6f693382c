// db.ts — the sales server's database: SQLite compiled to WebAssembly
// (sql.js, from the npm registry, no native code), kept in memory and written
// to its file after every change.
//
// Contract: every query is a prepared statement with bound parameters; the
// only SQL text from outside this file is a row filter from the authz runtime
// (placeholders only, runtime/sql_where.h) and group columns from a fixed
// allow-list. The same schema and seed as examples/sales-server (C++).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import initSqlJs, { type BindParams, type Database, type SqlValue } from 'sql.js';

export interface Account {
  id: string;
  name: string;
  owner: string;
  team: string;
  region: string;
  pipeline: number;
}

export interface SummaryGroup {
  group: string | null;
  records: number;
  total: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS accounts (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT NOT NULL, team TEXT NOT NULL,
  region TEXT NOT NULL, pipeline INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS records (
  id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id), kind TEXT NOT NULL, note TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sales (
  id INTEGER PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id), region TEXT NOT NULL,
  team TEXT NOT NULL, owner TEXT NOT NULL, product TEXT NOT NULL, month TEXT NOT NULL, amount INTEGER NOT NULL);
`;

// The six accounts of examples/sales/entities.json first, then more.
const ACCOUNTS: Array<[string, string, string, string, string, number]> = [
  ['acc-1', 'Northwind Traders', 'u-bob', 'east', 'north-america', 120000],
  ['acc-2', 'Contoso Europe', 'u-bob', 'east', 'europe', 80000],
  ['acc-7', 'Fabrikam', 'u-carol', 'east', 'north-america', 45000],
  ['acc-8', 'Tailspin Toys', 'u-carol', 'east', 'europe', 30000],
  ['acc-9', 'Wingtip West', 'u-hank', 'west', 'north-america', 99000],
  ['acc-12', 'Adventure Works', 'u-dana', 'east', 'north-america', 150000],
  ['acc-3', 'Litware', 'u-bob', 'east', 'europe', 20000],
  ['acc-10', 'Proseware', 'u-hank', 'west', 'europe', 61000],
  ['acc-11', 'Lucerne Publishing', 'u-ivy', 'west', 'apac', 18000],
  ['acc-13', "Margie's Travel", 'u-dana', 'east', 'europe', 27000],
  ['acc-14', 'Coho Winery', 'u-carol', 'east', 'apac', 12000],
  ['acc-15', 'Graphic Design Institute', 'u-ivy', 'west', 'europe', 40000],
];

// Sales lines: region, product, count; the region's accounts take turns.
const SALES: Array<[string, string, number]> = [
  ['europe', 'crm-suite', 6], ['europe', 'analytics', 5], ['europe', 'training', 2],
  ['north-america', 'crm-suite', 7], ['north-america', 'analytics', 3], ['apac', 'crm-suite', 3],
];

// group_by values and the column each groups by (never spliced from input).
const GROUP_COLUMNS: Record<string, string> = { team: 'team', month: 'month', product: 'product', account: 'account_id', owner: 'owner' };
const UPDATABLE = new Set(['name', 'region', 'pipeline']);

export class SalesDb {
  private constructor(private readonly db: Database, private readonly path: string) {}

  /** Opens the file (creating and seeding it when it does not exist). */
  static async open(path: string): Promise<SalesDb> {
    const SQL = await initSqlJs();
    const db = existsSync(path) ? new SQL.Database(readFileSync(path)) : new SQL.Database();
    db.run(SCHEMA);
    const sales = new SalesDb(db, path);
    if (sales.count('SELECT COUNT(*) FROM accounts') === 0) sales.seed();
    return sales;
  }

  private count(sql: string, params: BindParams = []): number {
    return Number(this.rows(sql, params)[0]?.[0] ?? 0);
  }

  private rows(sql: string, params: BindParams): SqlValue[][] {
    const statement = this.db.prepare(sql);
    try {
      statement.bind(params);
      const out: SqlValue[][] = [];
      while (statement.step()) out.push(statement.get());
      return out;
    } finally {
      statement.free();
    }
  }

  private seed(): void {
    this.db.run('BEGIN');
    ACCOUNTS.forEach(([id, name, owner, team, region, pipeline], index) => {
      this.db.run('INSERT INTO accounts(id, name, owner, team, region, pipeline, created) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [id, name, owner, team, region, pipeline, index + 1]);
    });
    let record = 1;
    for (const [id, name] of ACCOUNTS) {
      for (const kind of ['note', 'activity']) {
        this.db.run('INSERT INTO records(id, account_id, kind, note) VALUES (?, ?, ?, ?)', [`rec-${record++}`, id, kind, `${kind} on ${name}`]);
      }
    }
    for (const [region, product, count] of SALES) {
      const inRegion = ACCOUNTS.filter((account) => account[4] === region);
      for (let i = 0; i < count; i += 1) {
        const [id, , owner, team] = inRegion[i % inRegion.length];
        this.db.run('INSERT INTO sales(account_id, region, team, owner, product, month, amount) VALUES (?, ?, ?, ?, ?, ?, ?)',
          [id, region, team, owner, product, i % 2 ? '2026-10' : '2026-11', 1000 * (i + 1)]);
      }
    }
    this.db.run('COMMIT');
    this.save();
  }

  /** Writes the database to its file (atomically: a new file renamed over the old). */
  save(): void {
    writeFileSync(`${this.path}.tmp`, this.db.export());
    renameSync(`${this.path}.tmp`, this.path);
  }

  account(id: string): Account | undefined {
    const [row] = this.rows('SELECT id, name, owner, team, region, pipeline FROM accounts WHERE id = ?', [id]);
    if (!row) return undefined;
    const [accountId, name, owner, team, region, pipeline] = row;
    return { id: String(accountId), name: String(name), owner: String(owner), team: String(team), region: String(region), pipeline: Number(pipeline) };
  }

  /** Accounts matching `where` (a parameterised fragment) AND the optional conditions, newest first. */
  listAccounts(where: string, parameters: SqlValue[], extra: Array<{ sql: string; parameters: SqlValue[] }>, limit: number): Account[] {
    const clauses = [`(${where})`, ...extra.map((clause) => `(${clause.sql})`)];
    const params = [...parameters, ...extra.flatMap((clause) => clause.parameters), limit];
    return this.rows(`SELECT id, name, owner, team, region, pipeline FROM accounts WHERE ${clauses.join(' AND ')} ORDER BY created DESC LIMIT ?`, params)
      .map(([id, name, owner, team, region, pipeline]) => ({ id: String(id), name: String(name), owner: String(owner), team: String(team), region: String(region), pipeline: Number(pipeline) }));
  }

  /** Changes the updatable fields; returns the rows changed. Unknown fields are an error. */
  updateAccount(id: string, fields: Record<string, string>): number {
    for (const field of Object.keys(fields)) {
      if (!UPDATABLE.has(field)) throw new Error(`field \`${field}\` cannot be changed (name, region, pipeline can)`);
    }
    let changed = 0;
    for (const [field, value] of Object.entries(fields)) {
      this.db.run(`UPDATE accounts SET ${field} = ? WHERE id = ?`, [field === 'pipeline' ? Number(value) : value, id]);
      changed = Math.max(changed, this.db.getRowsModified());
    }
    this.save();
    return changed;
  }

  deleteRecords(accountId: string, ids: string[]): number {
    let deleted = 0;
    for (const id of ids) {
      this.db.run('DELETE FROM records WHERE account_id = ? AND id = ?', [accountId, id]);
      deleted += this.db.getRowsModified();
    }
    this.save();
    return deleted;
  }

  salesSummary(region: string, groupBy: string | undefined): SummaryGroup[] {
    const column = groupBy === undefined ? undefined : GROUP_COLUMNS[groupBy];
    if (groupBy !== undefined && column === undefined) throw new Error(`cannot group by \`${groupBy}\` (team, month, product)`);
    const key = column ?? 'NULL';
    return this.rows(`SELECT ${key}, COUNT(*), SUM(amount) FROM sales WHERE region = ? GROUP BY ${key} ORDER BY ${key}`, [region])
      .map(([group, records, total]) => ({ group: group === null ? null : String(group), records: Number(records), total: Number(total) }));
  }
}
