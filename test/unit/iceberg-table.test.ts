/**
 * The Iceberg reader (tables/iceberg/) on tables written by pyiceberg 0.12.0, the reference
 * writer, into a local warehouse (scripts/fixtures/make_iceberg_tables.py, run into a temp
 * folder): every snapshot of every table read and compared row by row with pyiceberg's own
 * reading of the same snapshot (table.scan(snapshot_id=...).to_arrow()), and the current
 * snapshots with DuckDB 1.5.5's iceberg_scan, a second reader. `--where` is iceberg-where.test.ts.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { icebergFixtures, type ExpectedTable } from '../harness/iceberg-fixtures';
import { tempDir } from '../harness/temp-dir';
import { LocalTableStorage } from '../../tables/storage-local';
import { TableOutsideRootError } from '../../tables/storage';
import { jsonLineOfRow } from '../../tables/serialize';
import { currentMetadataKey, readMetadataFile, icebergHistory, IcebergSnapshotNotFoundError, IcebergUnsupportedError, openIcebergTable } from '../../tables/iceberg';
import { parseTableMetadata } from '../../tables/iceberg/metadata';
import { readAvroObjects } from '../../tables/iceberg/avro-objects';
import { gzipSync } from 'node:zlib';
import type { TableRow } from '../../tables/table-reader';

const { expected, folderOf, storageOf, canonical, readRows, oracle } = icebergFixtures();

describe('Iceberg tables written by pyiceberg', () => {
  test.each(['evolve', 'types', 'v1', 'deletes', 'migrated', 'projected', 'promoted'])('every snapshot of table %s reads as pyiceberg reads it (deletes: equality-delete snapshots by the spec\'s rules), row for row', async (name) => {
    const t = expected[name] as ExpectedTable;
    expect(t.snapshots.length).toBeGreaterThanOrEqual(2);
    for (const s of t.snapshots) {
      const rows = await readRows(name, { snapshotId: BigInt(s.id) });
      expect({ snapshot: s.id, rows: canonical(rows.map(jsonLineOfRow)) }).toEqual({ snapshot: s.id, rows: oracle(s.rows) });
    }
    const current = await readRows(name);
    expect(canonical(current.map(jsonLineOfRow))).toEqual(oracle(t.current));
  });

  test('the current snapshots read as DuckDB 1.5.5 reads them too, but for its equality delete applied across partitions and the zstandard manifests it cannot read', async () => {
    for (const name of ['evolve', 'types', 'v1', 'migrated', 'promoted']) {
      expect({ name, rows: canonical((await readRows(name)).map(jsonLineOfRow)) }).toEqual({ name, rows: oracle((expected[name] as ExpectedTable).duckdbCurrent) });
    }
    // The spec applies an equality delete to data files of its own partition only (or to all when it is
    // unpartitioned); DuckDB's iceberg_scan also drops (2, a), which is in partition k=a.
    const ours = canonical((await readRows('deletes')).map(jsonLineOfRow));
    const duck = oracle((expected.deletes as ExpectedTable).duckdbCurrent);
    expect(ours.filter((r) => !duck.some((d) => JSON.stringify(d) === JSON.stringify(r)))).toEqual([{ id: 2, k: 'a', v: 'v2' }]);
    expect(duck.every((d) => ours.some((r) => JSON.stringify(d) === JSON.stringify(r)))).toBe(true);
    // DuckDB's Avro reader has no zstandard codec: it cannot read the projected table's manifests, which this reader reads.
    expect((expected.projected as ExpectedTable).duckdbError).toMatch(/unknown codec/);
  });

  test('position deletes apply to their data file, equality deletes only to older data in their partition', async () => {
    const t = expected.deletes as ExpectedTable;
    const [, posDeleted, , eqDeleted] = t.snapshots as Array<ExpectedTable['snapshots'][number]>;
    const files = await (await openIcebergTable(storageOf('deletes'), { snapshotId: BigInt(eqDeleted!.id) })).files();
    expect(files.map((f) => f.content).sort()).toEqual(['data', 'data', 'data', 'data', 'equality-deletes', 'position-deletes']);
    const ids = (rows: TableRow[]) => rows.map((r) => `${String(r.id)}${String(r.k)}`).sort();
    expect(ids(await readRows('deletes', { snapshotId: BigInt(posDeleted!.id) }))).toEqual(['2a', '4b', '5b', '6b']);
    // (2, b) and (5, b) are deleted; (2, a) is in another partition; the (5, b) appended after the delete stays.
    expect(ids(await readRows('deletes', { snapshotId: BigInt(eqDeleted!.id) }))).toEqual(['2a', '4b', '6b', '7a']);
    expect(ids(await readRows('deletes'))).toEqual(['2a', '4b', '5b', '6b', '7a']);
  });

  test('an identity partition column a data file does not store reads as the manifest\'s partition value', async () => {
    const rows = await readRows('projected');
    expect(rows.filter((r) => r.k === 'from-manifest').map((r) => r.id)).toEqual([2n ** 53n + 10n, 2n ** 53n + 11n]);
  });

  test('manifest lists and manifests in the deflate, zstandard and null codecs are read (the tables read above use them)', async () => {
    const codecs: Record<string, string[]> = {};
    for (const name of ['evolve', 'projected', 'promoted']) {
      const table = await openIcebergTable(storageOf(name));
      const list = await readAvroObjects(storageOf(name), storageOf(name).keyOfUri(table.snapshot?.manifestList as string), 'manifest list');
      const manifest = await readAvroObjects(storageOf(name), storageOf(name).keyOfUri(list.records[0]?.manifest_path as string), 'manifest');
      codecs[name] = [list.metadata.get('avro.codec') ?? 'null', manifest.metadata.get('avro.codec') ?? 'null'];
    }
    expect(codecs).toEqual({ evolve: ['deflate', 'deflate'], projected: ['zstandard', 'zstandard'], promoted: ['null', 'null'] });
  });

  test('a table without snapshots has no rows and no files', async () => {
    const t = expected.evolve as ExpectedTable;
    const first = readdirSync(join(folderOf('evolve'), 'metadata')).filter((f) => /^00000-.*\.metadata\.json$/.test(f));
    expect(first).toHaveLength(1);
    const table = await openIcebergTable(storageOf('evolve'), { metadataKey: `metadata/${first[0] as string}` });
    expect(table.snapshot).toBeUndefined();
    expect(await table.describe()).toMatchObject({ fileCount: 0, bytes: 0 });
    const rows: TableRow[] = [];
    for await (const batch of table.scan()) rows.push(...batch.rows);
    expect(rows).toEqual([]);
    expect(t.snapshots.length).toBeGreaterThan(0);
  });

  test('a data file without field ids reads through the name mapping, and is refused without one', async () => {
    const table = await openIcebergTable(storageOf('migrated'));
    const rows = await readRows('migrated');
    expect(rows).toContainEqual({ id: 2n ** 53n + 1n, full_name: 'plain', inner: { x: 1, y: 'a' } });
    const text = readFileSync(join(folderOf('migrated'), table.metadataKey), 'utf8');
    const unmapped = text.replace(/"schema\.name-mapping\.default":\s*"(?:[^"\\]|\\.)*",?/, '');
    expect(unmapped).not.toContain('name-mapping');
    writeFileSync(join(folderOf('migrated'), 'metadata', 'unmapped.json'), unmapped);
    const refused = await openIcebergTable(storageOf('migrated'), { metadataKey: 'metadata/unmapped.json' });
    await expect((async () => { for await (const batch of refused.scan()) void batch; })()).rejects.toThrow(/field ids in every data file \(the table has no schema.name-mapping.default/);
  });

  test('the current metadata file is the newest <N>-<uuid>.metadata.json, and 64-bit snapshot ids stay exact', async () => {
    const t = expected.evolve as ExpectedTable;
    const key = await currentMetadataKey(storageOf('evolve'));
    expect(fileURLToPath(t.metadataLocation)).toBe(join(folderOf('evolve'), key));
    const table = await openIcebergTable(storageOf('evolve'));
    expect(String(table.snapshot?.snapshotId)).toBe(t.currentSnapshotId);
    expect(table.metadata.snapshots.map((s) => String(s.snapshotId))).toEqual(t.snapshots.map((s) => s.id));
    expect(table.metadata.snapshots.map((s) => Number(s.sequenceNumber))).toEqual(t.snapshots.map((s) => s.sequenceNumber));
  });

  test('a renamed, a dropped and an added column read by field id: the current schema, old files null in the new column', async () => {
    const table = await openIcebergTable(storageOf('evolve'));
    expect(table.schema.fields.map((f) => [f.name, f.type, f.nullable, f.fieldId])).toEqual([
      ['id', { kind: 'primitive', name: 'long' }, false, 1],
      ['full_name', { kind: 'primitive', name: 'string' }, true, 2],
      ['category', { kind: 'primitive', name: 'string' }, true, 4],
      ['ts', { kind: 'primitive', name: 'timestamp' }, true, 5],
      ['extra', { kind: 'primitive', name: 'integer' }, true, 6],
    ]);
    const rows = await readRows('evolve');
    const old = rows.find((r) => r.id === 2n ** 53n + 2n);
    expect(old).toEqual({ id: 2n ** 53n + 2n, full_name: 'n2', category: 'a', ts: '2024-01-03T12:00:00.123458Z', extra: null });
    expect(rows.some((r) => r.id === 2n ** 53n + 1n)).toBe(false); // deleted by the copy-on-write delete
    const first = await openIcebergTable(storageOf('evolve'), { ref: 'first' });
    expect(first.schema.fields.map((f) => f.name)).toEqual(['id', 'name', 'price', 'category', 'ts']);
  });

  test('time travel by tag, branch and time reads the snapshots pyiceberg reads for them', async () => {
    const t = expected.evolve as ExpectedTable;
    for (const [ref, r] of Object.entries(t.refs)) {
      const table = await openIcebergTable(storageOf('evolve'), { ref });
      expect(String(table.snapshot?.snapshotId)).toBe(r.snapshotId);
      expect(canonical((await readRows('evolve', { ref })).map(jsonLineOfRow))).toEqual(oracle(r.rows));
    }
    // The main-branch snapshots in time order: each is current from its timestamp until the next one's.
    const main = t.snapshots.filter((s) => s.id !== t.refs.side?.snapshotId);
    for (const s of main) {
      const table = await openIcebergTable(storageOf('evolve'), { asOfMs: s.timestampMs });
      expect(String(table.snapshot?.snapshotId)).toBe(s.id);
    }
    await expect(openIcebergTable(storageOf('evolve'), { asOfMs: (main[0] as { timestampMs: number }).timestampMs - 1 })).rejects.toThrow(IcebergSnapshotNotFoundError);
    await expect(openIcebergTable(storageOf('evolve'), { ref: 'nope' })).rejects.toThrow(/no branch or tag named "nope" \(refs: first, main, side\)/);
    await expect(openIcebergTable(storageOf('evolve'), { snapshotId: 12345n })).rejects.toThrow(/snapshot 12345 is not among the table's snapshots/);
  });

  test('every primitive type maps onto the common table types', async () => {
    const table = await openIcebergTable(storageOf('types'));
    const p = (name: string) => ({ kind: 'primitive', name });
    expect(table.schema.fields.map((f) => [f.name, f.type])).toEqual([
      ['b', p('boolean')], ['i', p('integer')], ['l', p('long')], ['f', p('float')], ['dbl', p('double')],
      ['dec9', { kind: 'decimal', precision: 9, scale: 2 }], ['dec38', { kind: 'decimal', precision: 38, scale: 10 }],
      ['d', p('date')], ['tm', p('long')], ['ts', p('timestamp_ntz')], ['tstz', p('timestamp')], ['s', p('string')],
      ['u', p('string')], ['fx', p('binary')], ['bin', p('binary')],
    ]);
    const described = await table.describe();
    expect(described.partitionColumns).toEqual(['d']);
    expect(described.fileCount).toBeGreaterThanOrEqual(2);
  });

  test('history lists the snapshots newest first with ids, times, operations and refs', () => {
    const t = expected.evolve as ExpectedTable;
    const metadata = parseTableMetadata(readFileSync(fileURLToPath(t.metadataLocation), 'utf8'), 'evolve');
    const history = icebergHistory(metadata);
    expect(history.map((h) => h.snapshotId)).toEqual([...t.snapshots].reverse().map((s) => s.id));
    expect(history.map((h) => h.operation)).toEqual([...t.snapshots].reverse().map((s) => s.operation));
    expect(history.find((h) => h.current)?.refs).toEqual(['main']);
    expect(history.find((h) => h.snapshotId === t.refs.first?.snapshotId)?.refs).toEqual(['first']);
  });
});

describe('Iceberg metadata and safety', () => {
  test('version-hint.text, then the highest vN.metadata.json, name the current metadata', async () => {
    const dir = tempDir('iceberg-hint-');
    mkdirSync(join(dir, 'metadata'));
    const metadataDir = join(folderOf('v1'), 'metadata');
    const files = readdirSync(metadataDir).filter((f) => f.endsWith('.metadata.json')).sort();
    files.forEach((f, i) => copyFileSync(join(metadataDir, f), join(dir, 'metadata', `v${i + 1}.metadata.json`)));
    expect(await currentMetadataKey(new LocalTableStorage(dir))).toBe(`metadata/v${files.length}.metadata.json`);
    writeFileSync(join(dir, 'metadata', 'version-hint.text'), '2\n');
    expect(await currentMetadataKey(new LocalTableStorage(dir))).toBe('metadata/v2.metadata.json');
    rmSync(join(dir, 'metadata', 'v2.metadata.json'));
    await expect(currentMetadataKey(new LocalTableStorage(dir))).rejects.toThrow(/names version 2, but there is no metadata\/v2.metadata.json/);
  });

  test('a format 1 snapshot that lists its manifests instead of a manifest list reads the same rows', async () => {
    const t = expected.v1 as ExpectedTable;
    const table = await openIcebergTable(storageOf('v1'));
    const list = await readAvroObjects(storageOf('v1'), storageOf('v1').keyOfUri(table.snapshot?.manifestList as string), 'manifest list');
    const paths = list.records.map((r) => r.manifest_path as string);
    const json = JSON.parse(readFileSync(join(folderOf('v1'), table.metadataKey), 'utf8')) as { snapshots: Array<Record<string, unknown>> };
    // The current snapshot's manifest-list replaced by the manifests it lists (a format 1 option).
    const text = readFileSync(join(folderOf('v1'), table.metadataKey), 'utf8')
      .split(JSON.stringify(table.snapshot?.manifestList)).join('')
      .replace(/"manifest-list":\s*,/, `"manifests": ${JSON.stringify(paths)},`);
    expect(json.snapshots.length).toBeGreaterThan(0);
    expect(text).toContain('"manifests": [');
    writeFileSync(join(folderOf('v1'), 'metadata', 'listed.json'), text);
    const rows: TableRow[] = [];
    for await (const batch of (await openIcebergTable(storageOf('v1'), { metadataKey: 'metadata/listed.json' })).scan()) rows.push(...batch.rows);
    expect(canonical(rows.map(jsonLineOfRow))).toEqual(oracle(t.current));
  });

  test('gzipped metadata (vN.gz.metadata.json) is found and read', async () => {
    const dir = tempDir('iceberg-gz-');
    mkdirSync(join(dir, 'metadata'));
    const source = readFileSync(fileURLToPath((expected.v1 as ExpectedTable).metadataLocation));
    writeFileSync(join(dir, 'metadata', 'v1.metadata.json'), source);
    writeFileSync(join(dir, 'metadata', 'v2.gz.metadata.json'), gzipSync(source));
    const storage = new LocalTableStorage(dir);
    const key = await currentMetadataKey(storage);
    expect(key).toBe('metadata/v2.gz.metadata.json');
    expect(String((await readMetadataFile(storage, key)).currentSnapshotId)).toBe((expected.v1 as ExpectedTable).currentSnapshotId);
  });

  test('64-bit ids are parsed exactly and format version 3 is refused naming the version', () => {
    const base = { 'format-version': 2, location: 's3://b/t', 'current-schema-id': 0, schemas: [{ type: 'struct', 'schema-id': 0, fields: [] }], 'partition-specs': [{ 'spec-id': 0, fields: [] }], 'default-spec-id': 0 };
    const text = JSON.stringify(base).replace(/}$/, ',"current-snapshot-id":9223372036854775807,"snapshots":[{"snapshot-id":9223372036854775807,"sequence-number":9007199254740993,"timestamp-ms":1,"manifest-list":"s3://b/t/m.avro"}]}');
    const m = parseTableMetadata(text, 'meta');
    expect(m.currentSnapshotId).toBe(9223372036854775807n);
    expect(m.snapshots[0]?.sequenceNumber).toBe(9007199254740993n);
    expect(() => parseTableMetadata(JSON.stringify({ ...base, 'format-version': 3 }), 'meta')).toThrow(IcebergUnsupportedError);
    expect(() => parseTableMetadata(JSON.stringify({ ...base, 'format-version': 3 }), 'meta')).toThrow(/format-version 3/);
  });

  test('a data file outside the table root is refused, never read', async () => {
    // The table's folder seen from one level down: every path in its manifests lies outside that root.
    const storage = new LocalTableStorage(join(folderOf('v1'), 'metadata'));
    const key = (await currentMetadataKey(storageOf('v1'))).slice('metadata/'.length);
    const moved = tempDir('iceberg-outside-');
    mkdirSync(join(moved, 'metadata'));
    copyFileSync(join(folderOf('v1'), 'metadata', key), join(moved, 'metadata', key));
    await expect(openIcebergTable(new LocalTableStorage(moved)).then((t) => t.describe())).rejects.toThrow(TableOutsideRootError);
    expect(storage.location).toContain('metadata');
  });
});
