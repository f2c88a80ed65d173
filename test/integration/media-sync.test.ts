import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { createSourceRegistry } from '../../s3/source-registry';
import { Upload } from '@aws-sdk/lib-storage';
import { Dataset } from '../../datasets/dataset';
import { fromJsonLines } from '../../datasets/jsonl';
import { localBackend } from '../../datasets/local-backend';
import { s3Backend } from '../../datasets/s3-backend';
import { inspectFile } from '../../media/inspect';
import { jsonLines, ownStderr } from '../harness/cli-output';
import { config, minioSource, rootKeyEnv, runCli, withWorker, writeConfigFile } from '../harness/connector';
import { makeBigVideo, makeJpeg, makeMediaFixtures } from '../harness/media-fixtures';
import { adminS3, createBucket, putObjects } from '../harness/minio-admin';
import { testEnv } from '../harness/test-env';
import { localDataset, runSyncJob, temporalClient } from '../harness/sync-runner';

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const ALLOWED = ['image/png', 'image/jpeg', 'image/tiff', 'image/webp', 'application/pdf', 'audio/wav', 'audio/mpeg', 'video/mp4'];

describe('media sets: typed items with metadata, synced by mediaSync', () => {
  let bucket: string;
  let storeRoot: string;
  let fixturesRoot: string;
  let files: Record<string, string>;
  let t: Awaited<ReturnType<typeof temporalClient>>;
  const raw = () => ({
    datasetStore: storeRoot,
    sources: { src: minioSource(bucket) },
    syncs: {
      media: { source: 'src', subfolder: 'media/', dataset: 'media_set', mode: 'media', mediaTypes: ALLOWED },
      viaCli: { source: 'src', subfolder: 'media/', dataset: 'media_cli', mode: 'media', mediaTypes: ['image/png', 'video/mp4'] },
      big: { source: 'src', subfolder: 'big/', dataset: 'big_media', mode: 'media', mediaTypes: ['video/mp4'] },
    },
  });
  const store = () => localBackend(storeRoot);
  const skippedReport = async (dataset: string, runKey: string) =>
    fromJsonLines<{ key: string; reason: string }>((await store().read(`${dataset}/reports/${runKey}/skipped-000001.jsonl`))!);

  beforeAll(async () => {
    Object.assign(process.env, rootKeyEnv());
    t = await temporalClient();
    bucket = await createBucket('media');
    storeRoot = mkdtempSync(join(tmpdir(), 'media-store-'));
    fixturesRoot = mkdtempSync(join(tmpdir(), 'media-fixtures-'));
    files = makeMediaFixtures(fixturesRoot);
    await putObjects(bucket, Object.entries(files).map(([name, path]) => ({ key: `media/${name}`, body: readFileSync(path) })));
  });
  // The store holds ~280 MB of media blobs: left in /tmp by every run, they filled the disk.
  afterAll(async () => {
    await t.close();
    for (const dir of [storeRoot, fixturesRoot]) rmSync(dir, { recursive: true, force: true });
  });

  it('imports every allowed type with the metadata read from its bytes, and rejects damaged, empty, disallowed and duplicate objects with their reasons', async () => {
    const cfg = config(raw());
    const result = await withWorker(cfg, (q) => runSyncJob(t.client, cfg, 'media', q));
    expect(result).toMatchObject({ status: 'completed', transaction: 1, transactionType: 'APPEND', filesAdded: 9, filesSkipped: 5 });
    expect(result.workflowId).toMatch(/^mediaSync\//);
    const view = await localDataset(storeRoot, 'media_set').view();
    const item = (name: string) => view.get(`media/${name}`);
    expect([...view.keys()].sort()).toEqual(['clip.mp4', 'disguised.jpg', 'doc.pdf', 'photo.jpg', 'pixel.png', 'scan.tif', 'song.mp3', 'tone.wav', 'web.webp'].map((n) => `media/${n}`));
    // Item identity is the SHA-256 of the bytes.
    for (const [name, entry] of view) expect(entry.sha256).toBe(sha(readFileSync(files[name.slice('media/'.length)]!)));

    expect(item('photo.jpg')).toMatchObject({ mediaType: 'image/jpeg', metadata: { width: 640, height: 480, format: 'jpeg', orientation: 6, capturedAt: '2024-05-06T07:08:09' } });
    expect(item('pixel.png')).toMatchObject({ mediaType: 'image/png', metadata: { width: 64, height: 48, format: 'png' } });
    expect(item('pixel.png')!.metadata).not.toHaveProperty('capturedAt');
    expect(item('scan.tif')).toMatchObject({ mediaType: 'image/tiff', metadata: { width: 320, height: 200, format: 'tiff' } });
    expect(item('web.webp')).toMatchObject({ mediaType: 'image/webp', metadata: { width: 120, height: 80, format: 'webp' } });
    expect(item('disguised.jpg')).toMatchObject({ mediaType: 'image/png', metadata: { width: 30, height: 20, format: 'png' } });
    expect(item('doc.pdf')).toMatchObject({ mediaType: 'application/pdf', metadata: { pages: 3 } });
    expect(item('tone.wav')).toMatchObject({ mediaType: 'audio/wav', metadata: { durationSeconds: 1.5, sampleRate: 22050, channels: 1, codec: 'PCM' } });
    expect(item('song.mp3')).toMatchObject({ mediaType: 'audio/mpeg', metadata: { sampleRate: 44100, codec: 'MPEG 1 Layer 3' } });
    expect(item('song.mp3')!.metadata!.durationSeconds).toBeCloseTo(2, 1);
    expect(item('clip.mp4')).toMatchObject({ mediaType: 'video/mp4', metadata: { width: 320, height: 240, codec: 'avc1', audioCodec: 'MPEG-4/AAC', sampleRate: 48000 } });
    expect(item('clip.mp4')!.metadata!.durationSeconds).toBeCloseTo(2, 1);

    const reasons = Object.fromEntries((await skippedReport('media_set', result.runKey)).map((s) => [s.key.slice('media/'.length), s.reason]));
    expect(reasons).toEqual({
      // libvips words the failure differently from run to run ("premature end", "failOn setting").
      'truncated.jpg': expect.stringMatching(/^rejected: damaged image\/jpeg: the image cannot be decoded \(/),
      'empty.png': 'rejected: empty file (0 bytes)',
      'archive.zip': expect.stringMatching(/^rejected: type application\/zip is not in mediaTypes \(image\/png, /),
      'notes.txt': 'rejected: type not recognised from the bytes',
      'photo_copy.jpg': `duplicate of media/photo.jpg (item ${sha(readFileSync(files['photo.jpg']!))})`,
    });
  });

  it('settles rejected and duplicate objects in the index: they are not fetched again until they change, and later copies of an item stay duplicates', async () => {
    const cfg = config(raw());
    const dataset = localDataset(storeRoot, 'media_set');
    await withWorker(cfg, async (q) => {
      const again = await runSyncJob(t.client, cfg, 'media', q);
      expect(again).toMatchObject({ filesAdded: 0, filesSkipped: 0 });
      expect(again.transaction).toBeUndefined();

      // The same bytes under a new key, in a later run: still one item.
      await putObjects(bucket, [{ key: 'media/later/photo-again.jpg', body: readFileSync(files['photo.jpg']!) }]);
      const dup = await runSyncJob(t.client, cfg, 'media', q);
      // A run that only settled objects commits an empty transaction carrying the index.
      expect(dup).toMatchObject({ transaction: 2, filesAdded: 0, filesSkipped: 1 });
      expect(await skippedReport('media_set', dup.runKey)).toEqual([{ key: 'media/later/photo-again.jpg', reason: expect.stringMatching(/^duplicate of media\/photo\.jpg /) }]);
      expect((await runSyncJob(t.client, cfg, 'media', q)).transaction).toBeUndefined();

      // A rejected object that is repaired (a new ETag) is fetched again and imported at its own path.
      const fixed = makeJpeg(join(mkdtempSync(join(tmpdir(), 'media-fixed-')), 'fixed.jpg'), '200x100');
      await adminS3().send(new PutObjectCommand({ Bucket: bucket, Key: 'media/truncated.jpg', Body: readFileSync(fixed) }));
      const repaired = await runSyncJob(t.client, cfg, 'media', q);
      expect(repaired).toMatchObject({ transaction: 3, filesAdded: 1, filesSkipped: 0 });
    });
    const view = await dataset.view();
    expect(view.size).toBe(10);
    expect(view.get('media/truncated.jpg')).toMatchObject({ transaction: 3, mediaType: 'image/jpeg', metadata: { width: 200, height: 100, format: 'jpeg' } });
  });

  it('runs a media job from `sync --wait --json` as mediaSync, and `datasets files` and `show` list its items with type and metadata', async () => {
    const file = writeConfigFile(raw());
    const synced = await withWorker(config(raw()), (q) => runCli(['sync', 'viaCli', '--wait', '--json', '--config', file,
      '--address', testEnv().temporalAddress, '--task-queue', q]));
    expect(ownStderr(synced.stderr)).toBe('');
    expect(synced.code).toBe(0);
    expect(jsonLines(synced.stdout).at(-1)).toMatchObject({ workflowId: 'mediaSync/viaCli', status: 'completed', transaction: 1, filesAdded: 3 });

    const listed = await runCli(['datasets', 'files', 'media_cli', '--json', '--config', file]);
    expect(listed.code).toBe(0);
    const byPath = Object.fromEntries(jsonLines<{ path: string; mediaType: string; metadata: Record<string, unknown> }>(listed.stdout).map((l) => [l.path, l]));
    expect(Object.keys(byPath).sort()).toEqual(['media/clip.mp4', 'media/disguised.jpg', 'media/pixel.png']);
    expect(byPath['media/pixel.png']).toMatchObject({ sha256: sha(readFileSync(files['pixel.png']!)), mediaType: 'image/png', metadata: { width: 64, height: 48, format: 'png' } });
    expect(byPath['media/clip.mp4']).toMatchObject({ mediaType: 'video/mp4', metadata: { width: 320, height: 240, codec: 'avc1' } });
    const human = await runCli(['datasets', 'files', 'media_cli', '--config', file]);
    expect(human.stdout).toMatch(/media\/disguised\.jpg +image\/png +\{"width":30,"height":20,"format":"png"\}/);

    const shown = await runCli(['datasets', 'show', 'media_cli', '--json', '--config', file]);
    expect(jsonLines(shown.stdout)[0]).toMatchObject({ files: 3, mediaTypes: { 'image/png': 2, 'video/mp4': 1 } });
  });

  it('shows the detected type and metadata of media objects in `preview`, from their bytes, whatever their name', async () => {
    const file = writeConfigFile(raw());
    const preview = async (key: string) => {
      const result = await runCli(['preview', 'src', key, '--json', '--direct', '--config', file]);
      expect(ownStderr(result.stderr)).toBe('');
      expect(result.code).toBe(0);
      return jsonLines<Record<string, unknown>>(result.stdout)[0]!;
    };
    expect(await preview('media/photo.jpg')).toMatchObject({ mediaType: 'image/jpeg', metadata: { width: 640, height: 480, orientation: 6, capturedAt: '2024-05-06T07:08:09' } });
    expect(await preview('media/disguised.jpg')).toMatchObject({ mediaType: 'image/png', metadata: { width: 30, height: 20 } });
    expect(await preview('media/doc.pdf')).toMatchObject({ mediaType: 'application/pdf', metadata: { pages: 3 } });
    expect(await preview('media/tone.wav')).toMatchObject({ mediaType: 'audio/wav', metadata: { sampleRate: 22050, durationSeconds: 1.5 } });
    expect(await preview('media/clip.mp4')).toMatchObject({ mediaType: 'video/mp4', metadata: { width: 320, height: 240, codec: 'avc1' } });
    const human = await runCli(['preview', 'src', 'media/song.mp3', '--direct', '--config', file]);
    expect(human.stdout).toMatch(/^media\/song\.mp3: audio\/mpeg, \d+ bytes\n {2}durationSeconds +2\.0\d*\n/);
    expect(human.stdout).toMatch(/ {2}sampleRate +44100\n/);
  });

  it('reads the metadata of a video of a few hundred MB without loading the whole file, in preview and in the sync', async () => {
    const video = join(mkdtempSync(join(tmpdir(), 'media-big-')), 'big.mp4');
    const size = makeBigVideo(video);
    expect(size).toBeGreaterThan(200 * 1024 * 1024);
    await new Upload({ client: adminS3(), params: { Bucket: bucket, Key: 'big/big.mp4', Body: createReadStream(video) }, partSize: 16 << 20, queueSize: 4 }).done();
    const expected = { width: 640, height: 480, codec: 'avc1', durationSeconds: 20 };

    const file = writeConfigFile(raw());
    const pv = await runCli(['preview', 'src', 'big/big.mp4', '--json', '--direct', '--config', file]);
    expect(pv.code).toBe(0);
    const p = jsonLines<{ size: number; bytesRead: number }>(pv.stdout)[0]!;
    expect(p).toMatchObject({ mediaType: 'video/mp4', size, metadata: expected });
    // The header, a seek over the media data, the moov atom at the end: a few ranged reads.
    expect(p.bytesRead).toBeLessThan(2 * 1024 * 1024);

    const cfg = config(raw());
    const result = await withWorker(cfg, (q) => runSyncJob(t.client, cfg, 'big', q));
    expect(result).toMatchObject({ transaction: 1, filesAdded: 1, bytes: size });
    const entry = (await localDataset(storeRoot, 'big_media').view()).get('big/big.mp4')!;
    expect(entry).toMatchObject({ mediaType: 'video/mp4', size, metadata: expected });
    // What the sync's inspection reads of the landed blob, counted: the same bounded ranges.
    const inspection = await inspectFile(join(storeRoot, entry.blob), ['video/mp4']);
    expect(inspection).toMatchObject({ ok: true, metadata: entry.metadata });
    expect(inspection.bytesRead).toBeLessThan(2 * 1024 * 1024);
  });

  it('inspects blobs in a dataset store inside an S3 source too, and keeps no blob of a rejected or duplicate object there', async () => {
    const storeBucket = await createBucket('mstore');
    const names = ['photo.jpg', 'photo_copy.jpg', 'pixel.png', 'truncated.jpg'];
    await putObjects(bucket, names.map((n) => ({ key: `s3store/${n}`, body: readFileSync(files[n]!) })));
    const rawS3 = {
      datasetStore: 'store',
      sources: { src: minioSource(bucket), store: minioSource(storeBucket) },
      syncs: { m: { source: 'src', subfolder: 's3store/', dataset: 'media_s3', mode: 'media', mediaTypes: ['image/png', 'image/jpeg'] } },
    };
    const cfg = config(rawS3);
    const result = await withWorker(cfg, (q) => runSyncJob(t.client, cfg, 'm', q));
    expect(result).toMatchObject({ transaction: 1, filesAdded: 2, filesSkipped: 2 });
    const dataset = new Dataset(s3Backend(createSourceRegistry(cfg).get('store')), 'media_s3');
    const view = await dataset.view();
    expect(view.get('s3store/photo.jpg')).toMatchObject({ mediaType: 'image/jpeg', metadata: { width: 640, height: 480, orientation: 6, capturedAt: '2024-05-06T07:08:09' } });
    expect(view.get('s3store/pixel.png')).toMatchObject({ mediaType: 'image/png', metadata: { width: 64, height: 48 } });
    const blobs = ((await adminS3().send(new ListObjectsV2Command({ Bucket: storeBucket, Prefix: 'media_s3/blobs/' }))).Contents ?? []).map((o) => o.Key!);
    expect(blobs.sort()).toEqual([...view.values()].map((e) => e.blob).sort());
  });
});
