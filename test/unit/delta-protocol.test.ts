/**
 * The reader side of the Delta protocol: tables needing a feature this reader lacks are refused
 * naming it; column mapping is honoured only where the protocol supports it; type changes are
 * checked; partition values and statistics are typed exactly.
 */
import { goldenTable } from '../harness/delta-fixtures';
import { add, metadata, protocol, syntheticTable } from '../harness/delta-synthetic';
import { LocalTableStorage } from '../../tables/storage-local';
import { loadDeltaSnapshot, DeltaTableError, DeltaUnsupportedFeatureError } from '../../tables/delta';
import { parsePartitionValue } from '../../tables/delta/partition-values';
import { parseStatsJson } from '../../tables/delta/stats';
import { parseSchema, type DeltaType } from '../../tables/delta/schema';
import { formatTimestampMicros, parseDecimalUnscaled, parseTimestampMicros } from '../../tables/delta/values';

async function refusal(root: string): Promise<DeltaUnsupportedFeatureError> {
  const err = await loadDeltaSnapshot(new LocalTableStorage(root)).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DeltaUnsupportedFeatureError);
  return err as DeltaUnsupportedFeatureError;
}

const field = (name: string, type: unknown, meta: Record<string, unknown> = {}) => ({ name, type, nullable: true, metadata: meta });

describe('Delta protocol checks', () => {
  test('a table needing geospatial or variant types is refused naming the feature', async () => {
    expect((await refusal(goldenTable('table-with-geo'))).feature).toBe('geospatial');
    const variant = await refusal(goldenTable('unshredded-variant'));
    expect(variant.feature).toBe('variantType-preview');
    expect(variant.message).toMatch(/variantType-preview.*refused rather than read wrong/);
  });

  test.each([
    [protocol(4), 'readerVersion 4'],
    [protocol(3, ['deletionVectors', 'catalogManaged']), 'catalogManaged'],
    [protocol(3, ['rowTracking2']), 'rowTracking2'],
  ])('protocol %j is refused naming %s', async (p, feature) => {
    expect((await refusal(syntheticTable([[p, metadata(), add('a.parquet')]]))).feature).toBe(feature);
  });

  test('reader version 3 without a readerFeatures list is an invalid table', async () => {
    const root = syntheticTable([[{ protocol: { minReaderVersion: 3, minWriterVersion: 7 } }, metadata()]]);
    await expect(loadDeltaSnapshot(new LocalTableStorage(root))).rejects.toThrow(DeltaTableError);
  });

  test('column mapping is honoured by reader version 2 and the columnMapping feature, ignored otherwise', async () => {
    const cm = { 'delta.columnMapping.mode': 'name' };
    const mode = async (p: Record<string, unknown>) => (await loadDeltaSnapshot(new LocalTableStorage(syntheticTable([[p, metadata(cm)]])))).columnMappingMode;
    expect(await mode(protocol(2))).toBe('name');
    expect(await mode(protocol(3, ['columnMapping']))).toBe('name');
    expect(await mode(protocol(3, ['deletionVectors']))).toBe('none');
    expect(await mode(protocol(1))).toBe('none');
    for (const m of ['id', 'name', 'none']) {
      const snapshot = await loadDeltaSnapshot(new LocalTableStorage(`${goldenTable('partition_cm')}/${m}`));
      expect(snapshot.columnMappingMode).toBe(m);
      expect(snapshot.partitionFields[0]?.physicalName).toEqual(m === 'none' ? 'category' : expect.stringMatching(/^col-/));
    }
  });

  test('a recorded type change that is no widening is refused; without the typeWidening feature any is', async () => {
    const changed = (from: string, to: string) => [field('value', to, { 'delta.typeChanges': [{ fromType: from, toType: to }] })];
    const widening = protocol(3, ['typeWidening']);
    expect((await refusal(syntheticTable([[widening, metadata({}, changed('integer', 'string'))]]))).feature).toBe('typeWidening integer -> string');
    expect((await refusal(syntheticTable([[widening, metadata({}, changed('decimal(10,2)', 'decimal(11,4)'))]]))).feature).toBe('typeWidening decimal(10,2) -> decimal(11,4)');
    expect((await refusal(syntheticTable([[protocol(1), metadata({}, changed('integer', 'long'))]]))).feature).toBe('typeWidening');
    await expect(loadDeltaSnapshot(new LocalTableStorage(syntheticTable([[widening, metadata({}, changed('integer', 'long'))]])))).resolves.toBeDefined();
  });

  test('a column of a type the reader does not know is refused naming the type', async () => {
    const root = syntheticTable([[protocol(), metadata({}, [field('i', 'interval')])]]);
    expect((await refusal(root)).feature).toBe('type interval');
  });
});

