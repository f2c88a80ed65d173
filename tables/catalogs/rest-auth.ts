/**
 * How a REST catalog client authenticates: a bearer token (a secret in config), or OAuth2 client
 * credentials exchanged for a token (RFC 6749 section 4.4; the Iceberg REST spec's
 * `/v1/oauth/tokens`, or the identity provider's `oauth2ServerUri`), kept until shortly before it
 * expires. Secrets are resolved when a request is made, on the process that makes it.
 */
import { resolveSecret } from '../../config/secret-ref';
import type { Transport } from '../../s3/http-handler';
import { CatalogError } from './errors';
import { sendHttp } from './http';

/** The authentication settings of a REST or Unity catalog (secrets still as written in config). */
export interface RestAuthConfig {
  token?: string;
  credential?: { clientId: string; clientSecret: string };
  oauth2ServerUri?: string;
  scope?: string;
}

/** Renew an OAuth2 token this long before it expires. */
const RENEW_MARGIN_MS = 60_000;

/** A source of `Authorization` headers; `invalidate()` drops a token the catalog refused or called expired. */
export interface RestAuth {
  header(): Promise<Record<string, string>>;
  invalidate(): void;
  /** What to check when the catalog refuses us, for messages (names fields, never values). */
  readonly fix: string;
}

/** Authentication for the catalog at `field`, whose base URL is `uri`. */
export function restAuth(field: string, uri: string, auth: RestAuthConfig, transportFor: (url: URL) => Transport): RestAuth {
  if (auth.token !== undefined) {
    const token = auth.token;
    return {
      header: async () => ({ authorization: `Bearer ${resolveSecret(token, `${field}.token`)}` }),
      invalidate: () => undefined,
      fix: `check that ${field}.token is a current token of this catalog, allowed to read the table`,
    };
  }
  const credential = auth.credential;
  if (!credential) return { header: async () => ({}), invalidate: () => undefined, fix: `give ${field}.token or ${field}.credential: the catalog requires authentication` };
  const endpoint = new URL(auth.oauth2ServerUri ?? `${uri.replace(/\/+$/, '')}/v1/oauth/tokens`);
  let current: { token: string; expiresAt: number } | undefined;
  let inflight: Promise<{ token: string; expiresAt: number }> | undefined;
  const fetchToken = async () => {
    const body = new URLSearchParams({
      grant_type: 'client_credentials', client_id: credential.clientId,
      client_secret: resolveSecret(credential.clientSecret, `${field}.credential.clientSecret`), scope: auth.scope ?? 'catalog',
    }).toString();
    let reply;
    try {
      reply = await sendHttp({ method: 'POST', url: endpoint, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, transportFor(endpoint));
    } catch (err) {
      throw new CatalogError('CatalogUnavailable', `${field}: the OAuth2 token request to ${endpoint.origin}${endpoint.pathname} failed: ${(err as Error).message}. Fix: check that the token endpoint is reachable from here.`);
    }
    if (reply.status === 400 || reply.status === 401 || reply.status === 403) {
      throw new CatalogError('CatalogUnauthorized', `${field}: the OAuth2 token endpoint ${endpoint.origin}${endpoint.pathname} refused client ${credential.clientId} (HTTP ${reply.status}). Fix: check ${field}.credential.clientId and clientSecret, and ${field}.scope.`, reply.status);
    }
    if (reply.status < 200 || reply.status > 299) {
      throw new CatalogError(reply.status >= 500 || reply.status === 429 ? 'CatalogUnavailable' : 'CatalogBadReply',
        `${field}: the OAuth2 token endpoint ${endpoint.origin}${endpoint.pathname} answered HTTP ${reply.status}. Fix: check ${field}.oauth2ServerUri.`, reply.status);
    }
    let parsed: { access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(reply.text) as typeof parsed;
    } catch {
      parsed = {};
    }
    if (typeof parsed.access_token !== 'string' || parsed.access_token === '') {
      throw new CatalogError('CatalogBadReply', `${field}: the OAuth2 token endpoint ${endpoint.origin}${endpoint.pathname} returned no access_token. Fix: check ${field}.oauth2ServerUri points at an OAuth2 token endpoint.`);
    }
    // Without expires_in the token is kept for an hour, then fetched again.
    const seconds = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : 3600;
    return { token: parsed.access_token, expiresAt: Date.now() + seconds * 1000 };
  };
  return {
    async header() {
      if (!current || current.expiresAt - RENEW_MARGIN_MS <= Date.now()) {
        inflight ??= fetchToken().finally(() => { inflight = undefined; });
        current = await inflight;
      }
      return { authorization: `Bearer ${current.token}` };
    },
    invalidate() {
      current = undefined;
    },
    fix: `check that ${field}.credential (client ${credential.clientId}) may read the table`,
  };
}
