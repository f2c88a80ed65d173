import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { config, minioSource, rootKeyEnv, runCli, withWorker, writeConfigFile } from '../harness/connector';
import { jsonLines } from '../harness/cli-output';
import { adminS3, createBucket, putObjects } from '../harness/minio-admin';
import { testEnv } from '../harness/test-env';

/** Every file below `dir`, relative, sorted: what a command wrote into the dataset store. */
function storeFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? storeFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`])).sort();
}

describe('dry runs', () => {
  let bucket: string;
  let storeRoot: string;
  let raw: Record<string, unknown>;
  let file: string;
  const flags = (taskQueue: string) => ['--json', '--config', file, '--address', testEnv().temporalAddress, '--task-queue', taskQueue];

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    bucket = await createBucket('dry-run');
    await putObjects(bucket, [
      { key: 'in/a.csv', body: 'id\n1\n' }, { key: 'in/b.csv', body: 'id\n22\n' },
      { key: 'in/tmp/x.csv', body: 'scratch\n' }, { key: 'in/empty.csv', body: '' },
    ]);
    storeRoot = mkdtempSync(join(tmpdir(), 'dry-run-store-'));
    raw = {
      datasetStore: storeRoot,
      sources: { src: minioSource(bucket, { url: `s3://${bucket}/in/`, exports: { enabled: true } }) },
      syncs: { inc: { source: 'src', dataset: 'ds', mode: 'incremental', filters: { exclude: ['tmp/**'], minSizeBytes: 1 } } },
      exports: { out: { dataset: 'ds', source: 'src', pathPrefix: 'exported/' } },
    };
    file = writeConfigFile(raw);
  });

  it('sync --dry-run says what a first run would copy and skip, and why, writing nothing; --direct says the same', async () => {
    const viaWorker = await withWorker(config(raw), (q) => runCli(['sync', 'inc', '--dry-run', ...flags(q)]));
    expect(viaWorker.code).toBe(0);
    const dry = jsonLines(viaWorker.stdout)[0];
    expect(dry).toEqual({
      type: 'dryRun', job: 'inc', mode: 'incremental', dataset: 'ds', transaction: 'APPEND', listed: 4, toCopy: 2, bytes: 11, changed: 0, unchanged: 0, skipped: 2,
      skippedBy: { 'smaller than filters.minSizeBytes': 1, 'matched by filters.exclude': 1 },
      firstToCopy: [{ key: 'a.csv', size: 5, change: 'new' }, { key: 'b.csv', size: 6, change: 'new' }],
      firstSkipped: [{ key: 'empty.csv', reason: 'smaller than filters.minSizeBytes' }, { key: 'tmp/x.csv', reason: 'matched by filters.exclude' }],
      truncated: false,
    });
    expect(storeFiles(storeRoot)).toEqual([]);
    const direct = await runCli(['sync', 'inc', '--dry-run', '--direct', ...flags('unused')], rootKeyEnv());
    expect(jsonLines(direct.stdout)[0]).toEqual(dry);

    // The dry run is a probe: listed by `runs --probes`, never among the job runs.
    let probes: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 40 && !probes.some((r) => r.workflowType === 'syncDryRun'); i++) {
      if (i > 0) await new Promise((ok) => setTimeout(ok, 250)); // visibility lags a second
      probes = jsonLines((await runCli(['runs', '--probes', '--limit', '1000', ...flags('unused')])).stdout);
    }
    expect(probes).toContainEqual(expect.objectContaining({ workflowType: 'syncDryRun', workflowId: expect.stringMatching(/^syncDryRun\/inc\//), status: 'COMPLETED' }));
    const jobRuns = jsonLines((await runCli(['runs', '--limit', '1000', ...flags('unused')])).stdout);
    expect(jobRuns.filter((r) => !['bulkImport', 'incrementalSync', 'mediaSync', 'fileExport', 'tableSync'].includes(r.workflowType as string))).toEqual([]);
  });

  it('after a run, sync --dry-run counts new, changed and unchanged objects against what landed', async () => {
    await withWorker(config(raw), (q) => runCli(['sync', 'inc', '--wait', ...flags(q)]));
    const landed = storeFiles(storeRoot);
    await putObjects(bucket, [{ key: 'in/a.csv', body: 'id\n111\n' }, { key: 'in/c.csv', body: 'id\n3\n' }]);
    const human = await runCli(['sync', 'inc', '--dry-run', '--direct', '--config', file], rootKeyEnv());
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('dry run of sync inc (incremental, APPEND transaction into dataset ds): nothing was written');
    expect(human.stdout).toMatch(/would copy {2}2 objects, 12 B \(1 new, 1 changed\)/);
    expect(human.stdout).toMatch(/unchanged {3}1 object landed before/);
    expect(human.stdout).toMatch(/changed {2}a\.csv {2}7 B/);
    expect(storeFiles(storeRoot)).toEqual(landed);
  });

  it('export --dry-run says which files a run would export under which keys, writing nothing to the target', async () => {
    const result = await runCli(['export', 'out', '--dry-run', ...flags('unused')]);
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout)[0]).toMatchObject({
      type: 'dryRun', job: 'out', mode: 'full', dataset: 'ds', target: `s3://${bucket}/in/exported/`, files: 2, bytes: 11, rewrittenPaths: 0,
      firstFiles: [{ path: 'a.csv', key: 'in/exported/a.csv', size: 5 }, { path: 'b.csv', key: 'in/exported/b.csv', size: 6 }],
    });
    const listed = await adminS3().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'in/exported/' }));
    expect(listed.KeyCount).toBe(0);
  });
});
