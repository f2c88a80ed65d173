/**
 * `tables register | list | schema | preview | history | read`: virtual tables (`virtualTables:`),
 * read where they are in S3. register, preview and history run as short workflows on a worker
 * (only workers hold credentials), or in this process with --direct; list and schema read the
 * registry in the dataset store and touch no table; read runs on a worker too, which writes the
 * whole output into the dataset store (too large for a workflow payload) for this process to copy
 * out (client/table-read-worker.ts), or streams in this process with --direct.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { createActivities, type TableHistoryEntry, type TablePreview, type TableRegistration } from '../../activities';
import type { ConnectorConfig } from '../../config/schema';
import { openStore } from '../../datasets/open-store';
import { createSourceRegistry } from '../../s3/source-registry';
import { SEARCH_ATTRIBUTE_KEYS, workflowId, type WorkflowType } from '../../shared/temporal-contract';
import { diffSchemas, formatSchemaDiff, listTableRecords, readTableRecord, type TableRecord } from '../../tables/registry';
import { encodeTableRead, type ReadProgress } from '../../tables/read-output';
import { openTable, READABLE_FORMATS, VERSIONED_FORMATS } from '../../tables/registry-ops';
import { explainLines, explainTableRead } from '../../tables/explain';
import { PredicateError } from '../../tables/predicate';
import { parsePredicate } from '../../tables/predicate/parse';
import { CountingTableStorage } from '../../tables/storage-counting';
import { previewTable, registerTable, tableHistory } from '../../workflows';
import { loadConfigFor, UsageError, type GlobalOptions } from '../context';
import { addGlobalOptions, parseOptions, wholeNumber } from '../options';
import { printable } from '../printable';
import { workerClient } from '../worker-presence';
import { openReadSink, quietOnClosedStdout, readFormatOf, writeRead } from '../read-output';
import { readOnWorker } from '../table-read-worker';
import { sinceRangeOf, wholeNumberText } from '../since-range';
import { registerDiscover } from './tables-discover';

type DirectOptions = GlobalOptions & { direct?: boolean };

/** Runs the table probes on a worker, or in this process with --direct. */
interface TableRunner {
  register(table: string): Promise<TableRegistration>;
  preview(table: string, limit: number): Promise<TablePreview>;
  history(table: string, limit: number): Promise<TableHistoryEntry[]>;
  close(): Promise<void>;
}

/** The table's entry; a name not in the config is a usage error naming the ones that are. */
function tableEntry(config: ConnectorConfig, name: string) {
  const entry = config.virtualTables[name];
  if (!entry) {
    throw new UsageError(`virtual table "${name}" is not in the config. Fix: add it under virtualTables:, or use one of ${Object.keys(config.virtualTables).join(', ') || '(none)'}.`);
  }
  if (!READABLE_FORMATS.includes(entry.format)) {
    throw new UsageError(`virtualTables.${name}: format ${entry.format} is not built yet; only ${READABLE_FORMATS.join(', ')} tables can be registered and read so far.`);
  }
  // A catalog table (identifier:) is resolved through its source's catalog where it is opened (tables/registry-ops.ts).
  return entry;
}

async function tableRunner(config: ConnectorConfig, options: DirectOptions): Promise<TableRunner> {
  if (options.direct) {
    const sources = createSourceRegistry(config);
    const activities = createActivities({ sources, config, store: () => openStore(config, sources) });
    return {
      register: (table) => activities.tableRegister(table),
      preview: (table, limit) => activities.tablePreview(table, limit),
      history: (table, limit) => activities.tableHistory(table, limit),
      close: async () => {},
    };
  }
  const { client, close } = await workerClient(options, 'run it in this process with its credentials: --direct');
  const start = (type: WorkflowType, table: string) => {
    const source = tableEntry(config, table).source;
    return {
      taskQueue: options.taskQueue,
      workflowId: workflowId(type, table, randomUUID()),
      workflowExecutionTimeout: '1 hour' as const,
      typedSearchAttributes: [{ key: SEARCH_ATTRIBUTE_KEYS.source, value: source }],
    };
  };
  const input = (table: string) => ({ table, maxErrorRetries: config.sources[tableEntry(config, table).source]?.maxErrorRetries ?? 0 });
  return {
    register: (table) => client.workflow.execute(registerTable, { ...start('registerTable', table), args: [input(table)] }),
    preview: (table, limit) => client.workflow.execute(previewTable, { ...start('previewTable', table), args: [{ ...input(table), limit }] }),
    history: (table, limit) => client.workflow.execute(tableHistory, { ...start('tableHistory', table), args: [{ ...input(table), limit }] }),
    close,
  };
}

