/**
 * Apache Iceberg's own REST catalog server (org.apache.iceberg.rest.RESTCatalogServer, from the
 * test fixtures of iceberg-open-api) on loopback, for the catalog tests: a JDBC catalog on sqlite
 * behind the Iceberg REST protocol, its warehouse in a real S3 store (MinIO) through S3FileIO.
 * Installed by scripts/install-catalog-servers.sh into .tools/iceberg-rest/lib.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, projectRoot, retryOnEarlyExit, startProcess, waitUntil, type ServerProcess } from './process';

/** A running REST catalog server. */
export interface IcebergRestServer extends ServerProcess {
  /** The catalog's base URL, e.g. `http://127.0.0.1:20123` (it serves no URL prefix: `/v1/config` lies right below it). */
  uri: string;
  port: number;
}

/** Where the server's warehouse lives: an S3 store and its credentials. */
export interface IcebergRestS3 {
  /** The store's endpoint URL, e.g. MinIO's `http://127.0.0.1:9000`. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region?: string;
}

/** Options for startIcebergRestServer. */
export interface IcebergRestOptions {
  logDir: string;
  /** Where the sqlite file of the catalog goes. */
  dataDir: string;
  /** The warehouse URI, e.g. `s3://iceberg-rest/warehouse` (its bucket must exist before tables are created). */
  warehouse: string;
  s3: IcebergRestS3;
  /** Hands the warehouse's S3 keys to clients in load-table responses (`config`), as a catalog that vends credentials does. */
  vendCredentials?: boolean;
  port?: number;
}

/** The jars of the server's class path; fails naming the install script when they are missing. */
export function icebergRestClassPath(): string {
  const lib = resolve(projectRoot(), '.tools', 'iceberg-rest', 'lib');
  if (!existsSync(join(lib, '.versions'))) {
    throw new Error(`the Iceberg REST catalog server is not installed (no ${lib}). Fix: run bash scripts/install-catalog-servers.sh (npm test's setup runs it).`);
  }
  return `${lib}/*`;
}

/** Starts the server and waits until it answers `GET /v1/config`; one that exits early (a port lost) is started again. */
export function startIcebergRestServer(options: IcebergRestOptions): Promise<IcebergRestServer> {
  return retryOnEarlyExit(3, () => startOnce(options));
}

async function startOnce(options: IcebergRestOptions): Promise<IcebergRestServer> {
  const classPath = icebergRestClassPath();
  const port = options.port ?? (await freePort());
  mkdirSync(options.dataDir, { recursive: true });
  const logFile = join(options.logDir, `iceberg-rest-${port}.log`);
  // The server reads its catalog properties from CATALOG_* variables: the prefix dropped, "__"
  // becomes "-", "_" becomes ".", lower-cased (CATALOG_S3_PATH__STYLE__ACCESS -> s3.path-style-access).
  // The port is CATALOG_REST_PORT (a bare REST_PORT is ignored).
  const env: NodeJS.ProcessEnv = {
    CATALOG_REST_PORT: String(port),
    CATALOG_WAREHOUSE: options.warehouse,
    CATALOG_URI: `jdbc:sqlite:${join(options.dataDir, `iceberg-rest-${port}.db`)}`,
    CATALOG_JDBC_USER: 'iceberg',
    CATALOG_JDBC_PASSWORD: 'iceberg',
    CATALOG_IO__IMPL: 'org.apache.iceberg.aws.s3.S3FileIO',
    CATALOG_S3_ENDPOINT: options.s3.endpoint,
    CATALOG_S3_PATH__STYLE__ACCESS: 'true',
    CATALOG_CLIENT_REGION: options.s3.region ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: options.s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: options.s3.secretAccessKey,
    AWS_REGION: options.s3.region ?? 'us-east-1',
    ...(options.vendCredentials ? {
      CATALOG_INCLUDE__CREDENTIALS: 'true',
      CATALOG_S3_ACCESS__KEY__ID: options.s3.accessKeyId,
      CATALOG_S3_SECRET__ACCESS__KEY: options.s3.secretAccessKey,
    } : {}),
  };
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const proc = startProcess(java, ['-Xmx256m', '-cp', classPath, 'org.apache.iceberg.rest.RESTCatalogServer'], { logFile, env, cwd: options.dataDir });
  const uri = `http://127.0.0.1:${port}`;
  await waitUntil('Iceberg REST catalog server', async () => (await fetch(`${uri}/v1/config`)).ok, 90_000, proc, logFile);
  return { ...proc, uri, port };
}
