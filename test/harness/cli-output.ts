/**
 * Reading what the built CLI printed.
 */

/** Parses `--json` output: one JSON object per non-empty line. */
export function jsonLines<T = Record<string, unknown>>(stdout: string): T[] {
  return stdout.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as T);
}

/**
 * stderr without the AWS SDK's own Node-version notice (a process warning the SDK emits once
 * per process on Node < 22, whatever the command does), so tests can demand an otherwise
 * silent stderr.
 */
export function ownStderr(stderr: string): string {
  return stderr.replace(/^\(node:\d+\) (Warning: )?NodeVersionSupportWarning:[\s\S]*?https:\/\/a\.co\/\S+\n(\(Use `node --trace-warnings[^\n]*\n)?/m, '');
}
