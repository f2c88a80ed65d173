/**
 * The CLI's one error handler: every problem printed at once, then the exit code (1 for a
 * failed job, 2 for bad usage or config).
 */
import { CommanderError } from 'commander';
import { ConfigError } from '../config/errors';
import { NotFoundError } from '../datasets/catalog';
import { ExportRefusedError, UnknownJobError } from '../jobs/job';
import { printable } from './printable';

/** Bad usage: printed without a stack, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A job ran and failed (exit code 1), e.g. check found missing permissions. */
export class JobFailedError extends Error {
  override name = 'JobFailedError';
}

/** Innermost cause message of a Temporal failure: that is where the activity's own words are. */
export function rootMessage(err: unknown): string {
  let current = err as { message?: string; cause?: unknown } | undefined;
  let message = String(err);
  while (current) {
    if (current.message) message = current.message;
    current = current.cause as typeof current;
  }
  return message;
}

/** Prints `err` for humans (or as one JSON line with --json) and returns the exit code. */
export function reportError(err: unknown, json: boolean): number {
  let code = 1;
  let lines: string[];
  if (err instanceof ConfigError) {
    code = 2;
    lines = [`error: invalid config ${err.file}:`, ...err.problems.map((p) => `  - ${p.path}: ${p.message}`)];
  } else if (err instanceof UsageError || err instanceof UnknownJobError || err instanceof ExportRefusedError || err instanceof NotFoundError) {
    // A name the config or the store does not know is bad usage, whichever command it reached.
    code = 2;
    lines = [`error: ${err.message}`];
  } else if (err instanceof CommanderError) {
    return err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof JobFailedError) {
    lines = [`error: ${err.message}`];
  } else {
    // Anything else, a failed workflow (WorkflowFailedError) included: the innermost cause's words.
    lines = [`error: ${rootMessage(err)}`];
  }
  if (json) {
    const problems = err instanceof ConfigError ? err.problems : undefined;
    process.stdout.write(`${JSON.stringify({ type: 'error', message: lines.join('\n'), problems, exitCode: code })}\n`);
  }
  // Messages quote keys and paths: each line is printed on one line, its control characters escaped.
  process.stderr.write(`${lines.map(printable).join('\n')}\n`);
  return code;
}
