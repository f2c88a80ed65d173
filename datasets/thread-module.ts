/**
 * Finds the module a worker thread runs, next to the module that starts it, however the code runs:
 * - built (dist/, how production, the CLI and the bench's connector run): the sibling `.js`, which
 *   tsc compiled with the rest;
 * - from TypeScript sources (jest, whose @swc/jest transform covers its own module loader only,
 *   and tsx): the sibling `.ts`, with tsx's CommonJS hooks preloaded in the thread (tsx is a
 *   devDependency). `--require tsx/cjs` is used, not `--import tsx`: on Node 20 a thread's
 *   `--import` hooks do not apply to its own entry module.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The file a Worker is started with, and the flags it needs (none for compiled code). */
export interface ThreadModule {
  filename: string;
  /** Given as the Worker's execArgv; when absent, the thread inherits the process's flags. */
  execArgv?: string[];
}

/**
 * The module `name` (no extension) in folder `dir`: `<name>.js` when it exists, else `<name>.ts`
 * with tsx. @throws naming what is missing and how to get it.
 */
export function threadModule(dir: string, name: string): ThreadModule {
  const compiled = join(dir, `${name}.js`);
  if (existsSync(compiled)) return { filename: compiled };
  const source = join(dir, `${name}.ts`);
  if (!existsSync(source)) {
    throw new Error(`the thread module ${compiled} is missing. Fix: build the connector (npm run build) and run it from dist/.`);
  }
  let tsx: string;
  try {
    tsx = require.resolve('tsx/cjs');
  } catch {
    throw new Error(`the thread module ${source} is TypeScript, and tsx, which runs it from sources, is not installed. Fix: npm install (tsx is a devDependency), or build (npm run build) and run from dist/.`);
  }
  return { filename: source, execArgv: ['--require', tsx] };
}