/** Runs `fn` with a runner for the command's config, checking the table's name first. */
async function withRunner<T>(name: string, raw: unknown, fn: (runner: TableRunner, options: DirectOptions) => Promise<T>, versioned = false): Promise<T> {
  const options = parseOptions<DirectOptions>(raw);
  const { config } = loadConfigFor(options);
  const entry = tableEntry(config, name);
  if (versioned && !VERSIONED_FORMATS.includes(entry.format)) {
    throw new UsageError(`table ${name} (format ${entry.format}) has no versions: history applies to ${VERSIONED_FORMATS.join(', ')} tables.`);
  }
  const runner = await tableRunner(config, options);
  try {
    return await fn(runner, options);
  } finally {
    await runner.close();
  }
}

function recordLines(r: TableRecord): string[] {
  return [
    `table ${r.name}: ${r.format} at ${r.url} (source ${r.source}, location ${r.location})`,
    `  version      ${r.version ?? (r.snapshotId !== undefined ? `snapshot ${r.snapshotId}` : '- (no versions)')}${r.versionTimestamp ? ` (${r.versionTimestamp})` : ''}`,
    `  files        ${r.fileCount}`,
    `  bytes        ${r.bytes}`,
    `  partitioned  ${r.partitionColumns.length > 0 ? r.partitionColumns.join(', ') : '-'}`,
    `  registered   ${r.registeredAt}`,
  ];
}

function schemaLines(r: TableRecord): string[] {
  const width = Math.max(6, ...r.schema.map((c) => c.name.length));
  return r.schema.map((c) => `${c.name.padEnd(width)}  ${c.type}${c.nullable ? '' : ' not null'}${r.partitionColumns.includes(c.name) ? '  (partition)' : ''}`);
}

const out = (lines: string[]) => process.stdout.write(`${lines.map(printable).join('\n')}\n`);

async function register(name: string, raw: unknown): Promise<void> {
  await withRunner(name, raw, async (runner, options) => {
    const { record, previous } = await runner.register(name);
    const changes = previous ? diffSchemas(previous.schema, record.schema) : [];
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ type: 'table', ...record, refreshed: previous !== undefined, previousVersion: previous?.version ?? null, schemaChanges: changes })}\n`);
      return;
    }
    const lines = recordLines(record);
    if (previous) {
      const versions = record.version !== undefined ? ` version ${previous.version ?? '-'} -> ${record.version};` : '';
      lines.push(`refreshed:${versions} ${changes.length === 0 ? 'schema unchanged' : 'schema changed:'}`);
      lines.push(...formatSchemaDiff(changes).map((l) => `  ${l}`));
    }
    out(lines);
  });
}

function storeFor(raw: unknown) {
  const options = parseOptions<GlobalOptions>(raw);
  const { config } = loadConfigFor(options);
  return { options, store: openStore(config, createSourceRegistry(config)) };
}

async function list(raw: unknown): Promise<void> {
  const { options, store } = storeFor(raw);
  const records = await listTableRecords(store);
  if (options.json) {
    for (const r of records) process.stdout.write(`${JSON.stringify({ type: 'table', ...r })}\n`);
    return;
  }
  const lines = [`${'TABLE'.padEnd(24)}  ${'FORMAT'.padEnd(7)}  ${'VERSION'.padStart(8)}  ${'FILES'.padStart(8)}  ${'BYTES'.padStart(14)}  ${'REGISTERED AT'.padEnd(24)}  URL`];
  for (const r of records) {
    lines.push(`${r.name.padEnd(24)}  ${r.format.padEnd(7)}  ${String(r.version ?? '-').padStart(8)}  ${String(r.fileCount).padStart(8)}  ${String(r.bytes).padStart(14)}  ${r.registeredAt.padEnd(24)}  ${r.url}`);
  }
  out(lines);
  process.stderr.write(`${records.length} table${records.length === 1 ? '' : 's'} registered in ${store.location}\n`);
}

async function schema(name: string, raw: unknown): Promise<void> {
  const { options, store } = storeFor(raw);
  const record = await readTableRecord(store, name);
  if (!record) throw new UsageError(`table "${name}" is not registered in ${store.location}. Fix: s3-connector tables register ${name}`);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ type: 'schema', table: name, version: record.version ?? null, columns: record.schema, partitionColumns: record.partitionColumns })}\n`);
    return;
  }
  out([`table ${name}${record.version !== undefined ? `, version ${record.version}` : ''} (registered ${record.registeredAt})`, ...schemaLines(record)]);
}

