/**
 * The zod schema of `s3-connector.yaml`, documented in docs/config.md. Cross-references between
 * sections (a sync's source must exist, ...) are checked here too, so every problem is
 * reported in one pass.
 */
import { z } from 'zod';
import { cronProblem } from './cron';
import { sourceSchema, type SourceConfig } from './source-schema';

/** Names of sources, jobs, datasets: they become parts of workflow IDs and folder names. */
const nameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, {
  error: 'must be 1-128 letters, digits, dots, dashes or underscores. Fix: rename it, e.g. partner_a_orders.',
});

const relativeFolder = z.string().refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), {
  error: 'must be a relative folder without "..". Fix: write it relative to the source URL, e.g. orders/.',
});

const filtersSchema = z.strictObject({
  include: z.array(z.string().min(1)).default([]),
  exclude: z.array(z.string().min(1)).default([]),
  lastModifiedAfter: z.coerce.date({ error: 'must be an ISO-8601 time. Fix: write e.g. 2024-01-01T00:00:00Z.' }).optional(),
  minSizeBytes: z.number().int().min(0).optional(),
  maxSizeBytes: z.number().int().min(0).optional(),
  minAgeSeconds: z.number().int().min(0).default(0),
}).refine((f) => f.minSizeBytes === undefined || f.maxSizeBytes === undefined || f.minSizeBytes <= f.maxSizeBytes, {
  error: 'minSizeBytes is larger than maxSizeBytes, so nothing would match. Fix: swap or correct them.',
});

