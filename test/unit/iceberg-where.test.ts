/**
 * `--where` on Iceberg tables (tables/iceberg/scan.ts, bounds.ts, manifest-pruning.ts,
 * transform-summaries.ts), on the tables pyiceberg 0.12.0 writes (test/harness/iceberg-fixtures.ts):
 * the rows kept are exactly pyiceberg's rows filtered, and what is pruned (manifests, files by
 * partition, files by manifest bounds, row groups) is never read.
 */
import { icebergFixtures, type ExpectedTable } from '../harness/iceberg-fixtures';
import { openIcebergTable } from '../../tables/iceberg';
import { bucketOf, murmur3 } from '../../tables/iceberg/bucket-pruning';
import type { ContentFile } from '../../tables/iceberg/manifests';
import { transformSummaries } from '../../tables/iceberg/transform-summaries';
import { tableStructOf, type IcebergField } from '../../tables/iceberg/types';
import { compileWhere, mayMatch } from '../../tables/predicate';
import { emptyScanStats } from '../../tables/scan-stats';
import { jsonLineOfRow } from '../../tables/serialize';
import type { TableRow } from '../../tables/table-reader';

const { expected, storageOf, canonical, readRows, oracle } = icebergFixtures();

describe('--where on Iceberg tables written by pyiceberg', () => {
  test('--where keeps exactly the matching rows, pruning files by identity partition values and row groups by statistics', async () => {
    const current = (name: string) => oracle((expected[name] as ExpectedTable).current) as Array<Record<string, unknown>>;
    const read = async (name: string, where: string, planOnly = false) => {
      const stats = emptyScanStats();
      const rows: TableRow[] = [];
      for await (const batch of (await openIcebergTable(storageOf(name))).scan({ where, stats, planOnly })) rows.push(...batch.rows);
      return { rows: canonical(rows.map(jsonLineOfRow)), stats };
    };
    const byCategory = await read('evolve', "category = 'b'");
    expect(byCategory.rows).toEqual(current('evolve').filter((r) => r.category === 'b'));
    expect(byCategory.rows.length).toBeGreaterThan(0);
    expect(byCategory.stats.filesPrunedByPartition).toBeGreaterThan(0);
    const byId = await read('evolve', 'id >= 4611686018427387904');
    expect(byId.rows).toEqual(current('evolve').filter((r) => BigInt(r.id as bigint | number) >= 2n ** 62n));
    expect(byId.rows).toHaveLength(6);
    expect(byId.stats.filesPrunedByStatistics).toBeGreaterThan(0);
    const byUuid = await read('types', "u = '80000000-0000-0000-0000-000000000003'");
    expect(byUuid.rows).toEqual(current('types').filter((r) => r.u === '80000000-0000-0000-0000-000000000003'));
    expect(byUuid.rows).toHaveLength(1);
    const deleted = await read('deletes', "k = 'b'");
    expect(deleted.rows.map((r) => (r as { id: number }).id).sort()).toEqual([4, 5, 6]);
    const plan = await read('evolve', "category = 'b'", true);
    expect(plan.rows).toEqual([]);
    expect(plan.stats).toEqual({ ...byCategory.stats });
  });

  test('--where prunes files by the ranges of day, month, year, hour and int truncate partitions', async () => {
    const stats = emptyScanStats();
    const rows: TableRow[] = [];
    for await (const batch of (await openIcebergTable(storageOf('types'))).scan({ where: "ts >= TIMESTAMP '2024-03-01T00:00:00'", stats })) rows.push(...batch.rows);
    expect(rows).toEqual([]);
    expect(stats.filesTotal).toBeGreaterThan(0);
    expect(stats.filesPrunedByPartition).toBe(stats.filesTotal); // day(ts) = 2024-02-29, or null
    const sources: IcebergField[] = [
      { id: 1, name: 'ts', required: false, type: { kind: 'primitive', name: 'timestamptz' } },
      { id: 2, name: 'd', required: false, type: { kind: 'primitive', name: 'date' } },
      { id: 3, name: 'n', required: false, type: { kind: 'primitive', name: 'long' } },
    ];
    const schema = tableStructOf({ kind: 'struct', fields: sources });
    const fields = new Map(sources.map((f) => [f.id, f]));
    const may = (sourceId: number, transform: string, value: unknown, where: string) => {
      const spec = { specId: 0, fields: [{ sourceId, fieldId: 1000, name: 'p', transform }] };
      const file = { partition: new Map([[1000, value]]) } as unknown as ContentFile;
      return mayMatch(compileWhere(where, schema, 'test').bound, transformSummaries(file, spec, fields));
    };
    const cases: Array<[number, string, unknown, string, string]> = [
      [1, 'month', 650, '2024-03-01T00:00:00.000000Z', '2024-03-31T23:59:59.999999Z'],
      [1, 'month', -1, '1969-12-01T00:00:00.000000Z', '1969-12-31T23:59:59.999999Z'],
      [1, 'year', 54, '2024-01-01T00:00:00.000000Z', '2024-12-31T23:59:59.999999Z'],
      [1, 'day', 19723, '2024-01-01T00:00:00.000000Z', '2024-01-01T23:59:59.999999Z'],
      [1, 'hour', 473353, '2024-01-01T01:00:00.000000Z', '2024-01-01T01:59:59.999999Z'],
    ];
    for (const [source, transform, value, first, last] of cases) {
      const at = (op: string, t: string) => may(source, transform, value, `ts ${op} TIMESTAMP '${t}'`);
      expect({ transform, value, inside: [at('>=', first), at('<=', last), at('=', first), at('=', last)] }).toEqual({ transform, value, inside: [true, true, true, true] });
      expect({ transform, value, outside: [at('<', first), at('>', last)] }).toEqual({ transform, value, outside: [false, false] });
    }
    expect([may(2, 'month', 650, "d = DATE '2024-03-31'"), may(2, 'month', 650, "d = DATE '2024-04-01'"), may(2, 'year', 54, "d < DATE '2024-01-01'")]).toEqual([true, false, false]);
    expect([may(3, 'truncate[10]', 20n, 'n = 29'), may(3, 'truncate[10]', 20n, 'n = 30'), may(3, 'truncate[10]', 20n, 'n < 20')]).toEqual([true, false, false]);
    expect([may(3, 'bucket[4]', 1, 'n = 5'), may(1, 'day', null, 'ts IS NULL'), may(1, 'day', null, "ts > TIMESTAMP '2000-01-01T00:00:00Z'")]).toEqual([true, true, false]);
  });

  test('--where skips whole data manifests whose partition summaries in the manifest list rule it out, unread', async () => {
    const manifestsRead = async (where?: string) => {
      const base = storageOf('evolve');
      const read = new Set<string>();
      const counting = Object.assign(Object.create(base) as typeof base, {
        read: (key: string) => { if (/^metadata\/(?!snap-).*\.avro$/.test(key)) read.add(key); return base.read(key); },
      });
      const rows: TableRow[] = [];
      for await (const batch of (await openIcebergTable(counting)).scan(where === undefined ? {} : { where })) rows.push(...batch.rows);
      return { read, rows: canonical(rows.map(jsonLineOfRow)) };
    };
    const all = await manifestsRead();
    const onlyB = await manifestsRead("category = 'b'");
    expect(onlyB.rows).toEqual((all.rows as Array<Record<string, unknown>>).filter((r) => r.category === 'b'));
    expect(onlyB.read.size).toBeGreaterThan(0);
    expect(onlyB.read.size).toBeLessThan(all.read.size);
    expect([...onlyB.read].every((k) => all.read.has(k))).toBe(true);
  });

  test('--where on every prunable type keeps exactly the rows it is true for, and files ruled out by their manifest bounds are never opened', async () => {
    const rowsOf = oracle((expected.types as ExpectedTable).current) as Array<Record<string, unknown>>;
    const cases: Array<[string, (r: Record<string, unknown>) => boolean]> = [
      ['l >= 9223372036854775800', (r) => r.l !== null && BigInt(r.l as bigint) >= 9223372036854775800n],
      ['i < -2147483640', (r) => r.i !== null && (r.i as number) < -2147483640],
      ['dec9 >= -3.05', (r) => r.dec9 !== null && Number(r.dec9) >= -3.05],
      ['dec38 > 1000000000000000000000000000.0000000000', (r) => r.dec38 !== null && (r.dec38 as string).length > 38],
      ["d < DATE '1965-01-01'", (r) => r.d !== null && (r.d as string) < '1965-01-01'],
      ["ts >= TIMESTAMP '2024-02-29T23:59:59.999995'", (r) => r.ts !== null && (r.ts as string) >= '2024-02-29T23:59:59.999995'],
      ["tstz <= TIMESTAMP '1900-01-01T00:00:00.000002Z'", (r) => r.tstz !== null && (r.tstz as string) <= '1900-01-01T00:00:00.000002Z'],
      ["s = 'str-12-é'", (r) => r.s === 'str-12-é'],
      ['b = true AND l IS NOT NULL', (r) => r.b === true],
      ['s IS NULL', (r) => r.s === null],
    ];
    for (const [where, keep] of cases) {
      const rows: TableRow[] = [];
      for await (const batch of (await openIcebergTable(storageOf('types'))).scan({ where })) rows.push(...batch.rows);
      const wanted = rowsOf.filter(keep);
      expect({ where, rows: canonical(rows.map(jsonLineOfRow)) }).toEqual({ where, rows: wanted });
      expect({ where, some: wanted.length > 0 }).toEqual({ where, some: true });
    }
    // Only the data files holding ids from 2^62 (the bucket partitions of one append) are opened: the others' manifest bounds rule them out.
    const base = storageOf('evolve');
    const opened = new Set<string>();
    const counting = Object.assign(Object.create(base) as typeof base, {
      readRange: (key: string, start: number, end: number) => { if (key.endsWith('.parquet')) opened.add(key); return base.readRange(key, start, end); },
    });
    const stats = emptyScanStats();
    const rows: TableRow[] = [];
    const withRows = new Set<string>();
    for await (const batch of (await openIcebergTable(counting)).scan({ where: 'id >= 4611686018427387904', stats })) {
      rows.push(...batch.rows);
      if (batch.rows.length > 0) withRows.add(batch.file);
    }
    expect(rows).toHaveLength(6);
    expect([...opened].sort()).toEqual([...withRows].sort());
    expect(stats.filesTotal).toBeGreaterThan(opened.size);
    expect(stats.filesPrunedByStatistics).toBe(stats.filesTotal - stats.filesPrunedByPartition - opened.size);
  });

  test('promoted columns (int to long, float to double, decimal precision) read old files as the wider type, and their 4-byte bounds still prune', async () => {
    const table = await openIcebergTable(storageOf('promoted'));
    expect(table.schema.fields.map((f) => [f.name, f.type])).toEqual([
      ['a', { kind: 'primitive', name: 'long' }], ['f', { kind: 'primitive', name: 'double' }], ['dc', { kind: 'decimal', precision: 18, scale: 2 }],
    ]);
    const rows = await readRows('promoted');
    expect(rows.find((r) => r.a === 3n)).toEqual({ a: 3n, f: 3.5, dc: '3.25' });
    const read = async (where: string) => {
      const stats = emptyScanStats();
      const out: TableRow[] = [];
      for await (const batch of table.scan({ where, stats })) out.push(...batch.rows);
      return { values: out.map((r) => r.a).sort(), stats };
    };
    const small = await read('a < 2');
    expect(small.values).toEqual([0n, 1n]);
    expect(small.stats.filesPrunedByStatistics).toBe(1);
    const large = await read('a >= 1099511627777');
    expect(large.values).toEqual([2n ** 40n + 1n, 2n ** 40n + 2n]);
    expect(large.stats.filesPrunedByStatistics).toBe(1);
  });
  test('an equality on a bucketed column skips the files of other buckets: murmur3 buckets as pyiceberg computes them', async () => {
    const long: IcebergField = { id: 1, name: 'id', required: true, type: { kind: 'primitive', name: 'long' } };
    const int: IcebergField = { id: 1, name: 'i', required: true, type: { kind: 'primitive', name: 'int' } };
    const str: IcebergField = { id: 1, name: 's', required: true, type: { kind: 'primitive', name: 'string' } };
    // The specification's example (hash of int 34 is 2017239379) and values pyiceberg 0.12.0 (pyiceberg-core) computes.
    expect(murmur3(Buffer.from([34, 0, 0, 0, 0, 0, 0, 0]))).toBe(2017239379);
    expect([bucketOf(long, 2n ** 62n + 3n, 0, 4), bucketOf(str, 'iceberg', 0, 16), bucketOf(int, 34n, 0, 100), bucketOf(str, 'abcd', 0, 1000), bucketOf(str, 'é€𝄞x', 0, 1000)]).toEqual([1, 9, 79, 978, 427]);
    expect(bucketOf(long, 55n, 1, 4)).toBeUndefined(); // 5.5: no bucket
    const stats = emptyScanStats();
    const rows: TableRow[] = [];
    for await (const batch of (await openIcebergTable(storageOf('evolve'))).scan({ where: 'id = 4611686018427387907 OR id IN (4611686018427387904)', stats })) rows.push(...batch.rows);
    expect(rows.map((r) => r.id).sort()).toEqual([2n ** 62n, 2n ** 62n + 3n]);
    const all = emptyScanStats();
    for await (const batch of (await openIcebergTable(storageOf('evolve'))).scan({ where: 'id >= 4611686018427387904 AND id <= 4611686018427387907', stats: all })) void batch;
    // The range prunes by bounds only; the equalities also by bucket (the four bucket files of that append hold one id each or more).
    expect(stats.filesPrunedByPartition).toBeGreaterThan(all.filesPrunedByPartition);
  });
});
