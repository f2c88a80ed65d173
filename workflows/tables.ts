/**
 * The workflows of the `tables` commands that read a virtual table in S3: register, preview,
 * history and read. They run on the worker (only workers hold credentials). Register, preview
 * and history return small results: the registry record, a few rows as JSON lines, the commit
 * list. A whole read (`tables read`) is too large for a payload: it goes to the dataset store,
 * and the workflow returns where.
 */
import { ActivityCancellationType, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type {
  ConnectorActivities, ReadFormat, ReadRequest, StoredRead, TableEntry, TableHistoryEntry, TablePreview, TableRegistration,
} from '../activities';
import { retryPolicy } from './job-activities';
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

/** What to read and how to write it: the request's plain fields (columns, limit, versions, where), not its live ones (stats). */
export interface ReadTableInput extends TableProbeInput {
  request: Omit<ReadRequest, 'stats' | 'planOnly'>;
  format: ReadFormat;
}

/**
 * Reads a whole table into the dataset store below `_reads/<this workflow's id>/` and returns
 * where, with the rows and version; the caller copies it out and removes it. The read may take
 * as long as the table is large: it heartbeats, and a cancelled workflow waits until the activity
 * has removed what it wrote.
 */
export async function readTable(input: ReadTableInput): Promise<StoredRead> {
  const { tableRead } = proxyActivities<ConnectorActivities>({
    startToCloseTimeout: '12 hours',
    heartbeatTimeout: '20 seconds',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: retryPolicy(input.maxErrorRetries, '30 seconds'),
  });
  return tableRead(input.table, input.request, input.format, workflowInfo().workflowId);
}
