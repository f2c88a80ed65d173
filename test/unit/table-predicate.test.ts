/**
 * The `--where` language (tables/predicate/): parsing, typing against a schema, row evaluation
 * with SQL's null semantics and exact values, and the pruning decisions made from partition
 * values and statistics.
 */
import type { DeltaField, DeltaStructType, DeltaType } from '../../tables/delta/schema';
import { compileWhere, mayMatch, PredicateError, type ColumnSummary } from '../../tables/predicate';
import { parsePredicate } from '../../tables/predicate/parse';
import { compareCodePoints } from '../../tables/predicate/keys';
import { deltaStatsSummaries } from '../../tables/predicate/summaries';
import type { TableValue } from '../../tables/values';

const field = (name: string, type: DeltaType): DeltaField => ({ name, type, nullable: true, metadata: {}, physicalName: name });
const p = (name: string) => ({ kind: 'primitive' as const, name: name as 'long' });
const schema: DeltaStructType = {
  kind: 'struct',
  fields: [
    field('id', p('long')), field('n', p('integer')), field('price', { kind: 'decimal', precision: 24, scale: 4 }),
    field('name', p('string')), field('at', p('timestamp')), field('local', p('timestamp_ntz')), field('d', p('date')),
    field('ok', p('boolean')), field('score', p('double')), field('bin', p('binary')),
    field('point', { kind: 'struct', fields: [field('x', p('integer')), field('label', p('string'))] }),
    field('tags', { kind: 'array', elementType: p('string'), containsNull: true }),
  ],
};
const where = (text: string) => compileWhere(text, schema, 's3://b/t/');
const keeps = (text: string, row: Record<string, TableValue>) => where(text).matches(row);

describe('parsing --where', () => {
  it('reads comparisons, IN, BETWEEN, IS NULL, NOT, AND before OR, and parentheses', () => {
    expect(parsePredicate('a = 1 OR b = 2 AND NOT c IS NULL')).toEqual({
      kind: 'or',
      left: { kind: 'compare', op: '=', column: { path: ['a'], text: 'a' }, literal: { kind: 'integer', value: 1n, text: '1' } },
      right: {
        kind: 'and',
        left: { kind: 'compare', op: '=', column: { path: ['b'], text: 'b' }, literal: { kind: 'integer', value: 2n, text: '2' } },
        right: { kind: 'not', expr: { kind: 'isNull', column: { path: ['c'], text: 'c' }, negated: false } },
      },
    });
    expect(parsePredicate('(a <> -1.50)')).toMatchObject({ op: '!=', literal: { kind: 'decimal', unscaled: -150n, scale: 2 } });
    expect(parsePredicate('5 < a')).toMatchObject({ op: '>', column: { path: ['a'] } });
    expect(parsePredicate('a NOT IN (1, NULL)')).toMatchObject({ kind: 'not', expr: { kind: 'in', literals: [{ kind: 'integer' }, { kind: 'null' }] } });
    expect(parsePredicate('"odd ""name""".x IS NOT NULL')).toMatchObject({ kind: 'isNull', negated: true, column: { path: ['odd "name"', 'x'] } });
    expect(parsePredicate("s = 'it''s'")).toMatchObject({ literal: { kind: 'string', value: "it's" } });
    expect(parsePredicate("t >= TIMESTAMP '2024-01-02T03:04:05.123456Z' and d < date '2024-01-02'")).toMatchObject({
      kind: 'and', left: { literal: { kind: 'timestamp', value: '2024-01-02T03:04:05.123456Z' } }, right: { literal: { kind: 'date', value: '2024-01-02' } },
    });
    expect(parsePredicate('x BETWEEN 1 AND 3')).toMatchObject({ kind: 'and', left: { op: '>=' }, right: { op: '<=' } });
  });

  it('names the character and what was expected in a syntax error', () => {
    expect(() => parsePredicate('a = ')).toThrow('--where: at character 5: expected a literal, found the end');
    expect(() => parsePredicate("a = 'open")).toThrow('--where: the string opened at character 5 is not closed');
    expect(() => parsePredicate('a = b')).toThrow('comparing two columns is not supported');
    expect(() => parsePredicate('a = 1 b')).toThrow('at character 7: expected AND, OR or the end, found "b"');
    expect(() => parsePredicate('a == 1')).toThrow(PredicateError);
    expect(() => parsePredicate('   ')).toThrow('--where: the predicate is empty');
  });
});

