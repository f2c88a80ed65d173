import { jobSummary } from '../../client/start-job';
import { runUrl, webUiBase } from '../../client/web-ui';
import { parseConfig } from '../../config/load';
import { exportJob, syncJob } from '../../jobs/job';

describe('links into the Temporal Web UI', () => {
  it('uses TEMPORAL_UI_URL when set, and the dev UI for the dev server default address', () => {
    expect(webUiBase('temporal.corp:7233', { TEMPORAL_UI_URL: 'https://temporal.corp/' })).toBe('https://temporal.corp');
    expect(webUiBase('localhost:7233', {})).toBe('http://localhost:8233');
    expect(webUiBase('127.0.0.1:7233', {})).toBe('http://127.0.0.1:8233');
  });

  it('gives no link when the UI address cannot be known', () => {
    expect(webUiBase('temporal.corp:7233', {})).toBeUndefined();
    expect(runUrl('10.0.0.5:7233', 'default', 'bulkImport/a', 'r', {})).toBeUndefined();
  });

  it("links a run's history page, with the workflow ID's slash encoded", () => {
    expect(runUrl('localhost:7233', 'default', 'bulkImport/orders', '0f1e', {})).toBe('http://localhost:8233/namespaces/default/workflows/bulkImport%2Forders/0f1e/history');
  });
});

describe("a job run's static summary in the Web UI", () => {
  const { config } = parseConfig({
    sources: {
      lake: { url: 's3://lake/in/', endpoint: 'http://127.0.0.1:9000', credentials: { type: 'accessKey', accessKeyId: 'k', secretAccessKey: '${env:SECRET}' }, exports: { enabled: true } },
    },
    syncs: { orders: { source: 'lake', dataset: 'orders', mode: 'incremental' } },
    exports: { back: { dataset: 'orders', source: 'lake', pathPrefix: 'out/' } },
  });

  it('says what the run moves, from where to where, and how', () => {
    expect(jobSummary(syncJob(config, 'orders'))).toBe('incremental sync orders: source lake -> dataset orders (APPEND transaction)');
    expect(jobSummary(exportJob(config, 'back'))).toBe('full export back: dataset orders -> s3://lake/in/out (source lake)');
  });

  it('never carries a secret reference', () => {
    expect(jobSummary(syncJob(config, 'orders'))).not.toContain('SECRET');
  });
});
