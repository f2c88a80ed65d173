/**
 * The Iceberg REST catalog protocol (the `rest` catalog), and Unity Catalog's Iceberg REST
 * endpoint on it (`unity`): `GET /v1/config` (its prefix and base URL, per warehouse), namespaces
 * and their tables listed page by page, and load table for the current metadata location and
 * the credentials a catalog vends. Unity names a table `catalog.schema.table`: the catalog is the
 * warehouse asked for at `/v1/config`, which answers with the prefix of that catalog's paths.
 */
import { linkLocalReason } from '../../config/source-url';
import type { Transport } from '../../s3/http-handler';
import type { CatalogTable, CatalogTableName, IcebergCatalog, VendedCredentials } from './catalog';
import { CatalogError } from './errors';
import { sendHttp, type HttpReply } from './http';
import { restAuth, type RestAuthConfig } from './rest-auth';

/** A REST or Unity catalog as configured. */
export interface RestCatalogConfig extends RestAuthConfig {
  type: 'rest' | 'unity';
  uri: string;
  /** rest only: the warehouse sent to `/v1/config`. */
  warehouse?: string;
  /** The source's allowLinkLocalEndpoint: whether a base URL the catalog's `/v1/config` names may be a link-local or metadata address. */
  allowLinkLocal?: boolean;
}

/** Where a warehouse's paths go, from its `/v1/config`. */
interface Endpoint { base: string; prefix: string }

/** The Iceberg spec's separator of namespace levels in a path segment (the unit separator, 0x1F). */
const NAMESPACE_SEPARATOR = '\u001f';

