import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

describe('the demo (README command 1)', () => {
  it('shows every capability on its own servers: probes, syncs, a media set of a real image, a virtual table and an export', async () => {
    const { code, out } = await new Promise<{ code: number; out: string }>((ok) => {
      // CI=1: unattended, it stops its servers and exits instead of waiting for Ctrl-C.
      execFile(process.execPath, [resolve(ROOT, 'dist', 'scripts', 'demo.js')], { cwd: ROOT, env: { ...process.env, CI: '1' }, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => ok({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` }));
    });
    expect({ code, tail: code === 0 ? '' : out.slice(-3000) }).toEqual({ code: 0, tail: '' });
    expect(out).toMatch(/ok +s3:ListBucket/);
    expect(out).toMatch(/media\/logo\.png: image\/png, \d+ bytes\n +width +96\n +height +96/); // a real image, not a damaged one
    // Two distinct CSVs land as two files of the snapshot.
    expect(out).toMatch(/bulkImport\/orders-snapshot \(run [\w-]+\) completed: transaction 1 \(SNAPSHOT\), 2 file\(s\) added/);
    expect(out).toMatch(/incrementalSync\/orders-incremental \(run [\w-]+\) completed: transaction 2 \(UPDATE\), 2 file\(s\) added/);
    expect(out).toMatch(/mediaSync\/logos \(run [\w-]+\) completed: transaction 1 \(APPEND\), 1 file\(s\) added/);
    expect(out).toContain('media/logo.png  image/png  {"width":96,"height":96,"format":"png"}');
    expect(out).toMatch(/table orders-table: delta at s3:\/\/demo-landing\/partner-a\/tables\/orders\/[^\n]*\n +version +1 /);
    expect(out).toContain('{"order_id":21,"customer":"customer-0","amount":280.77}');
    expect(out).toMatch(/5 rows of table orders-table version 1/);
    expect(out).toMatch(/fileExport\/to-partner \(run [\w-]+\) completed: exported 3 file\(s\)/);
  });
});
