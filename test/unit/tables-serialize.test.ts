import { csvHeader, csvLineOfRow, jsonLineOfRow, jsonOfValue, parseJsonLineExact } from '../../tables/serialize';
import { diffSchemas, formatSchemaDiff } from '../../tables/registry';

describe('JSON lines of table rows', () => {
  it('writes 64-bit integers with all their digits, decimals and timestamps as their exact strings', () => {
    const row = {
      id: 9007199254740993n, neg: -9223372036854775808n, max: 9223372036854775807n, small: 42,
      price: '12345678901234567890.1234', day: '1969-12-31', at: '1969-12-31T23:59:59.999999Z', ntz: '2024-01-02T03:04:05.000001',
    };
    const line = jsonLineOfRow(row);
    expect(line).toBe('{"id":9007199254740993,"neg":-9223372036854775808,"max":9223372036854775807,"small":42,'
      + '"price":"12345678901234567890.1234","day":"1969-12-31","at":"1969-12-31T23:59:59.999999Z","ntz":"2024-01-02T03:04:05.000001"}');
    expect(parseJsonLineExact(line)).toEqual(row);
  });

  it('writes binary as base64, string-keyed maps as objects, other maps as pairs, lists and structs as JSON', () => {
    expect(jsonOfValue(new Uint8Array([0, 255, 16]))).toBe('"AP8Q"');
    expect(jsonOfValue(new Uint8Array([1, 2, 3, 4]).subarray(1, 3))).toBe('"AgM="');
    expect(jsonOfValue(new Map([['a', 1n], ['b', null]]))).toBe('{"a":1,"b":null}');
    expect(jsonOfValue(new Map([[1n, 'x'], [2n, 'y']]))).toBe('[[1,"x"],[2,"y"]]');
    expect(jsonOfValue([1.5, null, [true, false]])).toBe('[1.5,null,[true,false]]');
    expect(jsonOfValue({ s: { t: 'q"uote\n' } })).toBe('{"s":{"t":"q\\"uote\\n"}}');
  });

  it('writes floats JSON cannot hold as strings, and keeps the sign of -0', () => {
    expect(jsonOfValue(Number.NaN)).toBe('"NaN"');
    expect(jsonOfValue(Infinity)).toBe('"Infinity"');
    expect(jsonOfValue(-Infinity)).toBe('"-Infinity"');
    expect(jsonOfValue(-0)).toBe('-0.0');
    expect(jsonOfValue(0.1)).toBe('0.1');
    expect(jsonOfValue(1e300)).toBe('1e+300');
  });

  it('parses back only long bare integers as bigints: not digits in strings, fractions or exponents', () => {
    expect(parseJsonLineExact('{"a":"12345678901234567890","b":1.2345678901234567890,"c":1e-12345678901234567,"d":[-12345678901234567890]}'))
      .toEqual({ a: '12345678901234567890', b: 1.2345678901234567, c: 0, d: [-12345678901234567890n] });
  });
});

describe('schema diffs', () => {
  const col = (name: string, type: string, nullable = true) => ({ name, type, nullable });

  it('reports removed, retyped and nullability changes in the old order, then added columns', () => {
    const before = [col('id', 'integer', false), col('name', 'string'), col('gone', 'date'), col('v', 'decimal(10,2)')];
    const after = [col('id', 'long'), col('name', 'string'), col('v', 'decimal(12,2)'), col('new', 'binary', false)];
    const changes = diffSchemas(before, after);
    expect(changes).toEqual([
      { change: 'type', column: 'id', from: 'integer', to: 'long' },
      { change: 'nullable', column: 'id', from: false, to: true },
      { change: 'removed', column: 'gone', type: 'date' },
      { change: 'type', column: 'v', from: 'decimal(10,2)', to: 'decimal(12,2)' },
      { change: 'added', column: 'new', type: 'binary', nullable: false },
    ]);
    expect(formatSchemaDiff(changes)).toEqual([
      '~ id: integer -> long', '~ id: not null -> nullable', '- gone date', '~ v: decimal(10,2) -> decimal(12,2)', '+ new binary not null',
    ]);
  });

  it('finds nothing between equal schemas, whatever the column order', () => {
    expect(diffSchemas([col('a', 'long'), col('b', 'string')], [col('b', 'string'), col('a', 'long')])).toEqual([]);
  });
});

describe('CSV lines of table rows', () => {
  it('writes exact values in the columns\' order, null as an empty field and the empty string quoted', () => {
    const row = { id: -9223372036854775808n, price: '0.1000', name: 'a, "b"', empty: '', none: null, ok: true, f: 1.5, bin: new Uint8Array([255]), tags: ['x', 'y'], m: new Map([['k', 1n]]) };
    const columns = ['name', 'id', 'price', 'empty', 'none', 'ok', 'f', 'bin', 'tags', 'm'];
    expect(csvHeader(columns)).toBe('name,id,price,empty,none,ok,f,bin,tags,m');
    expect(csvLineOfRow(row, columns)).toBe('"a, ""b""",-9223372036854775808,0.1000,"",,true,1.5,/w==,"[""x"",""y""]","{""k"":1}"');
  });

  it('quotes line breaks and edge spaces, and writes the floats JSON cannot hold by name', () => {
    expect(csvLineOfRow({ a: 'x\ny', b: ' lead', c: 'in side', d: Number.NaN, e: -Infinity }, ['a', 'b', 'c', 'd', 'e'])).toBe('"x\ny"," lead",in side,NaN,-Infinity');
    expect(csvHeader(['a,b', 'c'])).toBe('"a,b",c');
  });
});