async function preview(name: string, raw: unknown): Promise<void> {
  const { rows } = raw as { rows: number };
  await withRunner(name, raw, async (runner, options) => {
    const result = await runner.preview(name, rows);
    if (options.json) {
      // The rows are exact JSON lines already: 64-bit integers keep their digits.
      process.stdout.write(`{"type":"preview","table":${JSON.stringify(name)},"version":${result.version ?? null},"columns":${JSON.stringify(result.columns)},"truncated":${result.truncated === true}}\n`);
      for (const row of result.rows) process.stdout.write(`${row}\n`);
      return;
    }
    if (result.truncated) process.stderr.write(`warning: only ${result.rows.length} rows shown: the rows asked for exceed the preview's 1 MiB; use tables read --limit for more\n`);
    out([`table ${name}${result.version !== undefined ? `, version ${result.version}` : ''}: ${result.rows.length} row${result.rows.length === 1 ? '' : 's'}`, `columns: ${result.columns.map((c) => `${c.name} ${c.type}`).join(', ')}`, ...result.rows]);
  });
}

async function history(name: string, raw: unknown): Promise<void> {
  const { limit } = raw as { limit: number };
  await withRunner(name, raw, async (runner, options) => {
    const entries = await runner.history(name, limit);
    if (options.json) {
      for (const e of entries) process.stdout.write(`${JSON.stringify({ type: 'version', ...e })}\n`);
      return;
    }
    if (entries.some((e) => e.snapshotId !== undefined)) {
      out([`${'SNAPSHOT ID'.padEnd(20)}  ${'SEQUENCE'.padStart(8)}  ${'TIMESTAMP'.padEnd(24)}  ${'OPERATION'.padEnd(10)}  REFS`,
        ...entries.map((e) => `${(e.snapshotId ?? '').padEnd(20)}  ${String(e.version).padStart(8)}  ${e.timestamp.padEnd(24)}  ${(e.operation ?? '-').padEnd(10)}  ${(e.refs ?? []).join(',') || '-'}`)]);
      return;
    }
    out([`${'VERSION'.padStart(8)}  ${'TIMESTAMP'.padEnd(24)}  ${'COMMIT INFO TIME'.padEnd(24)}  OPERATION`,
      ...entries.map((e) => `${String(e.version).padStart(8)}  ${e.timestamp.padEnd(24)}  ${(e.commitInfoTimestamp ?? '-').padEnd(24)}  ${e.operation ?? '-'}`)]);
  }, true);
}

interface ReadOptions extends GlobalOptions {
  columns?: string;
  limit?: number;
  version?: number;
  asOf?: string;
  snapshot?: string;
  ref?: string;
  out?: string;
  format?: string;
  where?: string;
  /** Whole-number text (client/since-range.ts): a Delta version or a 64-bit Iceberg snapshot id. */
  since?: string;
  until?: string;
  explain?: boolean;
  direct?: boolean;
}

