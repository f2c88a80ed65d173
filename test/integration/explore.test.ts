import { config, minioSource, rootKeyEnv, runCli, withWorker, writeConfigFile } from '../harness/connector';
import { jsonLines, ownStderr } from '../harness/cli-output';
import { keyOfBytes, MAX_KEY_BYTES, md5Etag, putEmptyObjects, type ExploreLine } from '../harness/explore-fixtures';
import { putObjectsAsArchives } from '../harness/bulk-upload';
import { createBucket, putObjects } from '../harness/minio-admin';
import { testEnv } from '../harness/test-env';
import { explorePage } from '../../exploration/explore';
import { createSourceClient } from '../../s3/client';

const env = rootKeyEnv();
const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Paths relative to the source URL s3://BUCKET/in/, with bodies of distinct sizes. */
const awkward: Array<{ path: string; body: string }> = [
  { path: 'with space/a b.csv', body: 'a,b\n1,2\n' },
  { path: 'unicode/café 日本.txt', body: 'é日本' },
  { path: 'plus+sign.txt', body: 'plus' },
  { path: 'percent%20not-a-space%.txt', body: 'percent!' },
  { path: 'hash#tag.txt', body: 'hash' },
  { path: 'question?mark=1.txt', body: 'question' },
  { path: 'amp&ersand.txt', body: 'ampersand' },
  { path: 'xml<tag> "quoted" \'single\'.txt', body: '<xml/>' },
  { path: 'control\u0001char.txt', body: 'not XML 1.0' },
  { path: 'empty.bin', body: '' },
  { path: 'folder-marker/', body: '' },
  { path: 'nested/marker/', body: '' },
  { path: 'nested/marker/inside.txt', body: 'inside' },
  { path: keyOfBytes('in/long/', MAX_KEY_BYTES).slice('in/'.length), body: 'longest key' },
];

describe('explore', () => {
  let bucket: string;
  let raw: { sources: Record<string, Record<string, unknown>> };
  let file: string;

  beforeAll(async () => {
    Object.assign(process.env, env); // the in-test worker resolves ${env:...} from this process
    bucket = await createBucket('explore');
    await putEmptyObjects(bucket, awkward.filter((o) => o.body === '').map((o) => `in/${o.path}`));
    await putObjects(bucket, [
      ...awkward.filter((o) => o.body !== '').map((o) => ({ key: `in/${o.path}`, body: o.body })),
      { key: 'outside.txt', body: 'no' }, { key: 'inbox/sibling.txt', body: 'no' }, // outside the source URL: never listed
      { key: 'in/foo/bar/one.csv', body: '1' }, { key: 'in/foo/bar/deeper/two.csv', body: '22' },
      { key: 'in/foo/bar_baz/three.csv', body: '333' }, { key: 'in/foo/bar.csv', body: '4444' },
    ]);
    raw = { sources: {
      awk: minioSource(bucket, { url: `s3://${bucket}/in/` }),
      exact: minioSource(bucket, { url: `s3://${bucket}/in/`, matchSubfolderExactly: true }),
    } };
    file = writeConfigFile(raw);
  });

  const expectedAwkward = () => awkward.map((o) => ({
    type: 'file', path: o.path, size: Buffer.byteLength(o.body), lastModified: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/), etag: md5Etag(o.body),
  })).sort(byPath);

  it('round-trips awkward keys (spaces, unicode, + % # ? &, XML-special and control characters, a 1024-byte key, empty objects, folder markers) exactly with --recursive --json', async () => {
    expect(Buffer.byteLength(`in/${awkward.at(-1)!.path}`)).toBe(MAX_KEY_BYTES);
    const all = await runCli(['explore', 'awk', '--recursive', '--json', '--direct', '--config', file], env);
    expect(ownStderr(all.stderr)).toBe('');
    expect(all.code).toBe(0);
    const lines = jsonLines<ExploreLine>(all.stdout).filter((l) => !l.path.startsWith('foo/'));
    for (const line of lines) expect(Object.keys(line)).toEqual(['type', 'path', 'size', 'lastModified', 'etag']);
    expect(lines.sort(byPath)).toEqual(expectedAwkward());
  });

  it('lists the same awkward keys when each page runs as a workflow on a worker through Temporal', async () => {
    const result = await withWorker(config(raw), (taskQueue) => runCli(['explore', 'awk', '--recursive', '--json', '--page-size', '4',
      '--config', file, '--address', testEnv().temporalAddress, '--task-queue', taskQueue], env));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = jsonLines<ExploreLine>(result.stdout).filter((l) => !l.path.startsWith('foo/'));
    expect(lines.sort(byPath)).toEqual(expectedAwkward());
  });

  it('shows folders (common prefixes) and the files at that level when not recursive, without the folder\'s own marker object', async () => {
    const top = await runCli(['explore', 'awk', '--json', '--direct', '--config', file], env);
    expect(top.code).toBe(0);
    expect(jsonLines<ExploreLine>(top.stdout).map((l) => [l.type, l.path]).sort()).toEqual([
      ['file', 'amp&ersand.txt'], ['file', 'control\u0001char.txt'], ['file', 'empty.bin'], ['file', 'hash#tag.txt'], ['file', 'percent%20not-a-space%.txt'],
      ['file', 'plus+sign.txt'], ['file', 'question?mark=1.txt'], ['file', 'xml<tag> "quoted" \'single\'.txt'],
      ['folder', 'folder-marker/'], ['folder', 'foo/'], ['folder', 'long/'], ['folder', 'nested/'], ['folder', 'unicode/'], ['folder', 'with space/'],
    ]);
    for (const line of jsonLines<ExploreLine>(top.stdout).filter((l) => l.type === 'folder')) expect(Object.keys(line)).toEqual(['type', 'path']);
    const nested = await runCli(['explore', 'awk', 'nested/marker/', '--json', '--direct', '--config', file], env);
    expect(jsonLines<ExploreLine>(nested.stdout)).toEqual([
      { type: 'file', path: 'nested/marker/inside.txt', size: 6, lastModified: expect.any(String), etag: md5Etag('inside') },
    ]);
    const marker = await runCli(['explore', 'awk', 'folder-marker/', '--json', '--direct', '--config', file], env);
    expect([marker.code, marker.stdout]).toEqual([0, '']);
  });

  it('prints a table and the entry count for humans without --json', async () => {
    const result = await runCli(['explore', 'awk', 'foo/bar/', '--direct', '--config', file], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\s+DIR\s+foo\/bar\/deeper\/$/m);
    expect(result.stdout).toMatch(/^\s+1\s+\d{4}-\S+\s+foo\/bar\/one\.csv$/m);
    expect(ownStderr(result.stderr)).toBe('2 entries\n');
  });

  it('lists foo/bar/ and foo/bar_baz/ (a plain prefix) for subfolder foo/bar/ when matchSubfolderExactly is false, and only foo/bar/ when it is true', async () => {
    const paths = async (source: string) => {
      const result = await runCli(['explore', source, 'foo/bar/', '--recursive', '--json', '--direct', '--config', file], env);
      expect(result.code).toBe(0);
      return jsonLines<ExploreLine>(result.stdout).map((l) => l.path).sort();
    };
    // As a prefix, `foo/bar` also takes the file foo/bar.csv.
    expect(await paths('awk')).toEqual(['foo/bar.csv', 'foo/bar/deeper/two.csv', 'foo/bar/one.csv', 'foo/bar_baz/three.csv']);
    expect(await paths('exact')).toEqual(['foo/bar/deeper/two.csv', 'foo/bar/one.csv']);
  });
});

