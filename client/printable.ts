/**
 * Text for humans from text the connector does not control: object keys, dataset paths, object
 * metadata and contents, messages that quote them. An S3 key may hold any character, and a
 * terminal acts on some (ESC starts a control sequence that can rewrite the screen, CR and LF fake
 * lines, bidi controls reorder what is shown). Every place that prints such text without --json
 * passes it through `printable`; --json output stays JSON (its strings are escaped by JSON).
 */

/**
 * C0 controls (tab and newline included), DEL, C1 controls, the line and paragraph separators,
 * and the bidi marks, embeddings, overrides and isolates.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` with each control character written as an escape: `\n`, `\r`, `\t`, `\xHH` or `\uHHHH`,
 * so that it shows on one line, as it is. Other characters, backslashes included, are unchanged:
 * a key without control characters prints exactly as it is named.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
  });
}
