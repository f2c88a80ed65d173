/**
 * `tables discover SOURCE [PATH] [--apply]`: finds Delta, Iceberg, Parquet and Avro tables below a
 * folder of a source, and the tables of its catalog when it has one (tables/discover.ts,
 * tables/discover-catalog.ts; on a worker as the `discoverTables` workflow, or in this process
 * with --direct) and proposes a `virtualTables:` entry for each (a catalog table by identifier). Without --apply nothing
 * is written; with it the entries go into the config file (tables/discover-config.ts: comments
 * kept, whole or not at all) and each new table is registered like `tables register`, reported
 * as registered or failed with its error.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { createActivities, type DiscoverRequest, type DiscoverResult, type TableEntry, type TableRegistration } from '../../activities';
import type { ConnectorConfig } from '../../config/schema';
import { openStore } from '../../datasets/open-store';
import { createSourceRegistry } from '../../s3/source-registry';
import { SEARCH_ATTRIBUTE_KEYS, workflowId } from '../../shared/temporal-contract';
import { DISCOVER_DEFAULTS, MAX_DISCOVERED } from '../../tables/discover';
import { CATALOG_DEFAULTS, namespaceParts } from '../../tables/discover-catalog';
import { applyProposals, DiscoverApplyError, entryOf } from '../../tables/discover-config';
import { proposeNames, type TableProposal } from '../../tables/discover-names';
import { discoverTables, registerTable } from '../../workflows';
import { loadConfigFor, UsageError, type GlobalOptions } from '../context';
import { JobFailedError, rootMessage } from '../errors';
import { addGlobalOptions, parseOptions, wholeNumber } from '../options';
import { printable } from '../printable';
import { workerClient } from '../worker-presence';

interface DiscoverOptions extends GlobalOptions {
  apply?: boolean;
  direct?: boolean;
  maxDepth: number;
  maxObjects: number;
  /** False with --no-catalog. */
  catalog: boolean;
  catalogNamespace?: string;
  maxCatalogTables: number;
}

/** Runs the walk and the registrations on a worker, or in this process with --direct. */
interface DiscoverRunner {
  discover(request: DiscoverRequest): Promise<DiscoverResult>;
  register(name: string, entry: TableEntry): Promise<TableRegistration>;
  close(): Promise<void>;
}

async function discoverRunner(config: ConnectorConfig, source: string, options: DiscoverOptions): Promise<DiscoverRunner> {
  const maxErrorRetries = config.sources[source]?.maxErrorRetries ?? 0;
  if (options.direct) {
    const sources = createSourceRegistry(config);
    const activities = createActivities({ sources, config, store: () => openStore(config, sources) });
    return {
      discover: (request) => activities.tablesDiscover(source, request),
      register: (name, entry) => activities.tableRegister(name, entry),
      close: async () => {},
    };
  }
  const { client, close } = await workerClient(options, 'run it in this process with its credentials: --direct');
  const start = (type: 'discoverTables' | 'registerTable', name: string) => ({
    taskQueue: options.taskQueue,
    workflowId: workflowId(type, name, randomUUID()),
    workflowExecutionTimeout: '1 hour' as const,
    typedSearchAttributes: [{ key: SEARCH_ATTRIBUTE_KEYS.source, value: source }],
  });
  return {
    discover: (request) => client.workflow.execute(discoverTables, { ...start('discoverTables', source), args: [{ source, maxErrorRetries, request }] }),
    // The entry travels with the run: the worker's config gets it only when the worker restarts.
    register: (name, entry) => client.workflow.execute(registerTable, { ...start('registerTable', name), args: [{ table: name, maxErrorRetries, entry }] }),
    close,
  };
}

/** What happened to a proposal under --apply. */
interface Outcome {
  status: 'proposed' | 'configured' | 'registered' | 'failed';
  error?: string;
}

function jsonOf(p: TableProposal, outcome: Outcome): string {
  const { name, format, source, location, identifier, foundBy, files, bytes, partitionColumns, version, metadataFile, complete } = p;
  return JSON.stringify({
    type: 'proposal', name, format, source, location, identifier: identifier ?? null, foundBy, files: files ?? null, bytes: bytes ?? null, partitionColumns: partitionColumns ?? [],
    version: version ?? null, metadataFile: metadataFile ?? null, complete, ...outcome,
  });
}

