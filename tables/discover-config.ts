/**
 * `tables discover --apply`: adds the proposed tables to the config file's `virtualTables:`,
 * editing the YAML document (yaml's Document API) so that the user's comments, order and layout
 * survive. An entry already there is never overwritten. The new text is validated as a config
 * before it is written, and written whole or not at all (a temp file beside it, then a rename).
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isMap, isScalar, parseDocument, type YAMLMap } from 'yaml';
import { parseConfig } from '../config/load';
import type { TableProposal } from './discover-names';

/** A problem applying proposals: the file is left as it was. */
export class DiscoverApplyError extends Error {
  override readonly name = 'DiscoverApplyError';
}

/** What `file` now holds: the entries added, by name. */
export interface AppliedEntries {
  added: string[];
}

/** The proposals' entries added to the config text `text`; throws when one would replace an entry. */
export function addTableEntries(text: string, proposals: TableProposal[], file = '<config>'): { text: string; added: string[] } {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new DiscoverApplyError(`${file}: not valid YAML (${doc.errors[0]?.message.split('\n')[0]}); nothing written. Fix: correct the file first.`);
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
  const added: string[] = [];
  for (const p of proposals) {
    if (p.configured) continue;
    if (map.has(p.name)) throw new DiscoverApplyError(`${file}: virtualTables.${p.name} exists already; nothing written. Fix: run discover again, which names around it.`);
    map.set(p.name, doc.createNode({ source: p.source, format: p.format, location: p.location }));
    added.push(p.name);
  }
  const out = doc.toString();
  // The result must still be a valid config: never write a file that would not load.
  parseConfig(parseDocument(out).toJS(), file);
  return { text: out, added };
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