/** Options of `read` that are parsed but whose feature is not built: refused, never ignored. */
function refuseUnbuilt(o: ReadOptions): void {
  const unbuilt: string[] = [];
  if (unbuilt.length > 0) throw new UsageError(`tables read: not built yet: ${unbuilt.join('; ')}. Fix: leave the option out.`);
  if (o.version !== undefined && o.asOf !== undefined) throw new UsageError('tables read: give --version or --as-of, not both.');
  if (o.until !== undefined && o.since === undefined) throw new UsageError('tables read: --until needs --since.');
  if (o.since !== undefined && (o.version !== undefined || o.asOf !== undefined)) throw new UsageError('tables read: give --since (the changes of a range of versions) or --version/--as-of (a snapshot), not both.');
  if (o.explain && o.since !== undefined) throw new UsageError('tables read: --explain plans snapshot reads; --since filters the changed rows by --where without pruning. Fix: leave out --explain or --since.');
}

/** `read`: its output written whole or not at all (client/read-output.ts); a reader of stdout that stops early ends it quietly. */
async function read(name: string, raw: unknown): Promise<void> {
  try {
    await quietOnClosedStdout((stdoutError) => readTable(name, raw, stdoutError));
  } catch (err) {
    if (err instanceof PredicateError) throw new UsageError(`tables read: ${err.message}`);
    throw err;
  }
}

async function readTable(name: string, raw: unknown, stdoutError: () => NodeJS.ErrnoException | undefined): Promise<void> {
  const options = parseOptions<ReadOptions>(raw);
  refuseUnbuilt(options);
  // The predicate's syntax is checked here, so a typo exits 2 before any table or worker is reached (its columns are checked against the schema by the read).
  if (options.where !== undefined) parsePredicate(options.where);
  let asOf: number | undefined;
  if (options.asOf !== undefined) {
    asOf = Date.parse(options.asOf);
    if (Number.isNaN(asOf)) throw new UsageError(`tables read: --as-of ${options.asOf} is not a time. Fix: write an ISO 8601 time, e.g. 2024-01-02T03:04:05Z.`);
  }
  const { config } = loadConfigFor(options);
  const entry = tableEntry(config, name);
  if (!VERSIONED_FORMATS.includes(entry.format) && (options.version !== undefined || asOf !== undefined || options.since !== undefined)) {
    throw new UsageError(`tables read: table ${name} (format ${entry.format}) has no versions: --version, --as-of and --since apply to ${VERSIONED_FORMATS.join(', ')} tables.`);
  }
  if (entry.format !== 'iceberg' && (options.snapshot !== undefined || options.ref !== undefined)) throw new UsageError(`tables read: table ${name} (format ${entry.format}) has no snapshots: --snapshot and --ref apply to iceberg tables.`);
  if (entry.format === 'iceberg') {
    if (options.version !== undefined) throw new UsageError(`tables read: table ${name} is an Iceberg table, whose versions are snapshots with 64-bit ids. Fix: give --snapshot ID (tables history ${name} lists them), --ref NAME (a branch or tag) or --as-of TIME.`);
    if (options.since !== undefined && (options.snapshot !== undefined || options.ref !== undefined)) throw new UsageError('tables read: give --since/--until (the appends of a range of snapshots) or --snapshot/--ref (one snapshot), not both.');
    if ([options.snapshot, options.ref, asOf].filter((v) => v !== undefined).length > 1) throw new UsageError('tables read: give one of --snapshot, --ref and --as-of, not several.');
    if (options.snapshot !== undefined && !/^-?\d{1,19}$/.test(options.snapshot)) throw new UsageError(`tables read: --snapshot ${options.snapshot} is not a snapshot id (a 64-bit integer, as tables history ${name} shows it).`);
  }
  const opened = openTable(config, createSourceRegistry(config), name);
  const columns = options.columns?.split(',').map((c) => c.trim()).filter((c) => c !== '');
  if (options.explain) {
    const plan = await explainTableRead(opened, { columns, version: options.version, asOf, where: options.where });
    process.stdout.write(options.json ? `${JSON.stringify({ type: 'explain', ...plan })}\n` : `${explainLines(plan).map(printable).join('\n')}\n`);
    return;
  }
  // Every byte the read takes from S3 is counted, for the summary line.
  const counted = new CountingTableStorage(opened.storage);
  const table = { ...opened, storage: counted };
  const format = readFormatOf(options.format);
  const range = sinceRangeOf(entry.format, name, options.since, options.until);
  const request = { columns, limit: options.limit, version: options.version, asOf, ...range, snapshot: options.snapshot, ref: options.ref, where: options.where };
  const progress: ReadProgress = { rows: 0, bytes: 0 };
  const sink = openReadSink(options.out, format, stdoutError);
  await writeRead(options.direct ? encodeTableRead(table, request, format, progress) : readOnWorker(config, options, name, request, format, progress), sink);
  const what = range.sinceSnapshot !== undefined ? `, the appends after snapshot ${range.sinceSnapshot} up to snapshot ${progress.header?.snapshotId ?? '?'}` : options.since !== undefined ? `, the changes of versions ${options.since} to ${progress.header?.version ?? '?'}` : progress.header?.version !== undefined ? ` version ${progress.header.version}` : progress.header?.snapshotId !== undefined ? ` snapshot ${progress.header.snapshotId}` : '';
  process.stderr.write(`${progress.rows} row${progress.rows === 1 ? '' : 's'} of table ${name}${what}${options.out !== undefined ? ` written to ${options.out}` : ''}${options.direct ? '' : ' (read on a worker)'}\n`);
  if (options.direct) process.stderr.write(`${counted.counts.bytes} bytes read from S3 in ${counted.counts.reads} requests (log, footers and data)\n`);
}

