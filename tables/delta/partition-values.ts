/**
 * Typed partition values from the strings of `add.partitionValues` (PROTOCOL.md "Partition
 * Value Serialization"): keyed by physical name in the log, returned by logical name.
 */
import { DeltaTableError } from './errors';
import type { DeltaField, DeltaType } from './schema';
import {
  formatDate, formatDecimal, formatTimestampMicros, parseDateDays, parseDecimalUnscaled, parseTimestampMicros,
  type DeltaValue,
} from './values';

/** One serialized partition value as a typed value; null and the empty string are null. */
export function parsePartitionValue(text: string | null | undefined, type: DeltaType, column: string): DeltaValue {
  if (text === null || text === undefined || text === '') return null;
  try {
    if (type.kind === 'decimal') return formatDecimal(parseDecimalUnscaled(text, type.scale), type.scale);
    if (type.kind !== 'primitive') throw new DeltaTableError(`a partition column cannot be of a nested type`);
    switch (type.name) {
      case 'string': return text;
      case 'boolean':
        if (text !== 'true' && text !== 'false') throw new DeltaTableError(`"${text}" is not a boolean`);
        return text === 'true';
      case 'byte': case 'short': case 'integer': {
        const n = Number(text);
        if (!Number.isInteger(n)) throw new DeltaTableError(`"${text}" is not an integer`);
        return n;
      }
      case 'long': return BigInt(text.trim());
      case 'float': case 'double': {
        const n = Number(text);
        if (Number.isNaN(n) && text !== 'NaN') throw new DeltaTableError(`"${text}" is not a number`);
        return n;
      }
      case 'date': return formatDate(parseDateDays(text));
      case 'timestamp': return formatTimestampMicros(parseTimestampMicros(text), true);
      case 'timestamp_ntz': return formatTimestampMicros(parseTimestampMicros(text), false);
      case 'binary': return binaryOf(text);
      case 'void': return null;
    }
  } catch (err) {
    throw new DeltaTableError(`partition column ${column}: ${(err as Error).message}`);
  }
  throw new DeltaTableError(`partition column ${column}: unknown type`);
}

/** The typed partition values of one file, by logical name, from its raw map keyed by physical name. */
export function typedPartitionValues(raw: Record<string, string | null>, partitionFields: DeltaField[]): Record<string, DeltaValue> {
  const out: Record<string, DeltaValue> = {};
  for (const field of partitionFields) {
    const text = field.physicalName in raw ? raw[field.physicalName] : raw[field.name];
    out[field.name] = parsePartitionValue(text, field.type, field.name);
  }
  return out;
}

/** A binary partition value: its characters are the bytes (`"\u0001\u0002"`). */
function binaryOf(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 255) throw new DeltaTableError('a binary value has a character above \\u00ff');
    out[i] = c;
  }
  return out;
}
