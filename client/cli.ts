/**
 * The `s3-connector` CLI entry: registers one command per file and handles every error in
 * one place. Only the invoked command's module is loaded: each pulls in its own dependencies
 * (the Temporal client, the activities, the dev servers, progress bars...), and a long-lived
 * process such as `worker` should not carry the others' code for its whole life.
 */
import { Command } from 'commander';
import { commandFirst, packageVersion } from './argv';
import { reportError } from './errors';

type Register = (program: Command) => void;

/** Each command's registration, loaded on demand; in the order `--help` lists them. */
const COMMANDS: Record<string, () => Promise<Register>> = {
  check: async () => (await import('./commands/check')).registerCheck,
  explore: async () => (await import('./commands/explore')).registerExplore,
  preview: async () => (await import('./commands/preview')).registerPreview,
  sync: async () => (await import('./commands/sync')).registerSync,
  export: async () => (await import('./commands/export')).registerExport,
  schedule: async () => (await import('./commands/schedule')).registerSchedule,
  runs: async () => (await import('./commands/runs')).registerRuns,
  status: async () => (await import('./commands/status')).registerStatus,
  cancel: async () => (await import('./commands/cancel')).registerCancel,
  worker: async () => (await import('./commands/worker')).registerWorker,
  dev: async () => (await import('./commands/dev')).registerDev,
  datasets: async () => (await import('./commands/datasets')).registerDatasets,
  tables: async () => (await import('./commands/tables')).registerTables,
  init: async () => (await import('./commands/config')).registerInit,
  config: async () => (await import('./commands/config')).registerConfig,
  completion: async () => (await import('./commands/completion')).registerCompletion,
};

/**
 * Builds the program with every command, or with only `command` when it names one (help,
 * unknown commands and errors that suggest a command then still see them all). Exported for tests.
 */
export async function buildProgram(command?: string): Promise<Command> {
  const program = new Command('s3-connector')
    .description('Move data between Amazon S3 (and S3-compatible stores) and datasets, on Temporal.')
    .version(packageVersion(), '-V, --version', 'print the version')
    // The program's own options (--version, -V) only before a command: after it they are the
    // command's (`tables read T --version 3` is a table version, not the program's).
    .enablePositionalOptions()
    .exitOverride()
    .showHelpAfterError();
  const names = command !== undefined && Object.hasOwn(COMMANDS, command) ? [command] : Object.keys(COMMANDS);
  for (const register of await Promise.all(names.map((name) => COMMANDS[name]!()))) register(program);
  for (const sub of program.commands) sub.exitOverride();
  return program;
}

/** Runs the CLI with `argv` and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    // Global options before the command are moved after it; then argv[2] is the command when there is one.
    const args = commandFirst(argv);
    await (await buildProgram(args[2])).parseAsync(args);
    return 0;
  } catch (err) {
    return reportError(err, argv.includes('--json'));
  }
}

if (require.main === module) {
  void main(process.argv).then((code) => { process.exitCode = code; });
}