describe('Delta values', () => {
  const t = (json: unknown): DeltaType => parseSchema(JSON.stringify({ type: 'struct', fields: [field('x', json)] })).fields[0]!.type;

  test('partition values are typed from their strings, the empty string and null being null', () => {
    expect(parsePartitionValue('9223372036854775807', t('long'), 'x')).toBe(9223372036854775807n);
    expect(parsePartitionValue('-12', t('integer'), 'x')).toBe(-12);
    expect(parsePartitionValue('1.5', t('double'), 'x')).toBe(1.5);
    expect(parsePartitionValue('true', t('boolean'), 'x')).toBe(true);
    expect(parsePartitionValue('2024-02-29', t('date'), 'x')).toBe('2024-02-29');
    expect(parsePartitionValue('234.00000', t('decimal(10,5)'), 'x')).toBe('234.00000');
    expect(parsePartitionValue('0.5', t('decimal(4,2)'), 'x')).toBe('0.50');
    expect(parsePartitionValue('2013-07-05 17:01:00.123456', t('timestamp_ntz'), 'x')).toBe('2013-07-05T17:01:00.123456');
    expect(parsePartitionValue('1970-01-01 00:00:00', t('timestamp'), 'x')).toBe('1970-01-01T00:00:00.000000Z');
    expect(parsePartitionValue('1971-07-22T03:06:40.000000Z', t('timestamp'), 'x')).toBe('1971-07-22T03:06:40.000000Z');
    expect(parsePartitionValue('\u0001\u0002', t('binary'), 'x')).toEqual(new Uint8Array([1, 2]));
    expect(parsePartitionValue('', t('string'), 'x')).toBeNull();
    expect(parsePartitionValue(null, t('long'), 'x')).toBeNull();
    expect(() => parsePartitionValue('1.234', t('decimal(4,2)'), 'x')).toThrow(/more than 2 fraction digits/);
    expect(() => parsePartitionValue('yes', t('boolean'), 'x')).toThrow(/partition column x/);
  });

  test('timestamps keep their microseconds, before 1970 too, and offsets are applied', () => {
    expect(formatTimestampMicros(parseTimestampMicros('1969-12-31T23:59:59.999999Z'), true)).toBe('1969-12-31T23:59:59.999999Z');
    expect(parseTimestampMicros('2023-05-31T20:58:33.633+02:00')).toBe(parseTimestampMicros('2023-05-31T18:58:33.633Z'));
    expect(() => parseTimestampMicros('2023-05-31T18:58:33.6330001Z')).toThrow(/finer than microseconds/);
    expect(parseDecimalUnscaled('-1.5E2', 1)).toBe(-1500n);
  });

  test('statistics keep longs and decimals exact and use logical names under column mapping', () => {
    const schema = parseSchema(JSON.stringify({ type: 'struct', fields: [
      field('big', 'long', { 'delta.columnMapping.physicalName': 'col-1' }),
      field('price', 'decimal(38,18)'),
      field('at', 'timestamp'),
      field('s', { type: 'struct', fields: [field('n', 'integer')] }),
    ] }));
    const stats = parseStatsJson('{"numRecords":3,"minValues":{"col-1":9007199254740993,"price":12345678901234567890.123456789012345678,'
      + '"at":"2023-05-31T18:58:33.633Z","s":{"n":-1}},"maxValues":{"col-1":9223372036854775807},"nullCount":{"col-1":0,"s":{"n":2}},"tightBounds":false}', schema);
    expect(stats).toEqual({
      numRecords: 3, tightBounds: false,
      minValues: { big: 9007199254740993n, price: '12345678901234567890.123456789012345678', at: '2023-05-31T18:58:33.633000Z', s: { n: -1 } },
      maxValues: { big: 9223372036854775807n }, nullCount: { big: 0, s: { n: 2 } },
    });
    expect(parseStatsJson('not json', schema)).toBeUndefined();
  });
});
