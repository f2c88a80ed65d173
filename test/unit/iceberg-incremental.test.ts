/**
 * Incremental append reads of Iceberg tables (tables/iceberg/incremental.ts) on a table written
 * by pyiceberg 0.12.0 into a local warehouse (scripts/fixtures/iceberg_appends.py build-read):
 * every range of main's snapshots without an overwrite or delete read and compared row by row
 * with pyiceberg's incremental_append_scan of the same range; ranges crossing the delete and the
 * overwrite refused naming the snapshot's exact 64-bit id and operation; a start that is not an
 * ancestor refused naming both snapshots.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../harness/temp-dir';
import { LocalTableStorage } from '../../tables/storage-local';
import { jsonLineOfRow, parseJsonLineExact } from '../../tables/serialize';
import { IcebergNotAnAppendError, openIcebergAppends } from '../../tables/iceberg/incremental';
import { IcebergSnapshotNotFoundError } from '../../tables/iceberg';
import type { TableRow } from '../../tables/table-reader';

const root = resolve(__dirname, '..', '..');

/** What build-read prints. */
export interface AppendsFixture {
  location: string;
  chain: string[];
  labels: Record<string, string>;
  side: string;
  operations: Record<string, string>;
  ranges: Array<{ from: string; to: string; file: string; rows: number }>;
}

let out: string;
let fixture: AppendsFixture;

beforeAll(() => {
  const python = join(root, '.tools', 'venv', 'bin', 'python');
  if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/install-test-tools.sh`);
  out = tempDir('iceberg-appends-');
  const printed = execFileSync(python, [join(root, 'scripts', 'fixtures', 'iceberg_appends.py'), out, '--warehouse', `file://${out}/wh`, 'build-read'], { encoding: 'utf8' });
  fixture = JSON.parse(printed.trim().split('\n').pop() as string) as AppendsFixture;
}, 120_000);

/** Rows parsed from exact JSON text, sorted. */
function canonical(lines: string[]): unknown[] {
  const key = (r: unknown) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  return lines.filter((l) => l !== '').map((l) => parseJsonLineExact(l)).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** The id of the snapshot build-read labelled `name`. */
function label(name: string): string {
  const id = fixture.labels[name];
  if (id === undefined) throw new Error(`the fixture has no snapshot labelled ${name}`);
  return id;
}

/** pyiceberg's rows of a range, parsed and sorted. */
function oracleOf(range: AppendsFixture['ranges'][number]): unknown[] {
  return canonical(readFileSync(join(out, range.file), 'utf8').split('\n'));
}

async function appendedLines(since: string, until?: string): Promise<string[]> {
  const storage = new LocalTableStorage(fileURLToPath(fixture.location));
  const appends = await openIcebergAppends(storage, { since: BigInt(since), until: until === undefined ? undefined : BigInt(until) });
  const lines: string[] = [];
  for (const { file } of await appends.files()) for await (const batch of appends.scanFile(file)) for (const row of batch.rows) lines.push(jsonLineOfRow(row));
  return lines;
}

describe('incremental append reads of an Iceberg table', () => {
  it('reads every range of append and replace snapshots as pyiceberg\'s incremental_append_scan does, row for row', async () => {
    expect(fixture.ranges.length).toBeGreaterThanOrEqual(10);
    expect(fixture.ranges.some((r) => r.rows > 0 && fixture.chain.indexOf(r.from) < fixture.chain.indexOf(label('replace')) && fixture.chain.indexOf(r.to) > fixture.chain.indexOf(label('replace')))).toBe(true);
    for (const range of fixture.ranges) {
      const oracle = canonical(readFileSync(join(out, range.file), 'utf8').split('\n'));
      expect(oracle.length).toBe(range.rows);
      expect({ range, rows: canonical(await appendedLines(range.from, range.to)) }).toEqual({ range, rows: oracle });
    }
  });

  it('applies --where and --columns to the appended rows: the oracle\'s rows with k = \'a\', id only', async () => {
    const range = fixture.ranges.reduce((a, b) => (b.rows > a.rows ? b : a));
    const storage = new LocalTableStorage(fileURLToPath(fixture.location));
    const appends = await openIcebergAppends(storage, { since: BigInt(range.from), until: BigInt(range.to) });
    const lines: string[] = [];
    for (const { file } of await appends.files()) for await (const batch of appends.scanFile(file, { columns: ['id'], where: "k = 'a'" })) for (const row of batch.rows) lines.push(jsonLineOfRow(row));
    const expected = (oracleOf(range) as TableRow[]).filter((r) => r.k === 'a').map((r) => jsonLineOfRow({ id: r.id ?? null }));
    expect(expected.length).toBeGreaterThan(0);
    expect(canonical(lines)).toEqual(canonical(expected));
  });

  it('skips a replace (compaction) snapshot: the range across it holds the appends only, not the rewritten files', async () => {
    const [a2, replace] = [label('a2'), label('replace')];
    expect(fixture.operations[replace]).toBe('replace');
    expect(await appendedLines(a2, replace)).toEqual([]);
  });

  it('refuses a range with a delete or an overwrite snapshot, naming its exact 64-bit id and operation', async () => {
    const [a1, a3, a4, del, overwrite] = ['a1', 'a3', 'a4', 'delete', 'overwrite'].map(label) as [string, string, string, string, string];
    expect(BigInt(del) > BigInt(Number.MAX_SAFE_INTEGER) || BigInt(overwrite) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    await expect(appendedLines(a3, a4)).rejects.toThrow(new RegExp(`snapshot ${del} is not an append \\(operation delete\\)`));
    await expect(appendedLines(a1, a4)).rejects.toThrow(IcebergNotAnAppendError);
    // The newest offending snapshot is named: walking back from the current one meets the overwrite first.
    await expect(appendedLines(a1)).rejects.toThrow(new RegExp(`snapshot ${overwrite} is not an append \\(operation overwrite\\)`));
  });

  it('refuses a start that is not an ancestor of the end, naming both', async () => {
    const current = fixture.chain[fixture.chain.length - 1] as string;
    const err = await appendedLines(fixture.side).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IcebergSnapshotNotFoundError);
    expect((err as Error).message).toContain(`snapshot ${fixture.side} is not an ancestor of snapshot ${current}`);
    // Backwards (the end older than the start) is not an ancestor either.
    await expect(appendedLines(label('a3'), label('a1'))).rejects.toThrow(`snapshot ${label('a3')} is not an ancestor of snapshot ${label('a1')}`);
  });

  it('refuses a snapshot id that is not in the table', async () => {
    await expect(appendedLines('9223372036854775807')).rejects.toThrow('the start (--since) snapshot 9223372036854775807 is not among the table\'s snapshots');
  });
});