function tableLines(proposals: TableProposal[], outcomes: Outcome[]): string[] {
  const rows = proposals.map((p, i) => [
    p.name, p.format, p.foundBy.join('+'), p.location, p.identifier ?? '-', p.files === undefined ? '-' : `${p.files}${p.complete ? '' : '+'}`,
    p.bytes === undefined ? '-' : `${p.bytes}${p.complete ? '' : '+'}`,
    p.partitionColumns?.length ? p.partitionColumns.join(',') : p.version !== undefined ? `version ${p.version}` : p.metadataFile ?? '-',
    outcomes[i]!.status + (outcomes[i]!.error ? `: ${outcomes[i]!.error}` : ''),
  ]);
  const header = ['NAME', 'FORMAT', 'FOUND BY', 'LOCATION', 'IDENTIFIER', 'FILES', 'BYTES', 'PARTITIONS / VERSION', 'STATUS'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ');
  return [line(header), ...rows.map(line)];
}

/** Lines about what the walk could not see: limits reached, folders skipped. */
function limitLines(result: DiscoverResult, options: DiscoverOptions): string[] {
  const lines: string[] = [];
  if (result.limits.maxObjects !== undefined) lines.push(`limit reached: ${result.listed} entries listed (--max-objects ${options.maxObjects}); folders not listed may hold more tables, and counts marked + are lower bounds`);
  if (result.limits.maxDepth !== undefined) lines.push(`limit reached: folders deeper than ${options.maxDepth} levels below ${result.path || 'the source URL'} were not listed (--max-depth)`);
  if (result.limits.maxTables !== undefined) lines.push(`limit reached: at most ${result.limits.maxTables} tables are proposed at once; discover below a narrower PATH`);
  if (result.limits.maxCatalogTables !== undefined) lines.push(`limit reached: ${result.limits.maxCatalogTables} catalog tables listed (--max-catalog-tables); namespaces not listed may hold more; discover below a narrower --catalog-namespace`);
  if (result.limits.maxNamespaces !== undefined) lines.push(`limit reached: ${result.limits.maxNamespaces} namespace listings made; namespaces below them were not listed; discover below a narrower --catalog-namespace`);
  for (const s of result.skipped) lines.push(s.identifier !== undefined ? `skipped catalog table ${s.identifier}: ${s.reason}` : `skipped ${s.location}: ${s.reason}`);
  if (result.catalog) lines.push(`catalog (${result.catalog.type}): ${result.catalog.tables} Iceberg table${result.catalog.tables === 1 ? '' : 's'} in ${result.catalog.namespaces} namespace${result.catalog.namespaces === 1 ? '' : 's'}${options.catalogNamespace ? ` below ${options.catalogNamespace}` : ''}`);
  return lines;
}

/** The walk's request: the catalog's fields only when the source has a catalog and --no-catalog is not given. */
function discoverRequest(config: ConnectorConfig, source: string, path: string | undefined, options: DiscoverOptions): DiscoverRequest {
  const base = { path: path ?? '', maxDepth: options.maxDepth, maxObjects: options.maxObjects };
  const catalog = config.sources[source]?.catalog;
  if (!catalog) {
    if (options.catalogNamespace !== undefined) throw new UsageError(`--catalog-namespace ${options.catalogNamespace}: source "${source}" has no catalog. Fix: leave --catalog-namespace out, or add sources.${source}.catalog.`);
    return base;
  }
  if (!options.catalog) return { ...base, catalog: false };
  try {
    namespaceParts(options.catalogNamespace);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (catalog.type === 'unity' && !options.catalogNamespace) {
    throw new UsageError(`sources.${source}.catalog is a unity catalog, whose Iceberg endpoint lists the schemas of one catalog at a time. Fix: name it with --catalog-namespace CATALOG_NAME (or CATALOG_NAME.SCHEMA_NAME), or walk the folders alone with --no-catalog.`);
  }
  return { ...base, ...(options.catalogNamespace ? { namespace: options.catalogNamespace } : {}), maxCatalogTables: options.maxCatalogTables };
}

async function discover(source: string, path: string | undefined, raw: unknown): Promise<void> {
  const options = parseOptions<DiscoverOptions>(raw);
  const { config, file } = loadConfigFor(options);
  if (!config.sources[source]) {
    throw new UsageError(`source "${source}" is not in the config. Fix: use one of ${Object.keys(config.sources).join(', ') || '(none: add one under sources:)'}.`);
  }
  const request = discoverRequest(config, source, path, options);
  const runner = await discoverRunner(config, source, options);
  try {
    const result = await runner.discover(request);
    const proposals = proposeNames(source, result.tables, config.virtualTables);
    const outcomes: Outcome[] = proposals.map((p) => ({ status: p.configured ? 'configured' : 'proposed' }));
    const fresh = proposals.filter((p) => !p.configured);
    if (options.apply && fresh.length > 0) {
      try {
        applyProposals(file, proposals);
      } catch (err) {
        if (err instanceof DiscoverApplyError) throw new UsageError(err.message);
        throw err;
      }
      for (const [i, p] of proposals.entries()) {
        if (p.configured) continue;
        try {
          await runner.register(p.name, entryOf(p));
          outcomes[i] = { status: 'registered' };
        } catch (err) {
          outcomes[i] = { status: 'failed', error: rootMessage(err) };
        }
      }
    }
    const notes = limitLines(result, options);
    if (options.json) {
      for (const [i, p] of proposals.entries()) process.stdout.write(`${jsonOf(p, outcomes[i]!)}\n`);
    } else {
      process.stdout.write(`${tableLines(proposals, outcomes).map(printable).join('\n')}\n`);
    }
    for (const note of notes) process.stderr.write(`${printable(note)}\n`);
    const where = `${result.path || 'the URL'} of source ${source}`;
    if (!options.apply || fresh.length === 0) {
      process.stderr.write(fresh.length === 0
        ? `${proposals.length} table${proposals.length === 1 ? '' : 's'} found below ${where}; nothing new to add to ${file}\n`
        : `${fresh.length} new table${fresh.length === 1 ? '' : 's'} found below ${where}; nothing written. To add ${fresh.length === 1 ? 'it' : 'them'} to ${file} and register ${fresh.length === 1 ? 'it' : 'them'}: s3-connector tables discover ${source}${path ? ` ${path}` : ''} --apply\n`);
      return;
    }
    const failed = outcomes.filter((o) => o.status === 'failed').length;
    process.stderr.write(`${fresh.length} table${fresh.length === 1 ? '' : 's'} added to ${file}; ${fresh.length - failed} registered, ${failed} failed\n`);
    if (failed > 0) throw new JobFailedError(`${failed} of ${fresh.length} discovered tables failed to register (their entries stay in ${file}; fix and run tables register NAME)`);
  } finally {
    await runner.close();
  }
}

/** Adds `discover` to the `tables` command group. */
export function registerDiscover(group: Command): void {
  addGlobalOptions(group.command('discover <source> [path]'))
    .description('find Delta, Iceberg, Parquet and Avro tables below the source URL (or PATH below it), and the Iceberg tables of its catalog, and propose virtualTables: entries; --apply writes and registers them')
    .option('--apply', 'add the proposed entries to the config file (comments kept) and register each table')
    .option('--max-depth <n>', 'folder levels below PATH listed at most', wholeNumber(0, 100), DISCOVER_DEFAULTS.maxDepth)
    .option('--max-objects <n>', 'entries (objects and folders) listed at most', wholeNumber(1), DISCOVER_DEFAULTS.maxObjects)
    .option('--catalog-namespace <ns>', 'only the catalog\'s tables in this namespace and below (parts joined by dots; unity: CATALOG_NAME first)')
    .option('--max-catalog-tables <n>', 'catalog tables listed at most (each is loaded for its metadata location)', wholeNumber(1, MAX_DISCOVERED), CATALOG_DEFAULTS.maxCatalogTables)
    .option('--no-catalog', 'walk the S3 folders only, not the source\'s catalog')
    .option('--direct', 'run in this process instead of on a worker')
    .exitOverride()
    .action(discover);
}
