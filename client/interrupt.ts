/**
 * Ctrl-C while a command waits for a run: on a terminal it asks whether to cancel the run or
 * leave it running; elsewhere (a script, a scheduler) it leaves the run running, as stopping to
 * watch a run must never stop the run by surprise.
 */
import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import { JobFailedError } from './errors';

/** The wait was interrupted (Ctrl-C); the run was cancelled or left running, as `cancelled` says. Exit code 1. */
export class WaitInterruptedError extends JobFailedError {
  override name = 'WaitInterruptedError';
  constructor(message: string, readonly cancelled: boolean) {
    super(message);
  }
}

/** Asks on `output` whether to cancel `what`; true only for an answer starting with y. */
export async function askToCancel(what: string, input: Readable, output: Writable): Promise<boolean> {
  const rl = createInterface({ input, output, terminal: false });
  try {
    const answer = await rl.question(`\ncancel ${what}? It then removes its staging and open uploads. [y/N] `);
    return /^\s*y/i.test(answer);
  } finally {
    rl.close();
  }
}

/**
 * Resolves when the user interrupts with Ctrl-C (SIGINT) and has decided: true to cancel the run.
 * Without a terminal on stdin and stderr there is nobody to ask: the answer is "leave it running".
 * Call `dispose` once the wait is over.
 */
export function onInterrupt(what: string): { decided: Promise<boolean>; dispose: () => void } {
  let handler: (() => void) | undefined;
  const decided = new Promise<boolean>((resolve) => {
    handler = () => {
      process.off('SIGINT', handler!);
      // A second Ctrl-C while the question is open is Node's default again: it exits.
      if (process.stdin.isTTY && process.stderr.isTTY) void askToCancel(what, process.stdin, process.stderr).then(resolve, () => resolve(false));
      else resolve(false);
    };
    process.on('SIGINT', handler);
  });
  return { decided, dispose: () => { if (handler) process.off('SIGINT', handler); } };
}
