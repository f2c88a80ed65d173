/**
 * `tables discover`'s pure parts: what a folder is from its delimiter listing, the names proposed
 * for what was found, and the config text --apply writes.
 */
import { parseDocument } from 'yaml';
import { ConfigError } from '../../config/errors';
import {
  classifyFolder, dataFormatOf, dataKeyFormat, icebergMetadataFiles, isDeltaLog, newestDeltaVersion, partitionColumnOf, TableFilesTally,
  type FolderListing,
} from '../../tables/discover-classify';
import { addTableEntries, DiscoverApplyError } from '../../tables/discover-config';
import { checkTableEntry, configName, proposeNames } from '../../tables/discover-names';
import type { DiscoveredTable } from '../../tables/discover';

const listing = (files: string[], subfolders: string[] = []): FolderListing => ({ files: files.map((name) => ({ name, size: 10 })), subfolders });

describe('folder classification', () => {
  it('takes a folder holding _delta_log/ for a Delta table to confirm, even beside Iceberg metadata or data files', () => {
    expect(classifyFolder(listing(['part-0.parquet'], ['_delta_log', 'metadata', 'year=2024']))).toEqual({ kind: 'delta-log' });
  });

  it('confirms a Delta log by a commit or any kind of checkpoint, not by checksums or a _last_checkpoint alone', () => {
    expect(isDeltaLog(listing(['00000000000000000000.json']))).toBe(true);
    expect(isDeltaLog(listing(['00000000000000000010.checkpoint.parquet']))).toBe(true);
    expect(isDeltaLog(listing(['00000000000000000010.checkpoint.0000000001.0000000002.parquet']))).toBe(true);
    expect(isDeltaLog(listing(['00000000000000000002.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json']))).toBe(true);
    expect(isDeltaLog(listing(['00000000000000000000.crc', '_last_checkpoint', 'notes.json']))).toBe(false);
    expect(newestDeltaVersion(listing(['00000000000000000000.json', '00000000000000000000.crc', '00000000000000000012.json', '00000000000000000010.checkpoint.parquet']))).toBe(12);
  });

  it('takes a folder holding metadata/ for an Iceberg table to confirm, and orders metadata files by version', () => {
    expect(classifyFolder(listing([], ['data', 'metadata']))).toEqual({ kind: 'iceberg-metadata' });
    expect(icebergMetadataFiles(listing(['v10.metadata.json', 'v2.metadata.json', 'version-hint.text', 'snap-1-1-x.avro']))).toEqual(['v2.metadata.json', 'v10.metadata.json']);
    expect(icebergMetadataFiles(listing(['00001-b.metadata.json', '00000-a.metadata.json', '00002-c.gz.metadata.json']))).toEqual(['00000-a.metadata.json', '00001-b.metadata.json', '00002-c.gz.metadata.json']);
    expect(icebergMetadataFiles(listing(['0001.avro', 'readme.json']))).toEqual([]);
  });

  it('takes a folder of Parquet or Avro files, or of hive partition folders, for a data table', () => {
    expect(classifyFolder(listing(['a.parquet', '_SUCCESS'], ['_temporary', 'extra']))).toEqual({ kind: 'data' });
    expect(classifyFolder(listing([], ['year=2023', 'year=2024', '.hidden']))).toEqual({ kind: 'data' });
    expect(classifyFolder(listing(['x.AVRO']))).toEqual({ kind: 'data' });
    expect(classifyFolder(listing([], ['_x=1']))).toEqual({ kind: 'none', subfolders: [] });
  });

  it('walks on through a folder without table files, leaving hidden folders out', () => {
    expect(classifyFolder(listing(['readme.md', 'data.csv', '_x.parquet'], ['orders', '_tmp', '.git', '=odd']))).toEqual({ kind: 'none', subfolders: ['orders', '=odd'] });
  });

  it('tells data files by name, never hidden ones', () => {
    expect([dataFormatOf('p.snappy.parquet'), dataFormatOf('e.avro'), dataFormatOf('_SUCCESS'), dataFormatOf('.p.parquet.crc'), dataFormatOf('.x.parquet'), dataFormatOf('d.csv')])
      .toEqual(['parquet', 'avro', undefined, undefined, undefined, undefined]);
    expect(partitionColumnOf('event%20day=2024-01-01')).toBe('event day');
  });
});