/** A REST (or Unity) catalog client; HTTP goes through `transportFor`'s agents (the source's proxy and TLS). */
export function restCatalog(field: string, config: RestCatalogConfig, transportFor: (url: URL) => Transport): IcebergCatalog {
  const uri = config.uri.replace(/\/+$/, '');
  const auth = restAuth(field, uri, config, transportFor);
  const endpoints = new Map<string, Promise<Endpoint>>();
  const what = `${field} (${config.type} catalog at ${uri})`;

  /** One request, with one renewed token if the catalog says the first one expired (419) or refused an OAuth2 one. */
  const call = async (url: URL, subject: string, headers: Record<string, string> = {}): Promise<unknown> => {
    for (let attempt = 1; ; attempt++) {
      let reply: HttpReply;
      try {
        reply = await sendHttp({ method: 'GET', url, headers: { ...(await auth.header()), ...headers } }, transportFor(url));
      } catch (err) {
        if (err instanceof CatalogError) throw err;
        throw new CatalogError('CatalogUnavailable', `${what}: ${subject}: request failed: ${(err as Error).message}. Fix: check that ${field}.uri is reachable from here.`);
      }
      if ((reply.status === 419 || reply.status === 401) && attempt === 1 && config.credential) {
        auth.invalidate();
        continue;
      }
      if (reply.status >= 200 && reply.status <= 299) {
        try {
          return JSON.parse(reply.text) as unknown;
        } catch {
          throw new CatalogError('CatalogBadReply', `${what}: ${subject}: the reply is not JSON. Fix: check that ${field}.uri is the catalog's Iceberg REST base URL (the one /v1/config lies below).`, reply.status);
        }
      }
      throw failure(reply, subject);
    }
  };

  const failure = (reply: HttpReply, subject: string): CatalogError => {
    let detail = '';
    try {
      const error = (JSON.parse(reply.text) as { error?: { type?: unknown; message?: unknown } }).error;
      if (typeof error?.type === 'string') detail = ` (${error.type}${typeof error.message === 'string' ? `: ${error.message.slice(0, 300)}` : ''})`;
    } catch { /* not an Iceberg error body */ }
    const status = reply.status;
    if (status === 407) {
      return new CatalogError('CatalogUnauthorized', `${what}: ${subject}: the source's proxy refused the request (HTTP 407). Fix: check ${field.replace(/\.catalog$/, '')}.proxy.credentials.`, status);
    }
    if (status === 401 || status === 403 || status === 419) {
      return new CatalogError('CatalogUnauthorized', `${what}: ${subject}: the catalog refused our credentials (HTTP ${status}${status === 401 ? ', bad or expired token' : ', not allowed'})${detail}. Fix: ${auth.fix}.`, status);
    }
    if (status === 404) {
      const namespace = /NoSuchNamespace/.test(detail);
      return new CatalogError(namespace ? 'CatalogNoSuchNamespace' : 'CatalogNoSuchTable', `${what}: ${subject}: no such ${namespace ? 'namespace' : 'table'}${detail}. Fix: check the identifier (and for unity its catalog name) against what the catalog lists (tables discover).`, status);
    }
    if (status === 429 || status >= 500) return new CatalogError('CatalogUnavailable', `${what}: ${subject}: the catalog is unavailable (HTTP ${status})${detail}; retried later.`, status);
    return new CatalogError('CatalogBadReply', `${what}: ${subject}: HTTP ${status}${detail}. Fix: check ${field}.uri and the identifier.`, status);
  };

  /** The base URL and prefix for `warehouse`, from `/v1/config` (overrides win over defaults), fetched once. */
  const endpointOf = (warehouse: string | undefined): Promise<Endpoint> => {
    const key = warehouse ?? '';
    let endpoint = endpoints.get(key);
    if (!endpoint) {
      endpoint = (async () => {
        const url = new URL(`${uri}/v1/config`);
        if (warehouse !== undefined) url.searchParams.set('warehouse', warehouse);
        const reply = await call(url, `GET /v1/config${warehouse !== undefined ? ` (warehouse ${warehouse})` : ''}`) as { defaults?: Record<string, unknown>; overrides?: Record<string, unknown> };
        const merged = { ...(reply?.defaults ?? {}), ...(reply?.overrides ?? {}) };
        const base = typeof merged.uri === 'string' && merged.uri !== '' ? merged.uri.replace(/\/+$/, '') : uri;
        // The catalog may move its paths to another base URL; never to the instance metadata service.
        const moved = base === uri ? undefined : URL.canParse(base) ? new URL(base) : undefined;
        const reason = moved ? linkLocalReason(moved) : base === uri ? undefined : 'not a URL';
        if (reason && !(moved && config.allowLinkLocal)) {
          throw new CatalogError('CatalogBadReply', `${what}: GET /v1/config names the base URL "${base}", which is ${reason}; refused. Fix: check the catalog's configuration, or set allowLinkLocalEndpoint: true on the source if the catalog really is there.`);
        }
        const prefix = typeof merged.prefix === 'string' ? merged.prefix.replace(/^\/+|\/+$/g, '') : '';
        return { base, prefix };
      })();
      endpoint.catch(() => endpoints.delete(key));
      endpoints.set(key, endpoint);
    }
    return endpoint;
  };

  const pathOf = (endpoint: Endpoint, rest: string) => new URL(`${endpoint.base}/v1/${endpoint.prefix ? `${endpoint.prefix.split('/').map(encodeURIComponent).join('/')}/` : ''}${rest}`);
  const nsSegment = (namespace: string[]) => encodeURIComponent(namespace.join(NAMESPACE_SEPARATOR));

  /** Splits an identifier into warehouse (unity's catalog), namespace and table name. */
  const split = (identifier: string): { warehouse: string | undefined; namespace: string[]; name: string } => {
    const parts = identifier.split('.');
    const min = config.type === 'unity' ? 3 : 2;
    if (parts.length < min || (config.type === 'unity' && parts.length !== 3) || parts.some((p) => p === '')) {
      throw new CatalogError('CatalogBadIdentifier', `${what}: "${identifier}" is not a table name of this catalog. Fix: write ${config.type === 'unity' ? 'catalog_name.schema_name.table_name' : 'namespace.table_name'}.`);
    }
    return config.type === 'unity'
      ? { warehouse: parts[0], namespace: [parts[1]!], name: parts[2]! }
      : { warehouse: config.warehouse, namespace: parts.slice(0, -1), name: parts.at(-1)! };
  };

  /** Unity: the catalog is the first part of a namespace as this client shows it (`catalog.schema`). */
  const place = (namespace: string[]): { warehouse: string | undefined; inner: string[]; outer: string[] } => {
    if (config.type !== 'unity') return { warehouse: config.warehouse, inner: namespace, outer: [] };
    if (namespace.length === 0) {
      throw new CatalogError('CatalogBadIdentifier', `${what}: Unity's Iceberg endpoint lists the schemas of one catalog. Fix: name the catalog (tables discover SOURCE --catalog-namespace CATALOG_NAME).`);
    }
    return { warehouse: namespace[0], inner: namespace.slice(1), outer: namespace.slice(0, 1) };
  };

  /** Every page of a listing (`pageToken` / `next-page-token`). */
  const pages = async <T>(endpoint: Endpoint, path: string, params: Record<string, string>, subject: string, items: (page: Record<string, unknown>) => T[]): Promise<T[]> => {
    const all: T[] = [];
    let token: string | undefined;
    for (let page = 0; page < 100_000; page++) {
      const url = pathOf(endpoint, path);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      if (token) url.searchParams.set('pageToken', token);
      const reply = (await call(url, subject)) as Record<string, unknown>;
      all.push(...items(reply ?? {}));
      const next = reply?.['next-page-token'];
      token = typeof next === 'string' && next !== '' ? next : undefined;
      if (!token) break;
    }
    return all;
  };

  return {
    field,
    type: config.type,
    async loadTable(identifier: string): Promise<CatalogTable> {
      const { warehouse, namespace, name } = split(identifier);
      const endpoint = await endpointOf(warehouse);
      const reply = await call(pathOf(endpoint, `namespaces/${nsSegment(namespace)}/tables/${encodeURIComponent(name)}`), `load table ${identifier}`,
        { 'x-iceberg-access-delegation': 'vended-credentials' }) as Record<string, unknown>;
      const metadataLocation = reply?.['metadata-location'];
      if (typeof metadataLocation !== 'string' || metadataLocation === '') {
        throw new CatalogError('CatalogBadReply', `${what}: load table ${identifier}: the reply has no metadata-location (a staged table never committed?). Fix: commit the table in the catalog, or check the identifier.`);
      }
      const metadata = reply.metadata as { location?: unknown } | undefined;
      const credentials = vendedCredentials(reply, metadataLocation);
      return {
        identifier, metadataLocation,
        ...(typeof metadata?.location === 'string' ? { location: metadata.location } : {}),
        ...(credentials ? { credentials } : {}),
      };
    },
    async listNamespaces(parent: string[] = []): Promise<string[][]> {
      const { warehouse, inner, outer } = place(parent);
      const endpoint = await endpointOf(warehouse);
      const params: Record<string, string> = inner.length ? { parent: inner.join(NAMESPACE_SEPARATOR) } : {};
      const found = await pages(endpoint, 'namespaces', params, `list namespaces${parent.length ? ` of ${parent.join('.')}` : ''}`,
        (page) => (Array.isArray(page.namespaces) ? page.namespaces as string[][] : []));
      return found.map((ns) => [...outer, ...ns]);
    },
    async listTables(namespace: string[]): Promise<CatalogTableName[]> {
      const { warehouse, inner, outer } = place(namespace);
      const endpoint = await endpointOf(warehouse);
      const found = await pages(endpoint, `namespaces/${nsSegment(inner)}/tables`, {}, `list tables of ${namespace.join('.')}`,
        (page) => (Array.isArray(page.identifiers) ? page.identifiers as Array<{ namespace: string[]; name: string }> : []));
      return found.map((t) => ({ namespace: [...outer, ...t.namespace], name: t.name }));
    },
  };
}

