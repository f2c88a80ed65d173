/**
 * The reader side of the protocol (PROTOCOL.md "Protocol Evolution", "Table Features",
 * "Requirements for Readers"): which reader versions and features this reader implements, and
 * the check that refuses a table needing anything else, naming it.
 */
import type { DeltaMetadata, DeltaProtocol } from './actions';
import { DeltaTableError, DeltaUnsupportedFeatureError } from './errors';
import { allFields, type ColumnMappingMode, type DeltaStructType } from './schema';

/** The reader features implemented, by their protocol names. */
export const SUPPORTED_READER_FEATURES: readonly string[] = [
  'columnMapping', 'deletionVectors', 'timestampNtz', 'timestampWithoutTimezone', 'v2Checkpoint',
  'vacuumProtocolCheck', 'typeWidening', 'typeWidening-preview',
];

/** The highest reader version implemented (3: table features). */
export const MAX_READER_VERSION = 3;

/** Throws {@link DeltaUnsupportedFeatureError} when the protocol needs what this reader lacks. */
export function checkReadable(protocol: DeltaProtocol): void {
  const v = protocol.minReaderVersion;
  if (!Number.isInteger(v) || v < 1) throw new DeltaTableError(`invalid minReaderVersion ${v}`);
  if (v > MAX_READER_VERSION) throw new DeltaUnsupportedFeatureError(`readerVersion ${v}`, `minReaderVersion is ${v}; this reader implements up to ${MAX_READER_VERSION}`);
  if (v === 3) {
    if (!protocol.readerFeatures) throw new DeltaTableError('minReaderVersion is 3 but the protocol lists no readerFeatures');
    for (const feature of protocol.readerFeatures) {
      if (!SUPPORTED_READER_FEATURES.includes(feature)) throw new DeltaUnsupportedFeatureError(feature, 'listed in the protocol\'s readerFeatures');
    }
  }
}

/** Whether the protocol supports `feature` for readers (version 3 lists it; versions 1 and 2 imply their features). */
export function readerSupports(protocol: DeltaProtocol, feature: string): boolean {
  if (protocol.minReaderVersion === 3) return protocol.readerFeatures?.includes(feature) ?? false;
  if (feature === 'columnMapping') return protocol.minReaderVersion === 2;
  return false;
}

/**
 * The column mapping mode in force: the table property, honoured only when the protocol
 * supports column mapping for readers (version 2, or 3 with `columnMapping`).
 */
export function columnMappingMode(protocol: DeltaProtocol, metadata: DeltaMetadata): ColumnMappingMode {
  const mode = metadata.configuration['delta.columnMapping.mode'] ?? 'none';
  if (mode !== 'none' && mode !== 'name' && mode !== 'id') throw new DeltaTableError(`unknown delta.columnMapping.mode "${mode}"`);
  return readerSupports(protocol, 'columnMapping') ? mode : 'none';
}

const WIDENINGS: Array<[RegExp, RegExp]> = [
  [/^byte$/, /^(short|integer|long|double|decimal)/],
  [/^short$/, /^(integer|long|double|decimal)/],
  [/^integer$/, /^(long|double|decimal)/],
  [/^long$/, /^decimal/],
  [/^float$/, /^double$/],
  [/^date$/, /^timestamp_ntz$/],
  [/^decimal/, /^decimal/],
];

/**
 * With type widening, checks every recorded type change (`delta.typeChanges` in field
 * metadata) is one this reader converts (PROTOCOL.md "Type Widening"); fails naming it otherwise.
 */
export function checkTypeChanges(protocol: DeltaProtocol, schema: DeltaStructType): void {
  const widening = readerSupports(protocol, 'typeWidening') || readerSupports(protocol, 'typeWidening-preview');
  for (const { field, path } of allFields(schema)) {
    const changes = field.metadata['delta.typeChanges'];
    if (changes === undefined) continue;
    if (!widening) throw new DeltaUnsupportedFeatureError('typeWidening', `column ${path} records type changes but the protocol does not list typeWidening`);
    if (!Array.isArray(changes)) throw new DeltaTableError(`column ${path}: delta.typeChanges is not a list`);
    for (const change of changes as Array<Record<string, unknown>>) {
      const from = String(change.fromType);
      const to = String(change.toType);
      if (!WIDENINGS.some(([f, t]) => f.test(from) && t.test(to)) || !decimalWideningOk(from, to)) {
        throw new DeltaUnsupportedFeatureError(`typeWidening ${from} -> ${to}`, `column ${path}`);
      }
    }
  }
}

/**
 * Decimal(p, s) -> decimal(p + k1, s + k2) with k1 >= k2 >= 0. An integer type widens to a decimal
 * with room for all its digits left of the point (byte 3, short 5, integer 10, long 20), as
 * Delta's reference implementation allows; either way the conversion is exact.
 */
function decimalWideningOk(from: string, to: string): boolean {
  const parse = (t: string): [number, number] | undefined => {
    const m = /^decimal\((\d+),\s*(\d+)\)$/.exec(t);
    return m ? [Number(m[1]), Number(m[2])] : undefined;
  };
  const target = parse(to);
  if (!target) return true;
  const digits: Record<string, number> = { byte: 3, short: 5, integer: 10, long: 20 };
  const intDigits = digits[from];
  if (intDigits !== undefined) return target[1] >= 0 && target[0] - target[1] >= intDigits;
  const source = parse(from);
  if (!source) return false;
  const k1 = target[0] - source[0];
  const k2 = target[1] - source[1];
  return k1 >= k2 && k2 >= 0;
}
