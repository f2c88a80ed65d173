/**
 * `tables discover --apply`: adds the proposed tables to the config file's `virtualTables:`
 * so that the user's comments, order and layout survive: the new entries are inserted as text
 * after the last line of a block `virtualTables:` (or as a new `virtualTables:` at the end), every
 * other byte kept, and the result checked against yaml's Document API's reading; other layouts
 * (a flow mapping, an empty value) are edited through the Document API, which keeps comments but
 * may move a comment or respace it. An entry already there is never overwritten. The new text is validated as a config
 * before it is written, and written whole or not at all (a temp file beside it, then a rename).
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isMap, isScalar, parseDocument, stringify, type Document, type YAMLMap } from 'yaml';
import { parseConfig } from '../config/load';
import type { TableEntry, TableProposal } from './discover-names';

/** A problem applying proposals: the file is left as it was. */
export class DiscoverApplyError extends Error {
  override readonly name = 'DiscoverApplyError';
}

/** What `file` now holds: the entries added, by name. */
export interface AppliedEntries {
  added: string[];
}

/** The `virtualTables:` entry of a proposal: a catalog table by its identifier (its catalog says where it is now), else its folder. */
export function entryOf(p: TableProposal): TableEntry {
  return p.identifier !== undefined ? { source: p.source, format: p.format, identifier: p.identifier } : { source: p.source, format: p.format, location: p.location };
}

/** The proposals' entries added to the config text `text`; throws when one would replace an entry. */
export function addTableEntries(text: string, proposals: TableProposal[], file = '<config>'): { text: string; added: string[] } {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new DiscoverApplyError(`${file}: not valid YAML (${doc.errors[0]?.message.split('\n')[0]}); nothing written. Fix: correct the file first.`);
  const entries = new Map<string, TableEntry>();
  for (const p of proposals) if (!p.configured) entries.set(p.name, entryOf(p));
  const existing = doc.get('virtualTables', true);
  for (const name of entries.keys()) {
    if (isMap(existing) && existing.has(name)) throw new DiscoverApplyError(`${file}: virtualTables.${name} exists already; nothing written. Fix: run discover again, which names around it.`);
  }
  const added = [...entries.keys()];
  if (added.length === 0) return { text, added };
  const before = doc.toJS() as Record<string, unknown> | null;
  const wanted = { ...(before ?? {}), virtualTables: { ...((before?.virtualTables as object | null) ?? {}), ...Object.fromEntries(entries) } };
  // The text as it was, with the entries inserted; the Document API's rewrite when that cannot be done.
  let out = insertEntries(text, existing, entries);
  if (out === undefined || !sameData(parseDocument(out).toJS(), wanted)) out = rewrite(doc, entries, file);
  // The result must still be a valid config: never write a file that would not load.
  parseConfig(parseDocument(out).toJS(), file);
  return { text: out, added };
}

/** The entries as block YAML, each line indented by `indent` spaces. */
function entriesText(entries: Map<string, TableEntry>, indent: number): string {
  return stringify(Object.fromEntries(entries)).split('\n').filter((l) => l !== '').map((l) => `${' '.repeat(indent)}${l}\n`).join('');
}

/**
 * `text` with the entries added and every other byte kept (comments where they were): after the
 * last line of a block `virtualTables:` mapping, or as a new `virtualTables:` at the end of the
 * file. Undefined for layouts it does not handle (a flow mapping, an empty value).
 */
function insertEntries(text: string, existing: unknown, entries: Map<string, TableEntry>): string | undefined {
  if (existing === undefined) {
    return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}virtualTables:\n${entriesText(entries, 2)}`;
  }
  if (!isMap(existing) || existing.flow || existing.items.length === 0 || !existing.range) return undefined;
  const first = existing.items[0]?.key as { range?: [number, number, number] } | undefined;
  if (!first?.range) return undefined;
  const keyAt = first.range[0];
  const indent = keyAt - (text.lastIndexOf('\n', keyAt - 1) + 1);
  // The map's end may lie past its last line's newline (blank lines): back to its last character.
  let end = existing.range[1];
  while (end > 0 && /\s/.test(text[end - 1] as string)) end--;
  const lineEnd = text.indexOf('\n', end);
  const at = lineEnd === -1 ? text.length : lineEnd + 1;
  const head = text.slice(0, at);
  return `${head}${head.endsWith('\n') ? '' : '\n'}${entriesText(entries, indent)}${text.slice(at)}`;
}

/** Whether two parsed documents hold the same data. */
function sameData(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The document with the entries set through yaml's Document API (comments kept, some moved or respaced). */
function rewrite(doc: Document, entries: Map<string, TableEntry>, file: string): string {
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
  if (!isMap(doc.contents)) throw new DiscoverApplyError(`${file}: the config is not a mapping; nothing written.`);
  let tables = doc.get('virtualTables', true);
  if (tables === undefined || tables === null || (isScalar(tables) && tables.value === null)) {
    doc.set('virtualTables', doc.createNode({}));
    tables = doc.get('virtualTables', true);
  }
  if (!isMap(tables)) throw new DiscoverApplyError(`${file}: virtualTables is not a mapping; nothing written. Fix: make it a mapping of table names.`);
  const map = tables as YAMLMap;
  // An empty flow map (`virtualTables: {}`) would keep new entries on one line.
  if (map.items.length === 0) map.flow = false;
  for (const [name, entry] of entries) map.set(name, doc.createNode(entry));
  return doc.toString();
}

/** Adds the proposals' entries to the config file `file`, whole or not at all. */
export function applyProposals(file: string, proposals: TableProposal[]): AppliedEntries {
  const { text, added } = addTableEntries(readFileSync(file, 'utf8'), proposals, file);
  if (added.length === 0) return { added };
  const temp = `${file}.discover-${process.pid}.tmp`;
  try {
    writeFileSync(temp, text, { mode: statSync(file).mode & 0o777 });
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  return { added };
}