describe('typing --where against the schema', () => {
  it('names the columns there are for an unknown column, and the fields of a struct', () => {
    expect(() => where('nope = 1')).toThrow('--where: no column nope in the table s3://b/t/ (columns: id, n, price, name, at, local, d, ok, score, bin, point, tags)');
    expect(() => where('point.z = 1')).toThrow('no column point.z in struct column point (columns: x, label)');
    expect(() => where('id.x = 1')).toThrow('id is long, not a struct');
  });

  it('names the column, its type and the literal when they do not compare', () => {
    expect(() => where("id = 'a'")).toThrow("--where: column id is long; 'a' is not a number");
    expect(() => where('name = 1')).toThrow("column name is string; 1 is not a 'string'");
    expect(() => where("price > 'x'")).toThrow("column price is decimal(24,4); 'x' is not a number");
    expect(() => where('d = 3')).toThrow('column d is date; 3 is not a date or time');
    expect(() => where("d = DATE '2024-02-30'")).toThrow("column d is date; DATE '2024-02-30' is not a date or time");
    expect(() => where("local = TIMESTAMP '2024-01-02T00:00:00+02:00'")).toThrow('has a time zone');
    expect(() => where("bin = 'x'")).toThrow('column bin is binary: it can only be tested with IS NULL or IS NOT NULL');
    expect(() => where('ok = 1')).toThrow('column ok is boolean; 1 is not true or false');
    expect(where('tags IS NULL').columns).toEqual(['tags']);
    expect(where('ID = 1 and Point.X = 2').columns).toEqual(['id', 'point']);
  });
});

describe('evaluating --where on rows', () => {
  it('compares 64-bit integers and decimals exactly', () => {
    expect(keeps('id = 9007199254740993', { id: 9007199254740993n })).toBe(true);
    expect(keeps('id = 9007199254740992', { id: 9007199254740993n })).toBe(false);
    expect(keeps('price = 1.5', { price: '1.5000' })).toBe(true);
    expect(keeps('price > 1.50001', { price: '1.5000' })).toBe(false);
    expect(keeps('price < 1.50001', { price: '1.5000' })).toBe(true);
    expect(keeps('n >= 2.5', { n: 3 })).toBe(true);
    expect(keeps('price IN (12345678901234567890.1234, 2)', { price: '12345678901234567890.1234' })).toBe(true);
  });

  it('compares timestamps to the microsecond and dates with times', () => {
    const at = '2024-01-02T03:04:05.123456Z';
    expect(keeps("at = TIMESTAMP '2024-01-02T03:04:05.123456Z'", { at })).toBe(true);
    expect(keeps("at > TIMESTAMP '2024-01-02 03:04:05.123455'", { at })).toBe(true);
    expect(keeps("at > '2024-01-02T05:04:05.123455+02:00'", { at })).toBe(true);
    expect(keeps("at < DATE '2024-01-02'", { at })).toBe(false);
    expect(keeps("d = '2024-01-02'", { d: '2024-01-02' })).toBe(true);
    expect(keeps("d < TIMESTAMP '2024-01-02 00:00:01'", { d: '2024-01-02' })).toBe(true);
    expect(keeps("local = TIMESTAMP '1969-12-31 23:59:59.999999'", { local: '1969-12-31T23:59:59.999999' })).toBe(true);
  });

  it('keeps a row only when the predicate is true: comparisons with null are unknown, also under NOT', () => {
    expect(keeps('n = 1', { n: null })).toBe(false);
    expect(keeps('NOT n = 1', { n: null })).toBe(false);
    expect(keeps('n != 1', { n: null })).toBe(false);
    expect(keeps('n IS NULL', { n: null })).toBe(true);
    expect(keeps('n = NULL', { n: null })).toBe(false);
    expect(keeps('n IN (1, NULL)', { n: 2 })).toBe(false);
    expect(keeps('NOT n IN (1, NULL)', { n: 2 })).toBe(false);
    expect(keeps('NOT n IN (1, 3)', { n: 2 })).toBe(true);
    expect(keeps('n = 1 OR n IS NULL', { n: null })).toBe(true);
    expect(keeps('n = 1 AND id = 2', { n: null, id: 3n })).toBe(false);
    expect(keeps('point.x = 2', { point: null })).toBe(false);
    expect(keeps('point.x = 2', { point: { x: 2, label: null } })).toBe(true);
  });

  it('orders strings by code point (UTF-8 byte order), NaN above every number, false before true', () => {
    expect(compareCodePoints('\u{1F600}', '\uFFFD')).toBeGreaterThan(0); // UTF-16 order says the opposite
    expect(keeps("name > 'a'", { name: 'b' })).toBe(true);
    expect(keeps('score > 100', { score: Number.NaN })).toBe(true);
    expect(keeps('ok < true', { ok: false })).toBe(true);
  });
});