describe('explore of a prefix with 20,000 objects', () => {
  const COUNT = 20_000;
  const keyOf = (i: number) => `big/${String(i).padStart(5, '0')}.txt`;
  let bucket: string;
  let file: string;
  let raw: { sources: Record<string, Record<string, unknown>> };

  beforeAll(async () => {
    bucket = await createBucket('explore-big');
    await putObjectsAsArchives(bucket, Array.from({ length: COUNT }, (_, i) => ({ key: keyOf(i), body: String(i % 10) })));
    raw = { sources: { big: minioSource(bucket) } };
    file = writeConfigFile(raw);
  }, 300_000);

  it('streams every one of the 20,000 objects as one unique JSON line each', async () => {
    const result = await runCli(['explore', 'big', 'big/', '--recursive', '--json', '--page-size', '1000', '--direct', '--config', file], env);
    expect(result.code).toBe(0);
    const lines = jsonLines<ExploreLine>(result.stdout);
    expect(lines).toHaveLength(COUNT);
    expect(new Set(lines.map((l) => l.path))).toEqual(new Set(Array.from({ length: COUNT }, (_, i) => keyOf(i))));
    const wrong = lines.filter((l) => l.type !== 'file' || l.size !== 1 || l.etag !== md5Etag(String(Number(l.path.slice(4, 9)) % 10)));
    expect(wrong).toEqual([]);
  });

  it('fetches the listing page by page: at most 1000 entries a page, each with a token for the next until the last', async () => {
    const client = createSourceClient('big', config(raw).sources.big!);
    const sizes: number[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    do {
      const page = await explorePage(client, { path: 'big/', recursive: true, token, pageSize: 1000 });
      sizes.push(page.entries.length);
      for (const e of page.entries) seen.add(e.path);
      token = page.nextToken;
      if (sizes.length > 100) throw new Error('listing does not end');
    } while (token);
    client.s3.destroy();
    expect(sizes.length).toBeGreaterThanOrEqual(20);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1000);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(COUNT);
    expect(seen.size).toBe(COUNT);
  });
});
