/**
 * Iceberg tables in the test run's real catalogs, written by pyiceberg
 * (scripts/fixtures/make_catalog_tables.py): in Apache Iceberg's REST catalog server, in moto's
 * Glue, and in a files warehouse in MinIO, each under names of its own per call; and a front
 * before the REST server for Unity's path form and token checks (iceberg-rest-front.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createSourceRegistry } from '../../s3/source-registry';
import { catalogOf, CatalogError, type IcebergCatalog } from '../../tables/catalogs';
import { config, minioSource, rootKeyEnv } from './connector';
import { startIcebergRestFront, type IcebergRestFront } from './iceberg-rest-front';
import { testEnv } from './test-env';

/** The personal access token the front accepts (`${env:TEST_UNITY_TOKEN}`). */
export const PAT = 'dapi-test-personal-access-token';

/** A row as pyiceberg reads it: the long id as decimal text. */
export type OracleRow = { id: string; name: string | null };

/** What was written: metadata locations as pyiceberg reports them, and its rows of each `orders` table. */
export interface CatalogTables {
  /** The REST catalog's namespace (with `orders`, `events`, and `inner.deep`). */
  ns: string;
  /** The Glue database (with Iceberg `orders` and the Parquet table `plain_parquet`). */
  glueDb: string;
  /** The namespace below the files warehouse `files-warehouse/` (with `orders`). */
  filesNs: string;
  /** The OAuth2 client whose server-issued token the front accepts. */
  oauthClient: string;
  written: { rest: Record<string, string>; glue: Record<string, string>; files: Record<string, string>; rows: Record<'rest' | 'glue' | 'files', OracleRow[]> };
  /** The prefixing front for the one catalog `main`. */
  front: IcebergRestFront;
}

/** Writes the tables (about 5 s) and starts the front; sets the env the catalogs' secrets name. */
export async function makeCatalogTables(): Promise<CatalogTables> {
  const run = Math.random().toString(36).slice(2, 8);
  const [ns, glueDb, filesNs, oauthClient] = [`cat_${run}`, `gdb_${run}`, `files_${run}`, `client-${run}`];
  Object.assign(process.env, rootKeyEnv(), { TEST_UNITY_TOKEN: PAT, TEST_OAUTH_SECRET: 'client-secret' });
  const { icebergRest, moto, minio } = testEnv();
  const python = resolve(__dirname, '..', '..', '.tools', 'venv', 'bin', 'python');
  const spec = {
    s3: { endpoint: minio.endpoint, key: minio.rootUser, secret: minio.rootPassword },
    rest: { uri: icebergRest.uri, namespace: ns },
    glue: { endpoint: moto.endpoint, database: glueDb, location: `s3://${icebergRest.bucket}/glue/${glueDb}` },
    sql: { db: join(mkdtempSync(join(tmpdir(), 's3c-sqlcat-')), 'catalog.db'), location: `s3://${icebergRest.bucket}/files-warehouse`, namespace: filesNs },
  };
  const out = execFileSync(python, [resolve(__dirname, '..', '..', 'scripts', 'fixtures', 'make_catalog_tables.py'), JSON.stringify(spec)], { encoding: 'utf8' });
  const written = JSON.parse(out) as CatalogTables['written'];
  const front = await startIcebergRestFront(icebergRest.uri, 'main', [PAT, `client-credentials-token:sub=${oauthClient}`]);
  return { ns, glueDb, filesNs, oauthClient, written, front };
}

/** The catalog of a source `lake` over the warehouse bucket, with `catalog` and further source fields. */
export function catalogFor(catalog: Record<string, unknown>, extra: Record<string, unknown> = {}): IcebergCatalog {
  const cfg = config({ sources: { lake: minioSource(testEnv().icebergRest.bucket, { catalog, ...extra }) } });
  return catalogOf(createSourceRegistry(cfg), 'lake');
}

/** The CatalogError `promise` fails with; anything else fails the test. */
export async function refusal(promise: Promise<unknown>): Promise<CatalogError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof CatalogError)) throw new Error(`expected a CatalogError, got ${String(error)}`);
  return error;
}
