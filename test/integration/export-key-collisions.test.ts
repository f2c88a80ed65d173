import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { config, minioSource, rootKeyEnv, withWorker } from '../harness/connector';
import { commitFixture } from '../harness/dataset-fixture';
import { listKeys, objectSha256, runExportJob } from '../harness/export-runner';
import { createBucket } from '../harness/minio-admin';
import { temporalClient } from '../harness/sync-runner';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** The message and type of the activity failure that failed an export workflow. */
async function refusal(run: Promise<unknown>): Promise<{ message: string; type?: string }> {
  const err = await run.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as { cause?: { cause?: { message: string; type?: string } } }).cause?.cause;
  return { message: cause?.message ?? '', type: cause?.type };
}

describe('exports never merge two dataset files into one key', () => {
  let outBucket: string;
  let storeRoot: string;
  let t: Awaited<ReturnType<typeof temporalClient>>;
  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    t = await temporalClient();
    outBucket = await createBucket('exp-keys');
    storeRoot = mkdtempSync(join(tmpdir(), 'exp-keys-store-'));
  });
  afterAll(() => t.close());

  const cfg = (exportsBlock: Record<string, object>) => config({
    datasetStore: storeRoot,
    sources: { out: minioSource(outBucket, { exports: { enabled: true } }) },
    exports: exportsBlock,
  });
  const staging = (dataset: string, job: string) => join(storeRoot, dataset, 'exports', job, 'runs');
  const entries = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);

  it('refuses before writing anything when "/z.txt" and "z.txt" (or "x//y" and "x/y") would share a key, naming both, across plan pages', async () => {
    // 2,500 files: three plan pages; "/z.txt" sorts first in the view (page 1), "z.txt" last (page 3).
    const files = Array.from({ length: 2500 }, (_, i) => ({ path: `f/${String(i).padStart(4, '0')}.txt`, body: `file ${i}` }));
    files.push({ path: '/z.txt', body: 'slash z' }, { path: 'z.txt', body: 'plain z' }, { path: 'x//y', body: 'double' }, { path: 'x/y', body: 'single' });
    await commitFixture(storeRoot, 'clash', files);
    const c = cfg({ prefixed: { dataset: 'clash', source: 'out', pathPrefix: 'prefixed/' }, bare: { dataset: 'clash', source: 'out' } });
    await withWorker(c, async (q) => {
      const prefixed = await refusal(runExportJob(t.client, c, 'prefixed', q));
      expect(prefixed.type).toBe('ExportKeyError');
      expect(prefixed.message).toContain('export prefixed refused before writing anything: 2 target keys would receive more than one dataset file');
      expect(prefixed.message).toMatch(/("\/z\.txt" and "z\.txt"|"z\.txt" and "\/z\.txt") -> s3:\/\/[^ ]+\/prefixed\/z\.txt/);
      expect(prefixed.message).toMatch(/"x\/\/y" and "x\/y" -> s3:\/\/[^ ]+\/prefixed\/x\/y/);
      // No bucket-root layout keeps them apart either: MinIO itself stores "/z.txt" as "z.txt".
      const bare = await refusal(runExportJob(t.client, c, 'bare', q));
      expect(bare.message).toMatch(/("\/z\.txt" and "z\.txt"|"z\.txt" and "\/z\.txt") -> s3:\/\/[^ ]+\/z\.txt/);
    });
    expect(await listKeys(outBucket)).toEqual([]);
    expect(entries(staging('clash', 'prefixed'))).toEqual([]);
    expect(entries(staging('clash', 'bare'))).toEqual([]);
  });

  it('exports a lone path with an empty segment under its normalised key, one object per file exported', async () => {
    await commitFixture(storeRoot, 'lone', [{ path: '/lead.txt', body: 'lead' }, { path: 'deep//er/f.txt', body: 'deep' }, { path: 'ok.txt', body: 'ok' }]);
    const c = cfg({ lone: { dataset: 'lone', source: 'out', pathPrefix: 'lone' } });
    const result = await withWorker(c, (q) => runExportJob(t.client, c, 'lone', q));
    const keys = await listKeys(outBucket, 'lone/');
    expect(keys).toEqual(['lone/deep/er/f.txt', 'lone/lead.txt', 'lone/ok.txt']);
    expect(result).toMatchObject({ status: 'completed', filesExported: keys.length });
    expect(await objectSha256(outBucket, 'lone/lead.txt')).toBe(sha('lead'));
  });

  it('refuses an incremental run whose new file would overwrite a file an earlier run exported, in either order', async () => {
    const c = cfg({ plainFirst: { dataset: 'inc1', source: 'out', pathPrefix: 'inc1', mode: 'incremental' },
      slashFirst: { dataset: 'inc2', source: 'out', pathPrefix: 'inc2', mode: 'incremental' } });
    await commitFixture(storeRoot, 'inc1', [{ path: 'a.txt', body: 'plain' }, { path: 'b.txt', body: 'b' }]);
    await commitFixture(storeRoot, 'inc2', [{ path: '/a.txt', body: 'slash' }, { path: 'b.txt', body: 'b' }]);
    await withWorker(c, async (q) => {
      expect(await runExportJob(t.client, c, 'plainFirst', q)).toMatchObject({ filesExported: 2, throughTransaction: 1 });
      expect(await runExportJob(t.client, c, 'slashFirst', q)).toMatchObject({ filesExported: 2, throughTransaction: 1 });
      await commitFixture(storeRoot, 'inc1', [{ path: '/a.txt', body: 'slash' }, { path: 'c.txt', body: 'c' }]);
      await commitFixture(storeRoot, 'inc2', [{ path: 'a.txt', body: 'plain' }, { path: 'c.txt', body: 'c' }]);
      const one = await refusal(runExportJob(t.client, c, 'plainFirst', q));
      expect(one.message).toContain('1 target key would receive more than one dataset file');
      expect(one.message).toMatch(/("\/a\.txt" and "a\.txt"|"a\.txt" and "\/a\.txt") -> s3:\/\/[^ ]+\/inc1\/a\.txt/);
      const two = await refusal(runExportJob(t.client, c, 'slashFirst', q));
      expect(two.message).toMatch(/("\/a\.txt" and "a\.txt"|"a\.txt" and "\/a\.txt") -> s3:\/\/[^ ]+\/inc2\/a\.txt/);
    });
    // The refused runs wrote nothing: the earlier objects keep their bytes, c.txt is not there.
    expect(await listKeys(outBucket, 'inc1/')).toEqual(['inc1/a.txt', 'inc1/b.txt']);
    expect(await objectSha256(outBucket, 'inc1/a.txt')).toBe(sha('plain'));
    expect(await listKeys(outBucket, 'inc2/')).toEqual(['inc2/a.txt', 'inc2/b.txt']);
    expect(await objectSha256(outBucket, 'inc2/a.txt')).toBe(sha('slash'));
  });
});
