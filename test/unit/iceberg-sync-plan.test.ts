/**
 * Planning a table sync run of an Iceberg table (pipelines/iceberg-plan.ts) on metadata written
 * here (no data files are needed: each case is decided from the metadata alone): a range of only
 * replace snapshots lands nothing and keeps the cursor; a cursor that is not an ancestor of the
 * current snapshot, or a table-uuid that changed, refuses the run naming both.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../harness/temp-dir';
import type { JobDeps } from '../../jobs/deps';
import type { TableSyncJob } from '../../jobs/job';
import { IcebergSyncRefusedError, planIceberg } from '../../pipelines/iceberg-plan';
import { PageWriter } from '../../pipelines/plan-pages';
import { tableRunPaths } from '../../pipelines/run-files';
import { LocalTableStorage } from '../../tables/storage-local';
import type { OpenedTable } from '../../tables/registry-ops';

const S1 = '9007199254740993'; // 2^53 + 1: a double would make it ...992
const S2 = '9007199254740995';
const OTHER = '9007199254740997';
const UUID = '0b4a8d0e-7d5c-4a4e-9d57-3c1f5b0a2f11';

function table(snapshots: Array<{ id: string; parent?: string; operation: string }>, current: string): OpenedTable {
  const dir = tempDir('iceberg-sync-plan-');
  mkdirSync(join(dir, 'metadata'));
  // The ids are written as bare JSON integers, as Iceberg writers do, beyond 2^53.
  const snapshot = (s: { id: string; parent?: string; operation: string }, i: number) => `{"snapshot-id":${s.id},${s.parent ? `"parent-snapshot-id":${s.parent},` : ''}"sequence-number":${i + 1},"timestamp-ms":${1700000000000 + i},"manifest-list":"file://${dir}/metadata/snap-${i}.avro","summary":{"operation":"${s.operation}"},"schema-id":0}`;
  writeFileSync(join(dir, 'metadata', 'v1.metadata.json'), `{"format-version":2,"table-uuid":"${UUID}","location":"file://${dir}","last-sequence-number":${snapshots.length},"last-updated-ms":1700000000000,"last-column-id":1,
    "schemas":[{"type":"struct","schema-id":0,"fields":[{"id":1,"name":"id","required":true,"type":"long"}]}],"current-schema-id":0,
    "partition-specs":[{"spec-id":0,"fields":[]}],"default-spec-id":0,"last-partition-id":999,"properties":{},
    "current-snapshot-id":${current},"snapshots":[${snapshots.map(snapshot).join(',')}]}`);
  return { name: 'ice', format: 'iceberg', source: 'src', location: 'ice/', storage: new LocalTableStorage(dir) };
}

const job = { name: 'ice-appends', table: 'ice', format: 'iceberg', dataset: 'rows' } as TableSyncJob;
const writes: string[] = [];
const deps = { store: { write: async (path: string) => { writes.push(path); } } } as unknown as JobDeps;
const pages = () => new PageWriter(deps, tableRunPaths('rows', 'ice-appends', 'run-1'));

describe('planning an Iceberg table sync run', () => {
  it('lands nothing and keeps the cursor when only replace snapshots follow it', async () => {
    const plan = await planIceberg(job, table([{ id: S1, operation: 'append' }, { id: S2, parent: S1, operation: 'replace' }], S2), { job: job.name, table: 'ice', snapshotId: S1, tableId: UUID }, pages());
    expect(plan).toMatchObject({ transaction: 'APPEND', nothingNew: true, baseSnapshotId: S1, files: 0, pages: 0 });
    expect(plan.toSnapshotId).toBeUndefined();
    expect(writes).toEqual([]);
  });

  it('lands nothing when the cursor is the current snapshot', async () => {
    const plan = await planIceberg(job, table([{ id: S1, operation: 'append' }], S1), { job: job.name, table: 'ice', snapshotId: S1 }, pages());
    expect(plan).toMatchObject({ nothingNew: true, baseSnapshotId: S1 });
  });

  it('refuses a cursor that is not an ancestor of the current snapshot, naming both exactly', async () => {
    const t = table([{ id: S1, operation: 'append' }, { id: OTHER, operation: 'append' }], OTHER);
    const err = await planIceberg(job, t, { job: job.name, table: 'ice', snapshotId: S1 }, pages()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IcebergSyncRefusedError);
    expect((err as Error).message).toContain(`snapshot ${S1}, the last this job landed, is no longer an ancestor of the current snapshot ${OTHER}`);
    expect((err as Error).message).toContain('Fix: land the table anew into a new dataset');
  });

  it('refuses a table whose table-uuid changed since the cursor was landed', async () => {
    const t = table([{ id: S1, operation: 'append' }], S1);
    await expect(planIceberg(job, t, { job: job.name, table: 'ice', snapshotId: S1, tableId: 'another-uuid' }, pages()))
      .rejects.toThrow(`its table-uuid is now ${UUID}, not another-uuid`);
  });

  it('refuses a delete after the cursor naming its id and operation, before any page is written', async () => {
    const t = table([{ id: S1, operation: 'append' }, { id: S2, parent: S1, operation: 'delete' }, { id: OTHER, parent: S2, operation: 'append' }], OTHER);
    await expect(planIceberg(job, t, { job: job.name, table: 'ice', snapshotId: S1 }, pages()))
      .rejects.toThrow(new RegExp(`snapshot ${S2} is not an append \\(operation delete\\).*this run landed nothing`));
    expect(writes).toEqual([]);
  });
});
