/**
 * Whole data manifests skipped by `--where` before they are read: the manifest list's summary of
 * each partition field (the specification's "Manifest Lists", `partitions`: contains_null, lower
 * and upper bound of the partition values of the manifest's files), for identity partition
 * fields, whose values are the source column's. Delete manifests are never skipped by a row
 * predicate (their deletes apply to the rows kept).
 */
import { mayMatch, type CompiledWhere, type ColumnSummary, type SummaryOf } from '../predicate';
import { keyOfValue, type Key } from '../predicate/keys';
import { boundValue } from './bounds';
import type { ManifestRef } from './manifests';
import type { PartitionSpec } from './metadata';
import type { IcebergField } from './types';

/** What the manifest list says of the top-level columns of identity partition fields. */
function manifestSummaries(manifest: ManifestRef, spec: PartitionSpec | undefined, fieldsById: Map<number, IcebergField>): SummaryOf {
  return (column) => {
    if (column.fields.length !== 1 || !column.domain || !spec || !manifest.partitions) return undefined;
    const id = column.fields[0]?.fieldId;
    const index = spec.fields.findIndex((f) => f.transform === 'identity' && f.sourceId === id);
    const summary = index < 0 ? undefined : manifest.partitions[index];
    const field = id === undefined ? undefined : fieldsById.get(id);
    if (!summary || !field) return undefined;
    const key = (bytes: Uint8Array | undefined): Key | undefined => {
      const value = bytes === undefined ? undefined : boundValue(field, bytes);
      if (value === undefined || value === null) return undefined;
      try {
        return keyOfValue(value, column.domain!, column.scale) ?? undefined;
      } catch {
        return undefined;
      }
    };
    const out: ColumnSummary = { min: key(summary.lower), max: key(summary.upper) };
    if (!summary.containsNull) out.nullCount = 0;
    return out;
  };
}

/** Whether `where` may hold for some row of the data manifest (false: skip it unread). */
export function manifestMayMatch(where: CompiledWhere, manifest: ManifestRef, specs: PartitionSpec[], fieldsById: Map<number, IcebergField>): boolean {
  if (manifest.content !== 'data') return true;
  const spec = specs.find((s) => s.specId === manifest.specId);
  return mayMatch(where.bound, manifestSummaries(manifest, spec, fieldsById));
}