/**
 * The S3 keys a load-table reply vends: the `storage-credentials` entry with the longest prefix
 * of the metadata location (newer catalogs), else the `s3.*` keys of its `config`.
 */
export function vendedCredentials(reply: Record<string, unknown>, metadataLocation: string): VendedCredentials | undefined {
  const candidates: Array<{ prefix: string; config: Record<string, unknown> }> = [];
  if (Array.isArray(reply['storage-credentials'])) {
    for (const entry of reply['storage-credentials'] as Array<{ prefix?: unknown; config?: unknown }>) {
      if (typeof entry?.prefix === 'string' && entry.config && typeof entry.config === 'object' && metadataLocation.startsWith(entry.prefix)) {
        candidates.push({ prefix: entry.prefix, config: entry.config as Record<string, unknown> });
      }
    }
  }
  candidates.sort((a, b) => b.prefix.length - a.prefix.length);
  const config = candidates[0]?.config ?? (reply.config && typeof reply.config === 'object' ? reply.config as Record<string, unknown> : {});
  const accessKeyId = config['s3.access-key-id'];
  const secretAccessKey = config['s3.secret-access-key'];
  if (typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string' || !accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = config['s3.session-token'];
  const expires = Number(config['s3.session-token-expires-at-ms']);
  return {
    accessKeyId, secretAccessKey,
    ...(typeof sessionToken === 'string' && sessionToken ? { sessionToken } : {}),
    ...(Number.isFinite(expires) && expires > 0 ? { expiresAt: expires } : {}),
  };
}
