/**
 * Proposed registrations for discovered tables: a config name for each (config/schema.ts's
 * name rule: 1-128 letters, digits, dots, dashes or underscores, starting with a letter or
 * digit), unique among the proposals and the config's `virtualTables:`; a table already
 * configured (same source and folder, or a catalog table's same identifier) keeps its entry and
 * is not proposed again.
 */
import type { DiscoveredTable } from './discover';
import type { TableFormat } from './registry';
import { TableRequestError } from './registry-ops';

/** A `virtualTables:` entry: a folder (`location`) or a catalog table (`identifier`). */
export interface TableEntry {
  source: string;
  format: TableFormat;
  location?: string;
  identifier?: string;
}

/** A discovered table with its proposed name, or the name of the entry that already has it. */
export interface TableProposal extends DiscoveredTable {
  name: string;
  source: string;
  /** The config already has this table under `name`: nothing to write. */
  configured: boolean;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** A valid config name made of `text`: other characters become `_`, leading ones that cannot start a name are dropped. */
export function configName(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[^A-Za-z0-9]+/, '').slice(0, 128).replace(/[_.-]+$/, '');
  return NAME.test(cleaned) ? cleaned : 'table';
}

const FORMATS: readonly string[] = ['parquet', 'avro', 'delta', 'iceberg'];

/**
 * Checks a table entry that reached a worker as a workflow's input rather than through the
 * config's schema (`tables discover --apply`): the same rules as config/schema.ts for the name,
 * the format, and exactly one of a folder (relative, no `..`) or an Iceberg table's catalog
 * identifier (dotted parts, none empty; its catalog checks the parts when it is opened).
 */
export function checkTableEntry(name: string, entry: TableEntry): void {
  const problems: string[] = [];
  if (!NAME.test(name)) problems.push(`name "${name}" is not a valid config name`);
  if (typeof entry.source !== 'string' || !NAME.test(entry.source)) problems.push('source is not a valid config name');
  if (!FORMATS.includes(entry.format)) problems.push(`format ${String(entry.format)} is not one of ${FORMATS.join(', ')}`);
  if (entry.identifier !== undefined) {
    if (entry.location !== undefined) problems.push('has both location and identifier; an entry has one');
    if (typeof entry.identifier !== 'string' || entry.identifier.split('.').some((p) => p === '')) problems.push('identifier is not dotted parts without an empty one');
    if (entry.format !== 'iceberg') problems.push('identifier (a catalog table) needs format iceberg');
  } else if (typeof entry.location !== 'string' || entry.location.startsWith('/') || entry.location.split('/').includes('..')) {
    problems.push('location is not a relative folder without ".."');
  }
  if (problems.length > 0) throw new TableRequestError(`table entry ${name}: ${problems.join('; ')}`);
}

/** The folder's segments, without the trailing slash: `a/b/` -> [a, b]. */
function segments(location: string): string[] {
  return location.split('/').filter((s) => s !== '');
}

/** Whether two folders are the same below a source URL (a trailing slash or not). */
function sameFolder(a: string, b: string): boolean {
  return segments(a).join('/') === segments(b).join('/');
}

/** Whether entry `e` of source `source` is `table` already: its catalog identifier, or its folder. */
function configuredAs(e: TableEntry, source: string, table: DiscoveredTable): boolean {
  if (e.source !== source) return false;
  if (table.identifier !== undefined && e.identifier === table.identifier) return true;
  return e.location !== undefined && sameFolder(e.location, table.location);
}

/**
 * Names for `tables` of `source`, given the config's entries: a table's name is its folder's
 * name (a catalog table's: its table name), then its parent's and its own (`sales_orders`; the
 * namespace's last part and the table name), then with a number (`orders_2`), whichever is first
 * free among the config's names and the names proposed before it. A table at the source URL
 * itself is named after the source.
 */
export function proposeNames(source: string, tables: DiscoveredTable[], existing: Record<string, TableEntry>): TableProposal[] {
  const taken = new Set(Object.keys(existing));
  const out: TableProposal[] = [];
  for (const table of tables) {
    const configured = Object.entries(existing).find(([, e]) => configuredAs(e, source, table));
    if (configured) {
      out.push({ ...table, name: configured[0], source, configured: true });
      continue;
    }
    const parts = table.identifier !== undefined ? table.identifier.split('.') : segments(table.location);
    const own = configName(parts[parts.length - 1] ?? source);
    const candidates = [own];
    if (parts.length > 1) candidates.push(configName(`${parts[parts.length - 2]}_${parts[parts.length - 1]}`));
    let name = candidates.find((c) => !taken.has(c));
    for (let n = 2; name === undefined; n++) {
      const numbered = `${own.slice(0, 120)}_${n}`;
      if (!taken.has(numbered)) name = numbered;
    }
    taken.add(name);
    out.push({ ...table, name, source, configured: false });
  }
  return out;
}
