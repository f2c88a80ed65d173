/**
 * Short workflows of the `tables` commands that read a virtual table in S3: register, preview and
 * history. They run on the worker (only workers hold credentials) and return small results:
 * the registry record, a few rows as JSON lines, the commit list. Whole reads (`tables read`)
 * are too large for a payload and stream in the CLI with --direct instead.
 */
import type { TableEntry, TableHistoryEntry, TablePreview, TableRegistration } from '../activities';
import { probeActivities } from './probes';

/** Common input: the table's name in `virtualTables:` and its source's retry budget. */
export interface TableProbeInput {
  table: string;
  maxErrorRetries: number;
}

/** A large log is replayed whole at registration; the activity heartbeats meanwhile. */
const activitiesFor = (input: TableProbeInput) => probeActivities(input.maxErrorRetries, true);

/**
 * Reads a table's latest snapshot and records it in the dataset store. `entry`: the table's
 * config entry, for a table the worker's config does not have yet (`tables discover --apply`).
 */
export async function registerTable(input: TableProbeInput & { entry?: TableEntry }): Promise<TableRegistration> {
  const activities = activitiesFor(input);
  return input.entry ? activities.tableRegister(input.table, input.entry) : activities.tableRegister(input.table);
}

/** The first rows of a table. */
export async function previewTable(input: TableProbeInput & { limit: number }): Promise<TablePreview> {
  return activitiesFor(input).tablePreview(input.table, input.limit);
}

/** A table's commits, newest first. */
export async function tableHistory(input: TableProbeInput & { limit: number }): Promise<TableHistoryEntry[]> {
  return activitiesFor(input).tableHistory(input.table, input.limit);
}
