/** JSON lines: one record a line. Manifests, plans and indexes are stored this way. */

/** Serialises records, one per line, with a trailing newline. */
export function toJsonLines(records: readonly unknown[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : '');
}

/** Parses JSON lines; blank lines are ignored. */
export function fromJsonLines<T>(text: string | Buffer): T[] {
  return text.toString('utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}

/** One line of a JSON-lines text: its content and where it starts and ends (after its newline). */
export interface TextLine {
  line: string;
  start: number;
  end: number;
}

/**
 * The non-blank lines of `text` from offset `from`, one at a time. Large files (index parts and
 * plans of 20,000 keys) are walked this way so that only the text, not an array of every line
 * or of every parsed record, is held at once.
 */
export function* textLines(text: string, from = 0): Generator<TextLine> {
  let start = from;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline + 1;
    const line = text.slice(start, newline < 0 ? text.length : newline);
    if (line.trim() !== '') yield { line, start, end };
    start = end;
  }
}
