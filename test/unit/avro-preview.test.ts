/**
 * The first rows of one Avro file for `preview SOURCE KEY` (tables/avro/preview.ts), over a byte
 * source that counts what it is asked for: fastavro's files of every codec give the rows fastavro
 * reads (scripts/fixtures/avro_preview.py), from one 64 KiB read of the head; damaged files fail
 * saying what is wrong.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../harness/temp-dir';
import { previewAvroRows } from '../../tables/avro/preview';
import type { ByteSource } from '../../tables/storage';

const root = resolve(__dirname, '..', '..');
const python = join(root, '.tools', 'venv', 'bin', 'python');
let out: string;

beforeAll(() => {
  if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/install-test-tools.sh`);
  out = tempDir('avro-preview-');
  execFileSync(python, [join(root, 'scripts', 'fixtures', 'make_avro_tables.py'), out], { stdio: 'inherit' });
  execFileSync(python, [join(root, 'scripts', 'fixtures', 'avro_preview.py'), 'write', join(out, 'big.avro'), 'deflate', '20000'], { stdio: 'inherit' });
});

/** The bytes as a byte source, with the ranges asked for. */
function source(bytes: Uint8Array): ByteSource & { reads: Array<[number, number]> } {
  const reads: Array<[number, number]> = [];
  return {
    byteLength: bytes.length,
    reads,
    async slice(start, end = bytes.length) {
      reads.push([start, end]);
      // A copy: Buffer's slice shares its pool's ArrayBuffer.
      return new Uint8Array(bytes.subarray(start, end)).buffer;
    },
  };
}

/** fastavro's reading of the first `n` rows, in the preview's cell forms. */
function oracle(file: string, n: number): { columns: string[]; rows: unknown[][] } {
  return JSON.parse(execFileSync(python, [join(root, 'scripts', 'fixtures', 'avro_preview.py'), 'read', file, String(n)], { encoding: 'utf8' }));
}

/** Cells as the preview shows them: longs as their digits. */
const shown = (rows: unknown[][]) => rows.map((r) => r.map((c) => (typeof c === 'bigint' ? c.toString() : c)));

describe('Avro preview rows', () => {
  it.each(['null', 'deflate', 'snappy', 'zstandard'])('gives the rows fastavro reads from a %s file, from one read of its head', async (codec) => {
    const file = join(out, 'codecs', `part-${codec}.avro`);
    const bytes = source(readFileSync(file));
    const preview = await previewAvroRows(bytes, `part-${codec}.avro`, 25);
    const expected = oracle(file, 25);
    expect(preview.codec).toBe(codec);
    expect(preview.columns).toEqual(expected.columns);
    expect(shown(preview.rows)).toEqual(expected.rows);
    expect(typeof preview.rows[0]![0]).toBe('bigint');
    expect(bytes.reads).toEqual([[0, bytes.byteLength]]);
  });

  it('reads only the first 64 KiB of a large file for a few rows', async () => {
    const file = join(out, 'big.avro');
    const bytes = source(readFileSync(file));
    const preview = await previewAvroRows(bytes, 'big.avro', 3);
    expect(shown(preview.rows)).toEqual(oracle(file, 3).rows);
    expect(bytes.byteLength).toBeGreaterThan(200_000);
    expect(bytes.reads).toEqual([[0, 65536]]);
  });

  it('fails naming the problem on a file that is no Avro, or is cut short', async () => {
    await expect(previewAvroRows(source(new TextEncoder().encode('id,name\n1,a\n'.repeat(3))), 'x.avro', 5)).rejects.toThrow('x.avro: not an Avro object container file');
    const whole = readFileSync(join(out, 'codecs', 'part-null.avro'));
    await expect(previewAvroRows(source(whole.subarray(0, whole.length - 40)), 'cut.avro', 100)).rejects.toThrow(/cut\.avro: truncated/);
  });
});
