import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { threadModule } from '../../datasets/thread-module';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'thread-module-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('locating the module a thread runs', () => {
  it('takes the compiled sibling when there is one, with no flags of its own', () => {
    writeFileSync(join(dir, 'entry.js'), '');
    writeFileSync(join(dir, 'entry.ts'), '');
    expect(threadModule(dir, 'entry')).toEqual({ filename: join(dir, 'entry.js') });
  });

  it('runs the TypeScript source through tsx when nothing is compiled', async () => {
    writeFileSync(join(dir, 'entry.ts'), "import { parentPort } from 'node:worker_threads';\nconst answer: number = 42;\nparentPort!.postMessage(answer);\n");
    const found = threadModule(dir, 'entry');
    expect(found).toEqual({ filename: join(dir, 'entry.ts'), execArgv: ['--require', expect.stringMatching(/tsx.*cjs/)] });
    const worker = new Worker(found.filename, { execArgv: found.execArgv });
    await expect(new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject))).resolves.toBe(42);
    await worker.terminate();
  });

  it('names the missing module and how to build it when there is neither', () => {
    expect(() => threadModule(dir, 'entry')).toThrow(`the thread module ${join(dir, 'entry.js')} is missing. Fix: build the connector (npm run build)`);
  });
});