/** Registers `tables` and its subcommands. */
export function registerTables(program: Command): void {
  const group = program.command('tables').description('virtual tables (virtualTables: in the config), read where they are in S3');
  const sub = (spec: string, description: string) => addGlobalOptions(group.command(spec).description(description)).exitOverride();
  sub('register <name>', 'read the table on a worker, validate it and record it (version, schema, files, bytes) in the dataset store')
    .option('--direct', 'run in this process instead of on a worker')
    .action(register);
  sub('list', 'registered tables, from the dataset store (no S3 call)')
    .action(list);
  sub('schema <name>', 'a registered table\'s columns, from the dataset store (no S3 call)')
    .action(schema);
  sub('preview <name>', 'the first rows of the table\'s latest version, read on a worker')
    .option('--rows <n>', 'rows to show (1-1000)', wholeNumber(1, 1000), 20)
    .option('--direct', 'run in this process instead of on a worker')
    .action(preview);
  sub('history <name>', 'the table\'s versions, newest first, with their times and operations, read on a worker')
    .option('--limit <n>', 'versions to show (1-10000)', wholeNumber(1, 10000), 100)
    .option('--direct', 'run in this process instead of on a worker')
    .action(history);
  sub('read <name>', 'write the table\'s rows as JSON lines, CSV or Parquet with exact values; read on a worker into the dataset store and copied out (or in this process with --direct)')
    .option('--columns <a,b>', 'only these top-level columns, in this order')
    .option('--limit <n>', 'at most this many rows', wholeNumber(0))
    .option('--version <v>', 'the table as of this version (time travel)', wholeNumber(0))
    .option('--as-of <time>', 'the table as of this time (ISO 8601; time travel)')
    .option('--snapshot <id>', 'Iceberg: the snapshot of this id (time travel; tables history lists them)')
    .option('--ref <name>', 'Iceberg: the snapshot a branch or tag points at')
    .option('--out <file>', 'write to this file (whole or not at all) instead of stdout')
    .option('--format <format>', 'jsonl (default), csv or parquet (one zstd Parquet file: to --out or a pipe, not a terminal)')
    .option('--where <predicate>', 'only rows where this SQL predicate is true (e.g. "day >= DATE \'2024-01-02\' AND id IN (1, 2)"); files and row groups it rules out by partition values or statistics are not read')
    .option('--since <v>', 'Delta: the rows changed by versions V..latest (Change Data Feed), with _change_type, _commit_version, _commit_timestamp; Iceberg: the rows appended after snapshot V (append snapshots; replace skipped; overwrite and delete refused)', wholeNumberText)
    .option('--until <w>', 'with --since: the last version (Delta) or snapshot (Iceberg) of the range; the latest by default', wholeNumberText)
    .option('--explain', 'print what the read would prune and the bytes it would read (--json: one JSON object), from metadata only; no rows are read')
    .option('--direct', 'read in this process with its credentials, streaming, instead of on a worker through the dataset store')
    .action(read);
  registerDiscover(group);
}
