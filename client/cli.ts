/**
 * The `s3-connector` CLI entry: registers one command per file and handles every error in
 * one place.
 */
import { Command } from 'commander';
import { registerCheck } from './commands/check';
import { registerDatasets } from './commands/datasets';
import { registerDev } from './commands/dev';
import { registerExplore } from './commands/explore';
import { registerExport } from './commands/export';
import { registerPreview } from './commands/preview';
import { registerRuns } from './commands/runs';
import { registerSchedule } from './commands/schedule';
import { registerStatus } from './commands/status';
import { registerSync } from './commands/sync';
import { registerWorker } from './commands/worker';
import { reportError } from './errors';

/** Builds the program; exported for tests. */
export function buildProgram(): Command {
  const program = new Command('s3-connector')
    .description('Move data between Amazon S3 (and S3-compatible stores) and datasets, on Temporal.')
    .exitOverride()
    .showHelpAfterError();
  for (const register of [registerCheck, registerExplore, registerPreview, registerSync, registerExport, registerSchedule, registerRuns, registerStatus,
    registerWorker, registerDev, registerDatasets]) register(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI with `argv` and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    return reportError(err, argv.includes('--json'));
  }
}

if (require.main === module) {
  main(process.argv).then((code) => { process.exitCode = code; });
}
