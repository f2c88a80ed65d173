/**
 * Temp folders that a test file removes when its tests are done. Unit tests run without the
 * global setup, which otherwise points TMPDIR into the run's folder and empties it afterwards;
 * with this they leave nothing in /tmp either. Import it at the top of a test file: the import
 * registers the file's afterAll.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new empty folder under the temp folder, removed after the file's tests. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