describe('a data table\'s recursive listing', () => {
  it('counts the files its reader reads, with hive partition columns in the order first seen', () => {
    const tally = new TableFilesTally();
    for (const key of ['year=2024/month=1/a.parquet', 'year=2024/month=1/_SUCCESS', 'year=2023/b.parquet', '_temporary/0/c.parquet',
      'year=2024/.d.parquet.crc', 'extra/region=eu/e.parquet', 'notes.txt']) tally.add(key, 100);
    expect({ files: tally.files, bytes: tally.bytes, formats: Object.fromEntries(tally.formats), partitionColumns: tally.partitionColumns, nested: tally.nestedTable })
      .toEqual({ files: 3, bytes: 300, formats: { parquet: 3 }, partitionColumns: ['year', 'month', 'region'], nested: undefined });
    expect([dataKeyFormat('_x=1/a.avro'), dataKeyFormat('_tmp/a.avro'), dataKeyFormat('a/b.avro')]).toEqual(['avro', undefined, 'avro']);
  });

  it('notices a Delta or Iceberg table inside, whose files would be read as its own', () => {
    const delta = new TableFilesTally();
    for (const key of ['top.parquet', 'inner/_delta_log/00000000000000000000.json', 'inner/part-0.parquet']) delta.add(key, 1);
    expect(delta.nestedTable).toBe('inner/');
    const iceberg = new TableFilesTally();
    for (const key of ['a.avro', 'x/y/metadata/00000-a.metadata.json', 'x/y/data/f.parquet']) iceberg.add(key, 1);
    expect(iceberg.nestedTable).toBe('x/y/');
    const plain = new TableFilesTally();
    plain.add('metadata/notes.json', 1);
    plain.add('_delta_log/readme.txt', 1);
    expect(plain.nestedTable).toBeUndefined();
  });
});

const found = (location: string, format: DiscoveredTable['format'] = 'parquet'): DiscoveredTable => ({ format, location, foundBy: ['s3-walk'], complete: true });

describe('proposed names', () => {
  it('names a table after its folder, then its parent and folder, then with a number, never reusing a configured name', () => {
    const proposals = proposeNames('src', [found('a/orders/'), found('b/orders/'), found('c/b_orders/'), found('d/b/orders/')], {
      orders: { source: 'src', format: 'delta', location: 'elsewhere/' },
    });
    expect(proposals.map((p) => p.name)).toEqual(['a_orders', 'b_orders', 'c_b_orders', 'orders_2']);
    expect(proposals.every((p) => !p.configured && p.source === 'src')).toBe(true);
  });

  it('marks a table the config already has (same source and folder) as configured under its name', () => {
    const [p] = proposeNames('src', [found('lake/t/', 'delta')], { mine: { source: 'src', format: 'delta', location: 'lake/t' } });
    expect(p).toMatchObject({ name: 'mine', configured: true });
    const [other] = proposeNames('src2', [found('lake/t/', 'delta')], { mine: { source: 'src', format: 'delta', location: 'lake/t' } });
    expect(other).toMatchObject({ name: 't', configured: false });
  });

  it('makes valid config names of any folder name', () => {
    expect(configName('Sales Data (2024)')).toBe('Sales_Data_2024');
    expect(configName('__weird..')).toBe('weird');
    expect(configName('ns.db')).toBe('ns.db');
    expect(configName('日本')).toBe('table');
    expect(configName('x'.repeat(200))).toHaveLength(128);
    expect(proposeNames('src', [found('')], {})[0]!.name).toBe('src');
  });
});

