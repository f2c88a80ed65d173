import { Client, Connection } from '@temporalio/client';
import { createBucket, createUser, putObjects } from '../harness/minio-admin';
import { config, minioSource, withWorker } from '../harness/connector';
import { testEnv } from '../harness/test-env';

/** Every string and every binary payload (decoded as UTF-8) in a history, as one text. */
function historyText(value: unknown, out: string[] = []): string[] {
  if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (typeof value === 'string') out.push(value);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) historyText(v, out);
  return out;
}

describe('secrets', () => {
  it('never enter workflow inputs, results or history: workflows carry the source name only', async () => {
    const bucket = await createBucket('secrets');
    await putObjects(bucket, [{ key: 'in/data.csv', body: 'a,b\n1,2\n' }]);
    const user = createUser(`secret-${Date.now()}`, [
      { Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetObject'], Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`] },
    ]);
    process.env.HISTORY_TEST_KEY = user.accessKeyId;
    process.env.HISTORY_TEST_SECRET = user.secretAccessKey;
    const cfg = config({ sources: { src: minioSource(bucket, {
      credentials: { type: 'accessKey', accessKeyId: '${env:HISTORY_TEST_KEY}', secretAccessKey: '${env:HISTORY_TEST_SECRET}' },
    }) } });
    const connection = await Connection.connect({ address: testEnv().temporalAddress });
    try {
      const client = new Client({ connection });
      const ids = await withWorker(cfg, async (taskQueue) => {
        const start = (type: string, extra: object) => client.workflow.start(type, {
          taskQueue, workflowId: `${type}/src/${Math.random().toString(36).slice(2)}`, args: [{ source: 'src', maxErrorRetries: 1, ...extra }],
        });
        const handles = [
          await start('checkSource', {}),
          await start('exploreSource', { request: { path: '', recursive: true } }),
          await start('previewSource', { path: 'in/data.csv', limit: 5 }),
        ];
        await Promise.all(handles.map((h) => h.result()));
        return handles.map((h) => h.workflowId);
      });
      for (const id of ids) {
        const history = historyText(await client.workflow.getHandle(id).fetchHistory()).join('\n');
        expect(history).toContain('"source":"src"');
        expect(history).not.toContain(user.secretAccessKey);
        expect(history).not.toContain(user.accessKeyId);
      }
    } finally {
      await connection.close();
    }
  });
});
