import { parseConfig } from '../../config/load';
import { anySyncJob, syncJob, tableSyncJob, UnknownJobError } from '../../jobs/job';
import { loadValues, storeValues } from '../../pipelines/planned-file';
import { byFile, RowChunker } from '../../pipelines/row-chunks';
import { tableCursorOf } from '../../pipelines/table-cursor';
import type { TransactionRecord } from '../../datasets/types';
import type { TableRow, TableRowBatch } from '../../tables/table-reader';

const rows = (from: number, n: number): TableRow[] => Array.from({ length: n }, (_, i) => ({ id: BigInt(from + i) }));
async function* stream<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}
async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

describe('cutting rows into files', () => {
  it('cuts batches into chunks of at most N rows, splitting a batch across chunks and skipping empty ones', async () => {
    const chunker = new RowChunker(stream([rows(0, 3), [], rows(3, 4), rows(7, 1)]), 3);
    const chunks: number[][] = [];
    while (await chunker.hasMore()) chunks.push((await collect(chunker.chunk())).flat().map((r) => Number(r.id)));
    expect(chunks).toEqual([[0, 1, 2], [3, 4, 5], [6, 7]]);
  });

  it('says a stream of empty batches has no chunk', async () => {
    expect(await new RowChunker(stream([[], []]), 5).hasMore()).toBe(false);
  });

  it('splits a scan into one stream per file, skipping what a consumer left unread', async () => {
    const batch = (file: string, from: number): TableRowBatch => ({ file, rowGroup: 0, rows: rows(from, 2) });
    const seen: Array<[string, number[]]> = [];
    for await (const { file, batches } of byFile(stream([batch('a', 0), batch('a', 2), batch('b', 4), batch('c', 6), batch('c', 8)]))) {
      if (file === 'b') continue; // abandoned unread
      seen.push([file, (await collect(batches)).flat().map((r) => Number(r.id))]);
    }
    expect(seen).toEqual([['a', [0, 1, 2, 3]], ['c', [6, 7, 8, 9]]]);
  });
});

describe('a plan\'s partition values', () => {
  it('round-trip exactly through JSON, longs beyond 2^53 and bytes included', () => {
    const values = { n: 9007199254740993n, b: new Uint8Array([0, 255, 7]), s: 'x', d: '12.3400', t: true, f: 1.5, z: null };
    expect(loadValues(JSON.parse(JSON.stringify(storeValues(values))))).toEqual(values);
  });
});

describe('a table sync\'s cursor', () => {
  const record = (id: number, cursor?: TransactionRecord['tableCursor']): TransactionRecord => ({
    id, type: 'APPEND', committedAt: '', runKey: `r${id}`, manifests: [], fileCount: 0, bytes: 0, ...(cursor ? { tableCursor: cursor } : {}),
  });

  it('is the newest record of the job that carries one', () => {
    const records = [record(1, { job: 'j', table: 't', version: 3 }), record(2, { job: 'other', table: 't', version: 9 }), record(3)];
    expect(tableCursorOf(records, 'j')).toEqual({ cursor: { job: 'j', table: 't', version: 3 }, transaction: 1 });
    expect(tableCursorOf(records, 'none')).toBeUndefined();
  });
});

describe('resolving table sync jobs', () => {
  const { config } = parseConfig({
    sources: { a: { url: 's3://bucket-a/base/', endpoint: 'http://127.0.0.1:9000', credentials: { type: 'cloudIdentity' }, maxErrorRetries: 5 } },
    virtualTables: { orders: { source: 'a', format: 'delta', location: 'tables/orders/' }, events: { source: 'a', format: 'parquet', location: 'ev/' } },
    syncs: { copy: { source: 'a', dataset: 'raw', mode: 'bulk' } },
    tableSyncs: { 'orders-appends': { table: 'orders', dataset: 'orders_rows' }, 'events-snap': { table: 'events', dataset: 'ev', rowsPerFile: 10 } },
  });

  it('gives the workflow type, the table\'s source and its retry budget', () => {
    expect(tableSyncJob(config, 'orders-appends')).toEqual({
      kind: 'tableSync', name: 'orders-appends', source: 'a', dataset: 'orders_rows', maxErrorRetries: 5, workflowType: 'tableSync',
      table: 'orders', format: 'delta', location: 'tables/orders/', incremental: true, rowsPerFile: 250_000,
    });
    expect(tableSyncJob(config, 'events-snap')).toMatchObject({ format: 'parquet', incremental: false, rowsPerFile: 10 });
  });

  it('lets sync JOB run either kind, and names both kinds for an unknown job', () => {
    expect(anySyncJob(config, 'orders-appends').kind).toBe('tableSync');
    expect(anySyncJob(config, 'copy').kind).toBe('sync');
    expect(() => anySyncJob(config, 'nope')).toThrow(new UnknownJobError('sync job "nope" is not in the config (syncs: or tableSyncs:). Fix: use one of copy, orders-appends, events-snap.'));
    expect(() => syncJob(config, 'orders-appends')).toThrow(/is a table sync \(tableSyncs:\)/);
  });
});
