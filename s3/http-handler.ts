/**
 * The HTTP layer of every S3 and STS client: connection pool size, timeouts, TLS trust and
 * client certificates, and the proxy. One handler per (source, target host).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import type { SourceConfig } from '../config/source-schema';
import { resolveSecret } from '../config/secret-ref';
import { bypassesProxy } from './proxy';

/** TLS material read from the files the source names. */
interface TlsMaterial {
  ca?: string[];
  cert?: string;
  key?: string;
}

function readTls(source: SourceConfig, field: string): TlsMaterial {
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`${field}.${what}: cannot read ${file} (${(err as NodeJS.ErrnoException).code}). Fix: make the PEM file readable by the worker.`);
    }
  };
  const tls: TlsMaterial = {};
  if (source.serverCertificates.length > 0) {
    // Extra CAs are added to Node's bundled roots, never replacing them; TLS verification stays on.
    tls.ca = [...rootCertificates, ...source.serverCertificates.map((f) => read(f, 'serverCertificates'))];
  }
  if (source.clientCertificate) {
    tls.cert = read(source.clientCertificate.certificateFile, 'clientCertificate.certificateFile');
    tls.key = read(source.clientCertificate.privateKeyFile, 'clientCertificate.privateKeyFile');
  }
  return tls;
}

/** Proxy URL with basic-auth credentials, or undefined when `host` bypasses the proxy. */
function proxyUrlFor(source: SourceConfig, host: string, field: string): URL | undefined {
  const proxy = source.proxy;
  if (!proxy || bypassesProxy(host, proxy.nonProxyHosts)) return undefined;
  const url = new URL(`${proxy.protocol.toLowerCase()}://${proxy.host}:${proxy.port}`);
  if (proxy.credentials) {
    url.username = proxy.credentials.username;
    url.password = resolveSecret(proxy.credentials.password, `${field}.proxy.credentials.password`);
  }
  return url;
}

/**
 * CONNECT tunnel to an https store. HttpsProxyAgent resets the agent's own options, so the TLS
 * session it opens to the store inside the tunnel would trust only Node's bundled roots and
 * present no client certificate: the source's serverCertificates and clientCertificate are
 * applied to that session here.
 */
class TunnelAgent extends HttpsProxyAgent<string> {
  constructor(proxy: URL, options: ConstructorParameters<typeof HttpsProxyAgent<string>>[1], private readonly storeTls: TlsMaterial) {
    super(proxy, options);
  }

  override connect(req: http.ClientRequest, opts: Parameters<HttpsProxyAgent<string>['connect']>[1]) {
    return super.connect(req, { ...opts, ...this.storeTls });
  }
}

/** What a handler was built with, for the tests and for `check` to report. */
export interface HandlerInfo {
  viaProxy: boolean;
}

/** The agents and timeouts behind a handler, for requests made without the SDK (lean-client.ts). */
export interface Transport {
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
  connectionTimeoutMs: number;
  socketTimeoutMs: number;
}

/**
 * Builds the request handler for requests from `source` to `host`.
 * Timeouts: connectionTimeoutMs bounds the TCP connect; socketTimeoutMs bounds any period of
 * inactivity on the socket, including while a response body is streaming.
 */
export function createRequestHandler(source: SourceConfig, host: string, field: string): { handler: NodeHttpHandler; info: HandlerInfo; transport: Transport } {
  const tls = readTls(source, field);
  const pool = { keepAlive: true, maxSockets: source.maxConnections, maxFreeSockets: source.maxConnections };
  const proxyUrl = proxyUrlFor(source, host, field);
  let httpAgent: http.Agent;
  let httpsAgent: https.Agent;
  if (proxyUrl) {
    // CONNECT tunnel for https targets; absolute-URI forwarding for plain http targets.
    // The proxy itself is trusted with the same extra CAs as the store.
    httpsAgent = new TunnelAgent(proxyUrl, { ...pool, ...tls }, tls);
    // Forwarded requests get a fresh connection each: proxies such as tinyproxy close the client
    // connection after every response without announcing it, and a pooled socket reused in that
    // window fails the next request with "socket hang up".
    httpAgent = new HttpProxyAgent(proxyUrl, { keepAlive: false, maxSockets: source.maxConnections, ca: tls.ca });
  } else {
    httpsAgent = new https.Agent({ ...pool, ...tls });
    httpAgent = new http.Agent(pool);
  }
  const handler = new NodeHttpHandler({
    httpAgent,
    httpsAgent,
    connectionTimeout: source.connectionTimeoutMs,
    socketTimeout: source.socketTimeoutMs,
  });
  const transport = { httpAgent, httpsAgent, connectionTimeoutMs: source.connectionTimeoutMs, socketTimeoutMs: source.socketTimeoutMs };
  return { handler, info: { viaProxy: proxyUrl !== undefined }, transport };
}