describe('a table entry a worker receives with a registration', () => {
  it('passes the rules of the config schema and is refused otherwise, naming each problem', () => {
    expect(() => checkTableEntry('events', { source: 'src', format: 'avro', location: 'lake/events/' })).not.toThrow();
    expect(() => checkTableEntry('../x', { source: 'src', format: 'avro', location: '/abs/' })).toThrow('table entry ../x: name "../x" is not a valid config name; location is not a relative folder without ".."');
    expect(() => checkTableEntry('t', { source: 'src', format: 'orc' as 'avro', location: 'a/../b/' })).toThrow(/format orc is not one of .*; location is not a relative folder/);
    expect(() => checkTableEntry('t', { source: 'src', format: 'iceberg', location: 'x/', identifier: 'db.t' })).toThrow('table entry t: has both location and identifier; an entry has one');
    expect(() => checkTableEntry('t', { source: 'src', format: 'iceberg', identifier: 'db.t' })).not.toThrow();
    expect(() => checkTableEntry('t', { source: 'src', format: 'delta', identifier: 'db..t' })).toThrow('table entry t: identifier is not dotted parts without an empty one; identifier (a catalog table) needs format iceberg');
  });
});

describe('the config text --apply writes', () => {
  const text = [
    '# my connector',
    'sources:',
    '  src:',
    '    url: s3://bucket/    # the lake',
    '    endpoint: http://127.0.0.1:9000',
    '    credentials: { type: accessKey, accessKeyId: "${env:K}", secretAccessKey: "${env:S}" }',
    '',
    '# tables I added by hand',
    'virtualTables:',
    '  mine:   # by hand',
    '    source: src',
    '    format: delta',
    '    location: lake/mine/  # keep me',
    '',
  ].join('\n');
  const proposal = (name: string, location: string, configured = false) => ({ ...found(location, 'avro'), name, source: 'src', configured });

  it('adds entries after the existing ones, keeping every other byte: comments, their places and spacing', () => {
    const { text: out, added } = addTableEntries(text, [proposal('events', 'lake/events/'), proposal('mine', 'lake/mine/', true)]);
    expect(added).toEqual(['events']);
    expect(out.startsWith(text.trimEnd())).toBe(true);
    expect(out.slice(text.trimEnd().length)).toBe('\n  events:\n    source: src\n    format: avro\n    location: lake/events/\n');
    expect(parseDocument(out).toJS()).toMatchObject({ virtualTables: { mine: { location: 'lake/mine/' }, events: { source: 'src', format: 'avro', location: 'lake/events/' } } });
  });

  it('inserts the entries inside virtualTables: when other sections and comments follow it', () => {
    const withSyncs = `${text}\n# jobs\nsyncs: {}   # none yet\n`;
    const { text: out } = addTableEntries(withSyncs, [proposal('events', 'lake/events/')]);
    expect(out).toBe(withSyncs.replace('# keep me\n', '# keep me\n  events:\n    source: src\n    format: avro\n    location: lake/events/\n'));
  });

  it('creates virtualTables: when the config has none, or an empty one (through the Document API)', () => {
    const bare = '# c\nsources:\n  src:\n    url: s3://bucket/\n    endpoint: http://127.0.0.1:9000\n    credentials: { type: accessKey, accessKeyId: "${env:K}", secretAccessKey: "${env:S}" }\n';
    expect(addTableEntries(bare, [proposal('t', 'x/')]).text).toBe(`${bare}virtualTables:\n  t:\n    source: src\n    format: avro\n    location: x/\n`);
    expect(addTableEntries(`${bare}virtualTables: {}\n`, [proposal('t', 'x/')]).text).toBe(`${bare}virtualTables:\n  t:\n    source: src\n    format: avro\n    location: x/\n`);
  });

  it('refuses to replace an existing entry, and to write a config that would not load', () => {
    expect(() => addTableEntries(text, [proposal('mine', 'other/')])).toThrow(DiscoverApplyError);
    expect(() => addTableEntries(text, [{ ...proposal('t', 'x/'), source: 'nosuch' }])).toThrow(ConfigError);
  });
});
