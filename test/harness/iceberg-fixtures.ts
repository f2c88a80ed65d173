/**
 * The Iceberg tables pyiceberg 0.12.0 writes into a local warehouse for the Iceberg reader's unit
 * tests (scripts/fixtures/make_iceberg_tables.py --duckdb, run once per test file in beforeAll),
 * with the rows pyiceberg (and DuckDB) read from them, and helpers to compare rows.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './temp-dir';
import { openIcebergTable, type IcebergTableOptions } from '../../tables/iceberg';
import { parseJsonLineExact } from '../../tables/serialize';
import { LocalTableStorage } from '../../tables/storage-local';
import type { TableRow } from '../../tables/table-reader';

/** One table as the fixture script describes it (expected.json). */
export interface ExpectedTable {
  metadataLocation: string;
  location: string;
  formatVersion: number;
  currentSnapshotId: string;
  snapshots: Array<{ id: string; timestampMs: number; operation: string; schemaId: number; sequenceNumber: number; rows: string }>;
  refs: Record<string, { snapshotId: string; type: string; rows: string }>;
  current: string;
  duckdbCurrent: string;
  duckdbError?: string;
  columns: string[];
}

/** Rows as comparable values (exact JSON parsed, 64-bit integers as bigints), sorted. */
export function canonical(lines: string[]): unknown[] {
  const rows = lines.filter((l) => l !== '').map((l) => parseJsonLineExact(l) as Record<string, unknown>);
  const key = (r: unknown) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Writes the tables in the calling test file's beforeAll; the accessors work inside tests. */
export function icebergFixtures() {
  const root = resolve(__dirname, '..', '..');
  let out = '';
  const expected: Record<string, ExpectedTable> = {};
  beforeAll(() => {
    const python = join(root, '.tools', 'venv', 'bin', 'python');
    if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/install-test-tools.sh`);
    out = tempDir('iceberg-table-');
    execFileSync(python, [join(root, 'scripts', 'fixtures', 'make_iceberg_tables.py'), out, '--duckdb'], { stdio: 'inherit' });
    Object.assign(expected, JSON.parse(readFileSync(join(out, 'expected.json'), 'utf8')) as Record<string, ExpectedTable>);
  }, 120_000);
  const folderOf = (name: string): string => fileURLToPath((expected[name] as ExpectedTable).location);
  const storageOf = (name: string) => new LocalTableStorage(folderOf(name));
  /** The rows of a file of the fixture's output (pyiceberg's or DuckDB's), comparable. */
  const oracle = (rel: string): unknown[] => canonical(readFileSync(join(out, rel), 'utf8').split('\n'));
  /** Every row of a table's snapshot (the current one by default) as this reader reads it. */
  const readRows = async (name: string, options: IcebergTableOptions = {}): Promise<TableRow[]> => {
    const rows: TableRow[] = [];
    for await (const batch of (await openIcebergTable(storageOf(name), options)).scan()) rows.push(...batch.rows);
    return rows;
  };
  return { expected, folderOf, storageOf, canonical, readRows, oracle };
}
