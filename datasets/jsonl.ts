/** JSON lines: one record a line. Manifests, plans and indexes are stored this way. */

/** Serialises records, one per line, with a trailing newline. */
export function toJsonLines(records: readonly unknown[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : '');
}

/** Parses JSON lines; blank lines are ignored. */
export function fromJsonLines<T>(text: string | Buffer): T[] {
  return text.toString('utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}
