/**
 * Pruning is sound on tables other writers wrote (the delta-kernel-rs golden tables, Spark's and
 * kernel's statistics, checkpoints with struct statistics, deletion vectors, column mapping,
 * type widening, timestamp_ntz): for predicates built from each table's own values (equal to a
 * value, above and below it, IS NULL, IS NOT NULL, NOT IN), the rows of a pruned scan are
 * exactly those of a full scan filtered by the same predicate, row for row.
 */
import { goldenTable } from '../harness/delta-fixtures';
import type { DeltaType } from '../../tables/delta/schema';
import { compileWhere } from '../../tables/predicate';
import { openDeltaTable } from '../../tables/readers';
import { emptyScanStats } from '../../tables/scan-stats';
import { jsonLineOfRow } from '../../tables/serialize';
import { LocalTableStorage } from '../../tables/storage-local';
import type { TableRow } from '../../tables/table-reader';
import type { TableValue } from '../../tables/values';

const TABLES = [
  'basic_partitioned', 'basic-decimal-table', 'parquet_row_group_skipping', 'mixed-nulls', 'data-reader-timestamp_ntz',
  'type-widening', 'table-with-dv-small', 'with-short-dv', 'v1-multi-part-partitioned-struct-stats-only',
  'v2-classic-parquet-struct-stats-only', 'timestamp-partitioned-table',
];

/** The literal text of a value of `type`, or undefined when the language has none for it. */
function literal(type: DeltaType, value: TableValue): string | undefined {
  if (value === null || typeof value === 'object') return undefined;
  if (type.kind === 'decimal') return String(value);
  if (type.kind !== 'primitive') return undefined;
  switch (type.name) {
    case 'byte': case 'short': case 'integer': case 'long': return String(value);
    case 'float': case 'double': return /^-?\d+(\.\d+)?$/.test(String(value)) ? String(value) : undefined;
    case 'string': return `'${String(value).replace(/'/g, "''")}'`;
    case 'boolean': return String(value);
    case 'date': return `DATE '${String(value)}'`;
    case 'timestamp': case 'timestamp_ntz': return `TIMESTAMP '${String(value)}'`;
    default: return undefined;
  }
}

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Files and row groups skipped per table, over all its predicates. */
const prunedBy = new Map<string, number>();

describe.each(TABLES)('pruning the golden table %s', (name) => {
  test('gives exactly the full scan\'s rows filtered, for predicates on every column', async () => {
    const dir = goldenTable(name.endsWith('.tar.zst') ? name.slice(0, -8) : name);
    const table = await openDeltaTable(new LocalTableStorage(dir));
    const { schema } = await table.describe();
    const all: TableRow[] = [];
    for await (const batch of table.scan()) all.push(...batch.rows);
    expect(all.length).toBeGreaterThan(0);
    const predicates: string[] = [];
    for (const field of schema.fields) {
      predicates.push(`${quoted(field.name)} IS NULL`, `${quoted(field.name)} IS NOT NULL`);
      const values = all.map((r) => r[field.name] ?? null).filter((v) => v !== null);
      for (const v of [values[0], values[Math.floor(values.length / 2)], values[values.length - 1]]) {
        const lit = v === undefined ? undefined : literal(field.type, v);
        if (lit === undefined) continue;
        predicates.push(`${quoted(field.name)} = ${lit}`, `${quoted(field.name)} > ${lit}`, `${quoted(field.name)} <= ${lit}`, `NOT ${quoted(field.name)} IN (${lit})`);
      }
    }
    let pruned = 0;
    for (const where of predicates) {
      const compiled = compileWhere(where, schema, dir);
      const expected = all.filter((r) => compiled.matches(r)).map(jsonLineOfRow).sort();
      const stats = emptyScanStats();
      const got: string[] = [];
      for await (const batch of table.scan({ where, stats })) got.push(...batch.rows.map(jsonLineOfRow));
      expect({ where, rows: got.sort() }).toEqual({ where, rows: expected });
      pruned += stats.filesPrunedByPartition + stats.filesPrunedByStatistics + stats.rowGroupsPruned;
    }
    expect(predicates.length).toBeGreaterThan(2);
    prunedBy.set(name, pruned);
  });
});

test('on every one of these tables some predicate skipped files or row groups', () => {
  expect(prunedBy.size).toBe(TABLES.length);
  for (const [name, pruned] of prunedBy) expect({ name, pruned: pruned > 0 }).toEqual({ name, pruned: true });
});
