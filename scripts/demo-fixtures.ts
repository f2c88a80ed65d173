/**
 * What the demo puts in its bucket besides CSV and JSON lines: a real PNG logo (drawn by sharp,
 * so the media sync reads its dimensions) and a two-version Delta table written the way Delta
 * writers do (Parquet data files by the project's Parquet writer, a JSON commit per version).
 */
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import type { DeltaField } from '../tables/delta/schema';
import { encodeParquet } from '../tables/parquet-writer';
import type { TableRow, TableSchema } from '../tables/table-reader';

/** A 96 × 96 PNG: a blue square with a lighter inner square. */
export async function demoLogo(): Promise<Buffer> {
  const inner = await sharp({ create: { width: 48, height: 48, channels: 3, background: '#9ecbff' } }).png().toBuffer();
  return sharp({ create: { width: 96, height: 96, channels: 3, background: '#1f6feb' } }).composite([{ input: inner, top: 24, left: 24 }]).png().toBuffer();
}

const field = (name: string, type: DeltaField['type'], nullable = false): DeltaField => ({ name, type, nullable, metadata: {}, physicalName: name });

const SCHEMA: TableSchema = {
  kind: 'struct',
  fields: [
    field('order_id', { kind: 'primitive', name: 'long' }),
    field('customer', { kind: 'primitive', name: 'string' }),
    field('amount', { kind: 'primitive', name: 'double' }),
  ],
};

/** The schema as Delta's `schemaString` writes it. */
function schemaString(): string {
  return JSON.stringify({ type: 'struct', fields: SCHEMA.fields.map((f) => ({ name: f.name, type: (f.type as { name: string }).name, nullable: f.nullable, metadata: {} })) });
}

async function parquetOf(rows: TableRow[]): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of encodeParquet(SCHEMA, [rows])) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The objects of a Delta table (keys relative to its folder), in the order a writer writes them: version 0 writes 20 orders, version 1 appends 5. */
export async function demoDeltaTable(now = Date.now()): Promise<Array<[string, Buffer]>> {
  const rows = (from: number, count: number): TableRow[] => Array.from({ length: count }, (_, i) => ({
    order_id: BigInt(from + i), customer: `customer-${(from + i) % 7}`, amount: Math.round((from + i) * 1337) / 100,
  }));
  const files: Array<[string, Buffer]> = [];
  const commit = (version: number, lines: object[]) => files.push([`_delta_log/${String(version).padStart(20, '0')}.json`, Buffer.from(`${lines.map((l) => JSON.stringify(l)).join('\n')}\n`)]);
  const add = (path: string, data: Buffer, at: number) => ({ add: { path, partitionValues: {}, size: data.length, modificationTime: at, dataChange: true } });
  const first = await parquetOf(rows(1, 20));
  const second = await parquetOf(rows(21, 5));
  files.push(['part-00000-v0.zstd.parquet', first]);
  commit(0, [
    { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
    { metaData: { id: randomUUID(), format: { provider: 'parquet', options: {} }, schemaString: schemaString(), partitionColumns: [], configuration: {}, createdTime: now - 60_000 } },
    add('part-00000-v0.zstd.parquet', first, now - 60_000),
    { commitInfo: { timestamp: now - 60_000, operation: 'WRITE', operationParameters: { mode: 'ErrorIfExists' } } },
  ]);
  files.push(['part-00000-v1.zstd.parquet', second]);
  commit(1, [add('part-00000-v1.zstd.parquet', second, now), { commitInfo: { timestamp: now, operation: 'WRITE', operationParameters: { mode: 'Append' } } }]);
  return files;
}
