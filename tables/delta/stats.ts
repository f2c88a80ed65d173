/**
 * Per-file statistics (PROTOCOL.md "Per-file Statistics"): the `stats` JSON of an add action, or
 * a checkpoint's `stats_parsed` struct, typed by the table schema and keyed by logical names.
 * Statistics only ever prune: a value that cannot be read is left out, never guessed.
 */
import type { SchemaTree } from 'hyparquet';
import { structConverter } from './parquet-values';
import { parsePartitionValue } from './partition-values';
import type { ColumnMappingMode, DeltaField, DeltaStructType } from './schema';
import type { DeltaValue } from './values';

/** Statistics of one data file. Min/max/null counts are nested like the schema (structs as objects). */
export interface DeltaFileStats {
  /** Rows in the data file (deleted rows included). */
  numRecords?: number;
  /** Whether min/max are exact for the valid rows (true when absent). */
  tightBounds?: boolean;
  minValues: Record<string, DeltaValue>;
  maxValues: Record<string, DeltaValue>;
  nullCount: Record<string, DeltaValue>;
}

/** A JSON number kept as its source text, so that longs and decimals stay exact; no text when it is not known exactly. */
class JsonNumber {
  constructor(readonly text: string | undefined) {}
}

type ExactReviver = (key: string, value: unknown, context?: { source?: string }) => unknown;

/** JSON.parse with numbers as {@link JsonNumber} (the reviver's source text, Node 22+). */
function parseExact(text: string): unknown {
  // Without the source text (Node before 22) only a safe integer is known exactly; any other number is left out, so it cannot prune wrongly.
  const reviver: ExactReviver = (_key, value, context) => (typeof value === 'number' ? new JsonNumber(context?.source ?? (Number.isSafeInteger(value) ? String(value) : undefined)) : value);
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown);
}

/** Parses the `stats` JSON of an add action; undefined when it is not valid JSON. */
export function parseStatsJson(text: string, schema: DeltaStructType): DeltaFileStats | undefined {
  let json: unknown;
  try {
    json = parseExact(text);
  } catch {
    return undefined;
  }
  if (json === null || typeof json !== 'object') return undefined;
  const o = json as Record<string, unknown>;
  const numRecords = o.numRecords instanceof JsonNumber && o.numRecords.text !== undefined ? Number(o.numRecords.text) : undefined;
  return {
    numRecords,
    tightBounds: typeof o.tightBounds === 'boolean' ? o.tightBounds : undefined,
    minValues: valuesOf(o.minValues, schema.fields),
    maxValues: valuesOf(o.maxValues, schema.fields),
    nullCount: countsOf(o.nullCount, schema.fields),
  };
}

function valuesOf(v: unknown, fields: DeltaField[]): Record<string, DeltaValue> {
  const out: Record<string, DeltaValue> = {};
  if (v === null || typeof v !== 'object' || v instanceof JsonNumber) return out;
  const o = v as Record<string, unknown>;
  for (const f of fields) {
    const raw = o[f.physicalName];
    if (raw === undefined || raw === null) continue;
    if (f.type.kind === 'struct') {
      out[f.name] = valuesOf(raw, f.type.fields);
      continue;
    }
    if (f.type.kind !== 'primitive' && f.type.kind !== 'decimal') continue;
    const text = raw instanceof JsonNumber ? raw.text : typeof raw === 'string' || typeof raw === 'boolean' ? String(raw) : undefined;
    if (text === undefined) continue;
    try {
      const value = parsePartitionValue(text, f.type, f.name);
      if (value !== null) out[f.name] = value;
    } catch {
      // A statistic this reader cannot read exactly is left out: it can only prune less.
    }
  }
  return out;
}

function countsOf(v: unknown, fields: DeltaField[]): Record<string, DeltaValue> {
  const out: Record<string, DeltaValue> = {};
  if (v === null || typeof v !== 'object' || v instanceof JsonNumber) return out;
  const o = v as Record<string, unknown>;
  for (const f of fields) {
    const raw = o[f.physicalName];
    if (raw instanceof JsonNumber && raw.text !== undefined) out[f.name] = Number(raw.text);
    else if (raw !== null && typeof raw === 'object' && f.type.kind === 'struct') out[f.name] = countsOf(raw, f.type.fields);
  }
  return out;
}

/**
 * Reads a checkpoint's `stats_parsed` (as hyparquet assembled it, `node` its place in the
 * checkpoint's schema): min/max typed like data, by the table's fields.
 */
export function statsFromParsed(raw: Record<string, unknown>, node: SchemaTree, schema: DeltaStructType, mode: ColumnMappingMode): DeltaFileStats {
  const child = (name: string) => node.children.find((c) => c.element.name === name);
  const values = (name: string): Record<string, DeltaValue> => {
    const n = child(name);
    if (!n) return {};
    const row = structConverter(schema, n, mode === 'id' ? 'name' : mode)(raw[name]) ?? {};
    return dropNulls(row);
  };
  const nullCountNode = child('nullCount');
  const counts = (r: unknown, fields: DeltaField[]): Record<string, DeltaValue> => {
    const out: Record<string, DeltaValue> = {};
    if (r === null || typeof r !== 'object') return out;
    for (const f of fields) {
      const v = (r as Record<string, unknown>)[mode === 'none' ? f.name : f.physicalName];
      if (typeof v === 'bigint' || typeof v === 'number') out[f.name] = Number(v);
      else if (f.type.kind === 'struct' && v !== null && typeof v === 'object') out[f.name] = counts(v, f.type.fields);
    }
    return out;
  };
  const numRecords = raw.numRecords;
  return {
    numRecords: typeof numRecords === 'bigint' || typeof numRecords === 'number' ? Number(numRecords) : undefined,
    tightBounds: typeof raw.tightBounds === 'boolean' ? raw.tightBounds : undefined,
    minValues: values('minValues'),
    maxValues: values('maxValues'),
    nullCount: nullCountNode ? counts(raw.nullCount, schema.fields) : {},
  };
}

function dropNulls(row: Record<string, DeltaValue>): Record<string, DeltaValue> {
  const out: Record<string, DeltaValue> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === null) continue;
    out[k] = v !== null && typeof v === 'object' && !(v instanceof Uint8Array) && !Array.isArray(v) && !(v instanceof Map) ? dropNulls(v) : v;
  }
  return out;
}