const scheduleSchema = z.strictObject({
  // Checked fully by Temporal's rules (cron.ts), so a bad expression fails at load, not at apply.
  cron: z.string().trim().superRefine((cron, ctx) => {
    const problem = cronProblem(cron);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
});

const syncSchema = z.strictObject({
  source: nameSchema,
  subfolder: relativeFolder.default(''),
  dataset: nameSchema,
  mode: z.enum(['bulk', 'incremental', 'media'], { error: 'must be bulk, incremental or media.' }),
  transaction: z.enum(['snapshot', 'append', 'update'], { error: 'must be snapshot, append or update.' }).optional(),
  mediaTypes: z.array(z.string().regex(/^[a-z]+\/[\w.+-]+$/, { error: 'is not a media type. Fix: write e.g. image/png.' })).optional(),
  filters: filtersSchema.default({ include: [], exclude: [], minAgeSeconds: 0 }),
  schedule: scheduleSchema.optional(),
  /** Objects listed and copied per activity (ListObjectsV2 returns at most 1000). */
  pageSize: z.number().int().min(1).max(1000, { error: 'must be at most 1000 (the ListObjectsV2 maximum).' }).default(1000),
});

const CANNED_ACLS = ['private', 'public-read', 'public-read-write', 'authenticated-read', 'aws-exec-read',
  'bucket-owner-read', 'bucket-owner-full-control'] as const;

const exportSchema = z.strictObject({
  dataset: nameSchema,
  source: nameSchema,
  pathPrefix: relativeFolder.default(''),
  cannedAcl: z.enum(CANNED_ACLS, { error: `must be one of ${CANNED_ACLS.join(', ')}.` }).optional(),
  allowPublicAcl: z.boolean().default(false),
  mode: z.enum(['full', 'incremental'], { error: 'must be full or incremental.' }).default('full'),
  schedule: scheduleSchema.optional(),
  /** Files larger than this go up in multipart uploads (resumable part by part). */
  multipartThresholdBytes: z.number().int().min(1).max(5 * 1024 ** 3, { error: 'must be at most 5 GiB (the PutObject limit).' }).default(64 * 1024 ** 2),
  /** Part size of multipart uploads; memory holds a few parts per large file. */
  partSizeBytes: z.number().int().min(5 * 1024 ** 2, { error: 'must be at least 5 MiB (the S3 minimum part size).' }).max(5 * 1024 ** 3).default(64 * 1024 ** 2),
});

const virtualTableSchema = z.strictObject({
  source: nameSchema,
  format: z.enum(['parquet', 'avro', 'delta', 'iceberg'], { error: 'must be parquet, avro, delta or iceberg.' }),
  location: relativeFolder.optional(),
  identifier: z.string().min(1).optional(),
});

const tableSyncSchema = z.strictObject({
  /** A `virtualTables:` entry: Delta tables land their appended rows, Parquet and Avro tables a snapshot. */
  table: nameSchema,
  dataset: nameSchema,
  schedule: scheduleSchema.optional(),
  /** Rows per Parquet file written: a data file with more is cut into several, so each file (and the worker's memory) stays bounded. */
  rowsPerFile: z.number().int().min(1, { error: 'must be at least 1. Fix: give the rows per Parquet file written, e.g. 250000.' }).max(10_000_000, { error: 'must be at most 10,000,000 (a file is built in memory). Fix: lower it.' }).default(250_000),
});

/** The parts an identifier has per catalog type: glue database.table, unity catalog.schema.table, rest and files namespace(s).table. */
const IDENTIFIER_PARTS: Record<string, { min: number; max: number; form: string }> = {
  glue: { min: 2, max: 2, form: 'database_name.table_name' },
  unity: { min: 3, max: 3, form: 'catalog_name.schema_name.table_name' },
  rest: { min: 2, max: Infinity, form: 'namespace.table_name (nested namespaces: a.b.table_name)' },
  files: { min: 2, max: Infinity, form: 'namespace.table_name (the folder <warehousePath>/namespace/table_name/)' },
};

/**
 * A catalog table's identifier must have the form of its source's catalog. (A table with an
 * identifier on a source without a catalog, or of a format other than iceberg, is refused when it
 * is opened: tables/registry-ops.ts.)
 */
function identifierProblems(source: SourceConfig | undefined, table: { identifier?: string }, name: string, ctx: z.RefinementCtx): void {
  const type = source?.catalog?.type;
  if (type === undefined) return;
  const rule = IDENTIFIER_PARTS[type];
  const parts = (table.identifier ?? '').split('.');
  if (!rule || parts.some((p) => p === '') || parts.length < rule.min || parts.length > rule.max) {
    ctx.addIssue({ code: 'custom', path: ['virtualTables', name, 'identifier'], message: `"${table.identifier}" is not a ${type} catalog table name. Fix: write ${rule?.form ?? 'namespace.table_name'}.` });
  }
}

export const configSchema = z.strictObject({
  sources: z.record(nameSchema, sourceSchema).default({}),
  datasetStore: z.string().min(1, { error: 'is empty. Fix: write a folder such as ./data, or the name of a source.' }).default('./data'),
  syncs: z.record(nameSchema, syncSchema).default({}),
  exports: z.record(nameSchema, exportSchema).default({}),
  virtualTables: z.record(nameSchema, virtualTableSchema).default({}),
  tableSyncs: z.record(nameSchema, tableSyncSchema).default({}),
}).superRefine((config, ctx) => {
  // Runs even when other fields failed (see `when` below), so every problem is reported in one
  // pass; the data may therefore be partly invalid and is read defensively.
  config = {
    ...config, sources: config.sources ?? {}, syncs: config.syncs ?? {}, exports: config.exports ?? {},
    virtualTables: config.virtualTables ?? {}, tableSyncs: config.tableSyncs ?? {},
  };
  const sourceNames = Object.keys(config.sources);
  const needSource = (section: string, job: string, source: string) => {
    if (typeof source === 'string' && !(source in config.sources)) {
      ctx.addIssue({
        code: 'custom', path: [section, job, 'source'],
        message: `names source "${source}", which is not defined. Fix: use one of ${sourceNames.join(', ') || '(none: add a sources: entry)'}.`,
      });
    }
  };
  for (const [job, sync] of Object.entries(config.syncs)) {
    needSource('syncs', job, sync.source);
    if (sync.mode === 'media' && !sync.mediaTypes?.length) {
      ctx.addIssue({ code: 'custom', path: ['syncs', job, 'mediaTypes'], message: 'is required for mode: media. Fix: list the allowed types, e.g. [image/png, application/pdf].' });
    }
    if (sync.mode !== 'media' && sync.mediaTypes) {
      ctx.addIssue({ code: 'custom', path: ['syncs', job, 'mediaTypes'], message: 'applies to mode: media only. Fix: remove it or set mode: media.' });
    }
  }
  for (const job of Object.keys(config.exports)) {
    // Runs, schedules (schedule/<job>) and the ConnectorJob attribute are keyed by the job's name alone.
    if (job in config.syncs) {
      ctx.addIssue({ code: 'custom', path: ['exports', job], message: `has the name of a sync job; runs, schedules and the ConnectorJob search attribute are keyed by job name. Fix: rename the export, e.g. "${job}-export".` });
    }
  }
  for (const [job, exp] of Object.entries(config.exports)) {
    needSource('exports', job, exp.source);
    const target = config.sources[exp.source];
    if (target && target.exports?.enabled !== true) {
      ctx.addIssue({ code: 'custom', path: ['exports', job, 'source'], message: `source "${exp.source}" does not allow exports. Fix: set sources.${exp.source}.exports.enabled: true.` });
    }
    if ((exp.cannedAcl === 'public-read' || exp.cannedAcl === 'public-read-write') && !exp.allowPublicAcl) {
      ctx.addIssue({ code: 'custom', path: ['exports', job, 'cannedAcl'], message: `${exp.cannedAcl} makes exported files public. Fix: use bucket-owner-full-control, or set allowPublicAcl: true if that is intended.` });
    }
  }
  for (const [name, table] of Object.entries(config.virtualTables)) {
    needSource('virtualTables', name, table.source);
    if (!table.location === !table.identifier) {
      ctx.addIssue({ code: 'custom', path: ['virtualTables', name], message: 'needs exactly one of location or identifier. Fix: give location: for files in S3, identifier: for catalog tables.' });
    }
    if (typeof table.identifier === 'string') identifierProblems(config.sources[table.source], table, name, ctx);
  }
  for (const [job, sync] of Object.entries(config.tableSyncs)) tableSyncProblems(config, job, sync, ctx);
}, { when: (payload) => typeof payload.value === 'object' && payload.value !== null });

/** The cross-checks of `tableSyncs.<job>`: a unique job name, and a configured table of a format a table sync can read. */
function tableSyncProblems(config: Pick<z.infer<typeof configSchema>, 'syncs' | 'exports' | 'virtualTables'>, job: string,
  sync: z.infer<typeof tableSyncSchema>, ctx: z.RefinementCtx): void {
  const issue = (path: Array<string | number>, message: string) => ctx.addIssue({ code: 'custom', path: ['tableSyncs', job, ...path], message });
  // Runs, schedules (schedule/<job>) and the ConnectorJob attribute are keyed by the job's name alone.
  const other = job in config.syncs ? 'a sync job' : job in config.exports ? 'an export job' : undefined;
  if (other) issue([], `has the name of ${other}; runs, schedules and the ConnectorJob search attribute are keyed by job name. Fix: rename the table sync, e.g. "${job}-table".`);
  if (typeof sync.table !== 'string') return;
  const table = config.virtualTables[sync.table];
  if (!table) {
    const names = Object.keys(config.virtualTables);
    issue(['table'], `names table "${sync.table}", which is not in virtualTables. Fix: use one of ${names.join(', ') || '(none: add a virtualTables: entry)'}.`);
  } else if (table.location === undefined && table.format !== 'iceberg') {
    issue(['table'], `table "${sync.table}" is a catalog table (identifier:) of format ${table.format}; catalogs hold Iceberg tables, and table syncs read other formats by location only. Fix: give virtualTables.${sync.table}.location instead.`);
  }
}

/** The whole config file, after defaults. */
export type ConnectorConfig = z.infer<typeof configSchema>;
