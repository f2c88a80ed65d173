/**
 * Pruning is sound on pyarrow's Parquet files of every type (scripts/fixtures/make_parquet_tables.py:
 * `codecs/` with hive partitions, `types/` with unsigned integers up to 2^64 - 1, int8/int16,
 * float32, fixed-size binary, decimal(38,3), nanosecond and millisecond timestamps, and
 * `int96/`): for predicates built from each table's own values (its middle row's: =, >, NOT <=, IS NULL), the
 * rows of a pruned scan are exactly those of a full scan filtered by the same predicate.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../harness/temp-dir';
import type { DeltaType } from '../../tables/delta/schema';
import { openParquetTable } from '../../tables/parquet/table';
import { compileWhere } from '../../tables/predicate';
import { emptyScanStats } from '../../tables/scan-stats';
import { jsonLineOfRow } from '../../tables/serialize';
import { LocalTableStorage } from '../../tables/storage-local';
import type { TableRow } from '../../tables/table-reader';
import type { TableValue } from '../../tables/values';

const root = resolve(__dirname, '..', '..');
let out: string;

beforeAll(() => {
  const python = join(root, '.tools', 'venv', 'bin', 'python');
  if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/install-test-tools.sh`);
  out = tempDir('parquet-pushdown-sound-');
  execFileSync(python, [join(root, 'scripts', 'fixtures', 'make_parquet_tables.py'), out], { stdio: 'inherit' });
});

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

test.each(['codecs', 'types', 'int96'])('pruning the pyarrow table %s gives exactly the full scan\'s rows filtered', async (name) => {
  const table = await openParquetTable(new LocalTableStorage(join(out, name)));
  const { schema } = await table.describe();
  const all: TableRow[] = [];
  for await (const batch of table.scan()) all.push(...batch.rows);
  const predicates: string[] = [];
  for (const field of schema.fields) {
    predicates.push(`${quoted(field.name)} IS NULL`);
    const values = all.map((r) => r[field.name] ?? null).filter((v) => v !== null);
    for (const v of [values[Math.floor(values.length / 2)]]) {
      const lit = v === undefined ? undefined : literal(field.type, v);
      if (lit === undefined) continue;
      predicates.push(`${quoted(field.name)} = ${lit}`, `${quoted(field.name)} > ${lit}`, `NOT ${quoted(field.name)} <= ${lit}`);
    }
  }
  expect(predicates.length).toBeGreaterThanOrEqual(schema.fields.length + 3);
  for (const where of predicates) {
    const compiled = compileWhere(where, schema, name);
    const expected = all.filter((r) => compiled.matches(r)).map(jsonLineOfRow).sort();
    const got: string[] = [];
    for await (const batch of table.scan({ where, stats: emptyScanStats() })) got.push(...batch.rows.map(jsonLineOfRow));
    expect({ where, rows: got.sort() }).toEqual({ where, rows: expected });
  }
});