describe('pruning decisions', () => {
  const range = (min: bigint, max: bigint, extra: Partial<Extract<ColumnSummary, { min?: unknown }>> = {}): ColumnSummary => ({ min, max, ...extra });
  const idIs = (s: ColumnSummary | undefined) => (c: { path: string[] }) => (c.path[0] === 'id' ? s : undefined);
  const may = (text: string, s: ColumnSummary | undefined) => mayMatch(where(text).bound, idIs(s));

  it('prunes a range that cannot hold the value, and keeps one that may', () => {
    expect(may('id = 5', range(6n, 9n))).toBe(false);
    expect(may('id = 6', range(6n, 9n))).toBe(true);
    expect(may('id < 6', range(6n, 9n))).toBe(false);
    expect(may('id >= 10', range(6n, 9n))).toBe(false);
    expect(may('id IN (1, 10)', range(6n, 9n))).toBe(false);
    expect(may('id IN (1, 7)', range(6n, 9n))).toBe(true);
    expect(may('id != 6', range(6n, 6n))).toBe(false);
    expect(may('NOT id = 6', range(6n, 6n))).toBe(false);
    expect(may('NOT id = 6', range(6n, 7n))).toBe(true);
    expect(may('NOT (id > 3 AND id < 20)', range(6n, 9n))).toBe(false);
    expect(may('id = 5 OR n = 1', range(6n, 9n))).toBe(true); // n is unknown
    expect(may('id = 5', undefined)).toBe(true);
    expect(may('id > 5', { max: 5n })).toBe(false);
    expect(may('id > 5', { min: 9n })).toBe(true);
  });

  it('uses null counts: all-null rows match only IS NULL, rows without nulls never match it', () => {
    expect(may('id = 5', range(5n, 5n, { nullCount: 10, rowCount: 10 }))).toBe(false);
    expect(may('id IS NULL', range(1n, 5n, { nullCount: 0, rowCount: 10 }))).toBe(false);
    expect(may('id IS NOT NULL', { nullCount: 10, rowCount: 10 })).toBe(false);
    expect(may('id IS NULL', { nullCount: 1, rowCount: 10 })).toBe(true);
    expect(may('id = 5', { rowCount: 0 })).toBe(false);
  });

  it('decides partition constants exactly, a null partition matching only IS NULL', () => {
    const region = (v: TableValue) => (c: { path: string[] }) => (c.path[0] === 'name' ? { constant: v } : undefined);
    expect(mayMatch(where("name = 'eu'").bound, region('us'))).toBe(false);
    expect(mayMatch(where("name != 'eu'").bound, region(null))).toBe(false);
    expect(mayMatch(where('name IS NULL').bound, region(null))).toBe(true);
    expect(mayMatch(where("NOT name IN ('eu', 'us')").bound, region('asia'))).toBe(true);
  });

  it('reads Delta statistics as bounds: timestamps widened by 999 µs, long string maxima unused, null counts ignored when bounds are wide', () => {
    const stats = {
      numRecords: 10, minValues: { at: '2024-01-01T00:00:00.000000Z' }, maxValues: { at: '2024-01-01T00:00:00.123000Z' }, nullCount: { at: 10 },
    };
    const atWhere = (t: string) => where(t).bound;
    expect(mayMatch(atWhere("at = TIMESTAMP '2024-01-01T00:00:00.123456Z'"), deltaStatsSummaries({ ...stats, nullCount: { at: 0 } }))).toBe(true);
    expect(mayMatch(atWhere("at = TIMESTAMP '2024-01-01T00:00:00.124000Z'"), deltaStatsSummaries({ ...stats, nullCount: { at: 0 } }))).toBe(false);
    expect(mayMatch(atWhere('at IS NOT NULL'), deltaStatsSummaries(stats))).toBe(false);
    expect(mayMatch(atWhere('at IS NOT NULL'), deltaStatsSummaries({ ...stats, tightBounds: false }))).toBe(true);
    // A string maximum of 32 characters or more may be a truncated prefix: it bounds nothing.
    const names = (max: string) => deltaStatsSummaries({ numRecords: 10, minValues: { name: 'a' }, maxValues: { name: max }, nullCount: {} });
    expect(mayMatch(where("name > 'b'").bound, names('abc'))).toBe(false);
    expect(mayMatch(where("name > 'b'").bound, names('a'.repeat(32)))).toBe(true);
    expect(mayMatch(where("name < 'a'").bound, names('a'.repeat(32)))).toBe(false); // the minimum still bounds
    const scores = { numRecords: 10, minValues: { score: 1 }, maxValues: { score: 2 }, nullCount: {} };
    expect(mayMatch(where('score > 5').bound, deltaStatsSummaries(scores))).toBe(true); // floats are never pruned: NaN is not in statistics
  });
});
