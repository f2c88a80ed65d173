/**
 * The `glue` catalog: AWS Glue's Data Catalog, tables named `database_name.table_name`. GetTable
 * gives an Iceberg table's current metadata in `Parameters.metadata_location` (where Iceberg's
 * GlueCatalog, pyiceberg and Athena keep it); a table whose `Parameters.table_type` is not ICEBERG
 * is refused by name. Glue is called with the source's credentials (and STS role), region,
 * proxy and TLS settings.
 */
import { GetDatabasesCommand, GetTableCommand, GetTablesCommand, GlueClient, type Table } from '@aws-sdk/client-glue';
import type { SourceConfig } from '../../config/source-schema';
import { credentialProvider } from '../../s3/credentials';
import { SECRET_RESOLUTION_CODE, classifyS3Error } from '../../s3/errors';
import { createRequestHandler } from '../../s3/http-handler';
import type { CatalogTable, CatalogTableName, IcebergCatalog } from './catalog';
import { CatalogError } from './errors';

/** The glue block of a source's catalog. */
export interface GlueCatalogConfig {
  type: 'glue';
  region?: string;
  endpoint?: string;
  catalogId?: string;
}

const DENIED = new Set(['AccessDeniedException', 'UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidSignatureException',
  'SignatureDoesNotMatch', 'ExpiredTokenException', 'AccessDenied']);

/** Whether Glue's table is an Iceberg table (`table_type` ICEBERG, in any case, as Iceberg writes it). */
export function isIcebergTable(table: Table | undefined): boolean {
  return (table?.Parameters?.table_type ?? table?.Parameters?.TABLE_TYPE ?? '').toUpperCase() === 'ICEBERG';
}

/** Why Glue's table is not read as an Iceberg table: its table_type (Parameters.table_type, else TableType). */
export function notIcebergReason(table: Table | undefined): string {
  const type = table?.Parameters?.table_type ?? table?.Parameters?.TABLE_TYPE ?? table?.TableType ?? 'none';
  return `not an Iceberg table (Glue table_type ${type}, not ICEBERG)`;
}

/** The Glue catalog of source `sourceName`. */
export function glueCatalog(field: string, sourceName: string, source: SourceConfig, config: GlueCatalogConfig): IcebergCatalog {
  const region = config.region ?? source.region ?? 'us-east-1';
  const host = config.endpoint ? new URL(config.endpoint).hostname : `glue.${region}.amazonaws.com`;
  const glue = new GlueClient({
    region,
    endpoint: config.endpoint,
    credentials: credentialProvider(source, `sources.${sourceName}`),
    requestHandler: createRequestHandler(source, host, `sources.${sourceName}`).handler,
    maxAttempts: source.maxErrorRetries + 1,
  });
  const what = `${field} (glue catalog in ${region}${config.endpoint ? ` at ${config.endpoint}` : ''})`;

  const send = async <T>(subject: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
      const status = e.$metadata?.httpStatusCode;
      if (e.name === 'EntityNotFoundException') {
        throw new CatalogError('CatalogNoSuchTable', `${what}: ${subject}: no such table or database (${e.message ?? e.name}). Fix: check the identifier (database_name.table_name) against what Glue lists (tables discover).`, status);
      }
      const classified = classifyS3Error(err, subject, '', subject);
      if (classified.code === SECRET_RESOLUTION_CODE) throw classified;
      if (DENIED.has(e.name ?? '') || status === 403) {
        throw new CatalogError('CatalogUnauthorized', `${what}: ${subject}: Glue refused the source's credentials (${e.name}). Fix: check sources.${sourceName}.credentials (and stsRole): they need glue:GetTable, glue:GetTables and glue:GetDatabases on this catalog.`, status);
      }
      if (classified.kind === 'transient') throw new CatalogError('CatalogUnavailable', `${what}: ${subject}: ${e.message ?? e.name}; retried later.`, status);
      throw new CatalogError('CatalogBadReply', `${what}: ${subject}: ${e.name}: ${e.message ?? ''}. Fix: check ${field}.`, status);
    }
  };

  return {
    field,
    type: 'glue',
    async loadTable(identifier: string): Promise<CatalogTable> {
      const parts = identifier.split('.');
      if (parts.length !== 2 || parts.some((p) => p === '')) {
        throw new CatalogError('CatalogBadIdentifier', `${what}: "${identifier}" is not a Glue table name. Fix: write database_name.table_name.`);
      }
      const [database, name] = parts as [string, string];
      const out = await send(`GetTable ${identifier}`, () => glue.send(new GetTableCommand({ DatabaseName: database, Name: name, CatalogId: config.catalogId })));
      const table = out.Table;
      if (!isIcebergTable(table)) {
        throw new CatalogError('CatalogNotIceberg', `${what}: table ${identifier} is ${notIcebergReason(table)}. Fix: register it with its format (parquet, avro, delta) and its folder as location:, or name an Iceberg table.`);
      }
      const metadataLocation = table?.Parameters?.metadata_location;
      if (!metadataLocation) {
        throw new CatalogError('CatalogBadReply', `${what}: Iceberg table ${identifier} has no Parameters.metadata_location. Fix: commit the table through an Iceberg Glue catalog writer (it sets metadata_location).`);
      }
      return { identifier, metadataLocation, ...(table?.StorageDescriptor?.Location ? { location: table.StorageDescriptor.Location } : {}) };
    },
    async listNamespaces(parent: string[] = []): Promise<string[][]> {
      // Glue's databases do not nest.
      if (parent.length > 0) return [];
      const names: string[][] = [];
      let token: string | undefined;
      do {
        const out = await send('GetDatabases', () => glue.send(new GetDatabasesCommand({ CatalogId: config.catalogId, NextToken: token })));
        for (const db of out.DatabaseList ?? []) if (db.Name) names.push([db.Name]);
        token = out.NextToken || undefined;
      } while (token);
      return names;
    },
    async listTables(namespace: string[], skipped?: (table: CatalogTableName, reason: string) => void): Promise<CatalogTableName[]> {
      if (namespace.length !== 1) return [];
      const tables: CatalogTableName[] = [];
      let token: string | undefined;
      do {
        const out = await send(`GetTables ${namespace[0]}`, () => glue.send(new GetTablesCommand({ DatabaseName: namespace[0], CatalogId: config.catalogId, NextToken: token })));
        for (const t of out.TableList ?? []) {
          if (!t.Name) continue;
          if (isIcebergTable(t)) tables.push({ namespace: [...namespace], name: t.Name });
          else skipped?.({ namespace: [...namespace], name: t.Name }, notIcebergReason(t));
        }
        token = out.NextToken || undefined;
      } while (token);
      return tables;
    },
  };
}
