/**
 * Name mapping (the specification's "Column Projection" for files without field ids, and the
 * table property `schema.name-mapping.default`): data files written without Parquet field ids
 * (tables migrated from plain Parquet, files added in place) get their columns' ids from the
 * mapping, by name at each level, so they read by field id like any other file.
 */
import type { SchemaTree } from 'hyparquet';
import { IcebergTableError } from './errors';
import { parseExactJson } from './json';

/** One mapped field: the names it had and its id, with its children's mapping. */
export interface MappedField {
  names: string[];
  fieldId?: number;
  fields: MappedField[];
}

/** The table property that holds the default name mapping. */
export const NAME_MAPPING_PROPERTY = 'schema.name-mapping.default';

/** Parses a name mapping's JSON text. */
export function parseNameMapping(text: string, where: string): MappedField[] {
  const json = parseExactJson(text, `${where} ${NAME_MAPPING_PROPERTY}`);
  const fields = (v: unknown): MappedField[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new IcebergTableError(`${where}: ${NAME_MAPPING_PROPERTY} is not a list of fields`);
    return v.map((f) => {
      const o = f as Record<string, unknown>;
      if (!Array.isArray(o.names)) throw new IcebergTableError(`${where}: a field of ${NAME_MAPPING_PROPERTY} has no names`);
      return { names: o.names.map(String), fieldId: typeof o['field-id'] === 'number' ? o['field-id'] : undefined, fields: fields(o.fields) };
    });
  };
  return fields(json);
}

/**
 * Gives the file's schema nodes the ids the mapping names them by (in place: the footer is this
 * scan's own). A list's or map's repeated group (`list`, `key_value`) is passed through.
 */
export function applyNameMapping(node: SchemaTree, mapping: MappedField[]): void {
  for (const child of node.children) {
    const mapped = mapping.find((m) => m.names.includes(child.element.name));
    if (mapped) {
      if (mapped.fieldId !== undefined) child.element.field_id = mapped.fieldId;
      applyNameMapping(child, mapped.fields);
    } else if (child.element.repetition_type === 'REPEATED' && child.children.length > 0) {
      applyNameMapping(child, mapping);
    }
  }
}
