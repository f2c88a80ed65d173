/**
 * A thin HTTP front to Apache Iceberg's REST catalog server for the catalog tests. The Java
 * server serves no URL prefix and accepts any token; Unity Catalog's Iceberg endpoint lives
 * below `/api/2.1/unity-catalog/iceberg-rest`, answers `/v1/config?warehouse=CATALOG` with the
 * prefix `catalogs/CATALOG`, and refuses a bad token with 401. This front does those three
 * things and passes everything else through unchanged, so the Unity path form and token refusal
 * are tested against the real server's catalog behind it.
 */
import { createServer, request, type Server } from 'node:http';

/** The path below which the front serves, as Unity's workspace endpoint does. */
export const UNITY_BASE_PATH = '/api/2.1/unity-catalog/iceberg-rest';

/** A running front. */
export interface IcebergRestFront {
  /** The catalog's base URL for the `uri` of a rest or unity catalog. */
  uri: string;
  /** Authorization headers it saw, in order (to check which token a client sent). */
  seenTokens: string[];
  close(): Promise<void>;
}

/**
 * Starts a front on loopback over the server at `target`, serving the one catalog `catalogName`
 * and accepting only `Authorization: Bearer <token>` for one of `tokens`. `overrides` are added to
 * its `/v1/config` answer's (e.g. a `uri` that moves the catalog's paths elsewhere).
 */
export async function startIcebergRestFront(target: string, catalogName: string, tokens: string[], overrides: Record<string, string> = {}): Promise<IcebergRestFront> {
  const seenTokens: string[] = [];
  const prefix = `catalogs/${catalogName}`;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://front');
    const reply = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, type: string, message: string) => reply(status, { error: { message, type, code: status } });
    const auth = req.headers.authorization ?? '';
    seenTokens.push(auth);
    if (!url.pathname.startsWith(`${UNITY_BASE_PATH}/v1/`)) return error(404, 'NotFoundException', `no route ${url.pathname}`);
    if (!tokens.some((t) => auth === `Bearer ${t}`)) return error(401, 'NotAuthorizedException', 'Invalid access token.');
    const rest = url.pathname.slice(UNITY_BASE_PATH.length);
    if (rest === '/v1/config') {
      if (url.searchParams.get('warehouse') !== catalogName) return error(404, 'NoSuchCatalogException', `Catalog '${url.searchParams.get('warehouse')}' does not exist.`);
      return reply(200, { defaults: {}, overrides: { prefix, ...overrides } });
    }
    if (!rest.startsWith(`/v1/${prefix}/`)) return error(404, 'NoSuchCatalogException', `no catalog in ${rest}`);
    const forwarded = new URL(`${target}/v1/${rest.slice(`/v1/${prefix}/`.length)}${url.search}`);
    const upstream = request(forwarded, { method: req.method, headers: { ...req.headers, host: forwarded.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (err) => error(502, 'BadGateway', err.message));
    req.pipe(upstream);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('the front has no address');
  return {
    uri: `http://127.0.0.1:${address.port}${UNITY_BASE_PATH}`,
    seenTokens,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
