/**
 * A reverse proxy in front of the test MinIO that injects the faults of real networks and busy
 * stores, and records what passed through it. Point a source's `endpoint` at `proxy.endpoint`
 * (path-style): every request is forwarded verbatim (method, path, query, headers with Host,
 * body), so SigV4 signatures hold.
 *
 * Faults, chosen per request kind (GET object, PUT object or part, LIST, other), each with a rate:
 *   reset     forward, then destroy the client's socket (TCP RST) after N bytes of the reply
 *             body, or before any reply (`afterBytes` omitted);
 *   slowDown  answer 503 with an S3 `SlowDown` error document (and `Retry-After`), not forwarded;
 *   stall     hold the request for `ms` before forwarding it (forever without `ms`, until the
 *             client gives up), or with `afterBytes`, hold the reply body after that many bytes;
 *   flip      XOR one byte of the reply body (or of the request body, `body: 'request'`) at
 *             `offset`, clamped to the last byte: a damaged byte in transit;
 *   throttle  pace the reply body at `bytesPerSecond`.
 *
 * Whether a fault hits a request is decided by a hash of the seed, the fault and the request's
 * identity (method, object key, part number, Range, list position, and how many times that
 * identity was seen before), not by arrival order: the same requests get the same faults in a
 * repeated run, however concurrency interleaves them. `maxPerKey` caps how often one key may be
 * hit by a fault, `maxFaultsPerKey` by all faults together.
 *
 * It records every request (method, path, query, x-amz-acl, x-amz-content-sha256, Content-MD5:
 * MinIO stores no object ACLs, so this is how tests see that a canned ACL is sent; when it came
 * and when its reply ended), counts requests per kind and per key and faults per kind, keeps a
 * request-rate timeline and the requests in flight per window (`inFlight`), and its faults can
 * be replaced while it runs (`setFaults`), e.g. to start and stop a storm.
 * `dropChecksums` rewrites every reply but GETs' without checksums, as a store without
 * x-amz-checksum-* support answers.
 */
import { createHash } from 'node:crypto';
import { createServer, request, type ClientRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Transform } from 'node:stream';

/** What a request does, as faults are chosen. */
export type RequestKind = 'get' | 'put' | 'list' | 'other';
export const REQUEST_KINDS: readonly RequestKind[] = ['get', 'put', 'list', 'other'];

/** The faults the proxy injects. */
export type FaultName = 'reset' | 'slowDown' | 'stall' | 'flip' | 'throttle';
export const FAULT_NAMES: readonly FaultName[] = ['reset', 'slowDown', 'stall', 'flip', 'throttle'];

/** A request as faults see it. */
export interface FaultRequest {
  method: string;
  kind: RequestKind;
  bucket: string;
  /** The object key (decoded), or '' for a bucket-level request (a LIST). */
  key: string;
  query: URLSearchParams;
  /** UploadPart's (or a part GET's) part number. */
  partNumber?: number;
  range?: string;
  /** How many requests with the same identity came before this one (0 for the first). */
  occurrence: number;
}

/** When a fault hits: the share of the requests of its kind, and limits. */
export interface FaultRule {
  /** Share of the requests hit, 0..1 (1: every request). */
  rate: number;
  /** Hit one key (bucket/key; for LISTs, the bucket and list position) at most this many times. */
  maxPerKey?: number;
  /** Only requests this returns true for can be hit. */
  when?: (request: FaultRequest) => boolean;
}

export interface ResetFault extends FaultRule {
  /** Body bytes sent before the reset (clamped below the body's length, so it is always cut short); omitted: reset before any reply. */
  afterBytes?: number;
}
export interface SlowDownFault extends FaultRule {
  /**
   * The Retry-After header, in seconds; none if omitted. A function decides per request (none
   * when it returns undefined), e.g. to send the header with some SlowDown replies only.
   */
  retryAfterSeconds?: number | ((request: FaultRequest) => number | undefined);
}
export interface StallFault extends FaultRule {
  /** How long to hold; omitted: until the client gives up (or the proxy closes). */
  ms?: number;
  /** Hold the reply body after this many bytes (headers sent) instead of holding the request. */
  afterBytes?: number;
}
export interface FlipFault extends FaultRule {
  /** Offset of the flipped byte in the body (the last byte if the body is shorter). */
  offset: number;
  /** Which body is damaged: the reply's (default) or the request's (an upload). */
  body?: 'reply' | 'request';
}
export interface ThrottleFault extends FaultRule {
  bytesPerSecond: number;
}

/** The faults of one request kind. */
export interface KindFaults {
  reset?: ResetFault;
  slowDown?: SlowDownFault;
  stall?: StallFault;
  flip?: FlipFault;
  throttle?: ThrottleFault;
}

/** Faults per request kind; `all` applies to every kind without faults of its own. */
export type FaultPlan = Partial<Record<RequestKind | 'all', KindFaults>>;

/** How the proxy is started. */
export interface FaultProxyOptions {
  /** Seed of the fault decisions (default 1). */
  seed?: number;
  faults?: FaultPlan;
  /** Hit one key at most this many times by all faults together. */
  maxFaultsPerKey?: number;
  /** Remove x-amz-checksum-* headers and <Checksum...> elements from every reply but GETs'. */
  dropChecksums?: boolean;
}

/** One request that reached the proxy. */
export interface RecordedRequest {
  method: string;
  /** The decoded path, /bucket/key. */
  path: string;
  /** The query string with its '?', or ''. */
  query: string;
  kind: RequestKind;
  /** bucket/key, or the bucket and list position for a bucket-level request. */
  key: string;
  /** Milliseconds since the proxy started. */
  at: number;
  /**
   * When its reply ended, was cut or was given up (the response closed), on the same clock as
   * `at`; undefined while it is still in flight.
   */
  endedAt?: number;
  /** The faults injected into it. */
  faults: FaultName[];
  acl?: string;
  /** The x-amz-content-sha256 header: the signed payload hash, or how the payload is sent. */
  contentSha256?: string;
  contentMd5?: string;
}

/** Counters since the start (or the last clearStats). */
export interface FaultProxyStats {
  requests: Record<RequestKind | 'total', number>;
  /** Requests per key (bucket/key; bucket-level requests by bucket and list position). */
  perKey: Map<string, number>;
  faults: Record<RequestKind, Record<FaultName, number>>;
  faultsTotal: number;
}

/** One window of the request-rate timeline. */
export interface TimelineWindow {
  /** Start of the window, ms since the proxy started (or the last clearStats). */
  at: number;
  requests: number;
  /** Requests of the window that were faulted. */
  faulted: number;
}

/** One window of the in-flight timeline. */
export interface InFlightWindow {
  /** Start of the window, ms since the proxy started (or the last clearStats). */
  at: number;
  /** The most requests in flight at once at any moment of the window. */
  max: number;
  /** Requests that arrived in the window. */
  arrived: number;
}

/** A running fault proxy. */
export interface FaultProxy {
  /** http://127.0.0.1:<port>: a source's endpoint (pathStyleAccess: true). */
  endpoint: string;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** Replaces the faults; requests already in flight keep theirs. */
  setFaults(faults: FaultPlan): void;
  stats(): FaultProxyStats;
  /** Requests per window (default 100 ms), from the start to now; optionally of one kind. */
  timeline(options?: { windowMs?: number; kind?: RequestKind }): TimelineWindow[];
  /**
   * Requests in flight (arrived, reply not yet ended) per window (default 100 ms), from the
   * start to now: the most at once in each window; optionally of one kind.
   */
  inFlight(options?: { windowMs?: number; kind?: RequestKind }): InFlightWindow[];
  /** Forgets requests, counters and the timeline (not the fault decisions' history). */
  clearStats(): void;
  /** Stops listening, drops every open connection and ends every stall. */
  close(): Promise<void>;
}

/** Query parameters a GetObject or PutObject/UploadPart may carry (besides X-Amz-* and response-*). */
const OBJECT_PARAMS = new Set(['versionId', 'partNumber', 'uploadId', 'x-id']);
/** Query parameters of ListObjects(V2), ListObjectVersions and ListMultipartUploads. */
const LIST_PARAMS = new Set(['list-type', 'prefix', 'delimiter', 'continuation-token', 'start-after', 'max-keys', 'encoding-type', 'fetch-owner', 'marker',
  'versions', 'key-marker', 'version-id-marker', 'uploads', 'upload-id-marker', 'max-uploads', 'x-id', 'allow-unordered', 'metadata']);

/** Splits a path-style request into bucket and key. */
function target(url: URL): { bucket: string; key: string } {
  const path = decodeURIComponent(url.pathname).replace(/^\//, '');
  const slash = path.indexOf('/');
  return slash < 0 ? { bucket: path, key: '' } : { bucket: path.slice(0, slash), key: path.slice(slash + 1) };
}

/** The kind of a path-style request, as faults are chosen: GET object, PUT object or part, LIST, or other. */
export function requestKind(method: string, url: URL): RequestKind {
  const { bucket, key } = target(url);
  const params = [...url.searchParams.keys()];
  const objectOnly = params.every((p) => OBJECT_PARAMS.has(p) || p.startsWith('response-') || /^x-amz-/i.test(p));
  if (key && method === 'GET' && objectOnly && !url.searchParams.has('uploadId')) return 'get';
  if (key && method === 'PUT' && objectOnly) return 'put';
  if (!key && method === 'GET' && (bucket === '' || params.every((p) => LIST_PARAMS.has(p) || /^x-amz-/i.test(p)))) return 'list';
  return 'other';
}

/** A uniform number in [0, 1) from the seed and the parts of a decision. */
function draw(seed: number, ...parts: string[]): number {
  const digest = createHash('sha256').update([String(seed), ...parts].join('\u0000')).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** The S3 error document of a SlowDown. */
function slowDownBody(resource: string, id: number): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>`
    + `<Resource>${resource.replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`)}</Resource><RequestId>fault-proxy-${id}</RequestId></Error>`;
}

/** Forwards `reply` without its x-amz-checksum-* headers and <Checksum...> elements. */
async function withoutChecksums(reply: IncomingMessage, res: ServerResponse): Promise<void> {
  let body = '';
  for await (const chunk of reply) body += chunk;
  body = body.replace(/<Checksum[A-Za-z0-9]*>[^<]*<\/Checksum[A-Za-z0-9]*>/g, '');
  const headers = Object.fromEntries(Object.entries(reply.headers).filter(([name]) => !name.startsWith('x-amz-checksum-')));
  res.writeHead(reply.statusCode ?? 502, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/** XORs the byte at `offset` of a stream of `size` bytes (the last one if shorter; `size` unknown: only if reached). */
function flipAt(offset: number, size: number | undefined, onFlip: () => void): Transform {
  const at = size === undefined ? offset : Math.min(offset, size - 1);
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (at >= seen && at < seen + chunk.length) {
        chunk = Buffer.from(chunk);
        chunk[at - seen] = chunk[at - seen]! ^ 0xff;
        onFlip();
      }
      seen += chunk.length;
      done(null, chunk);
    },
  });
}

/** Destroys a socket with a TCP RST where the platform can, else closes it. */
function resetSocket(socket: Socket | null): void {
  if (!socket || socket.destroyed) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

/** What happens to one reply body on its way to the client. */
interface BodyPlan {
  flipAt?: number;
  stallAt?: number;
  stallMs?: number;
  resetAt?: number;
  /** Reset before the status line: the client gets no reply at all. */
  resetBeforeReply?: boolean;
  bytesPerSecond?: number;
}

/** Starts a fault proxy forwarding to `targetEndpoint` (e.g. the test MinIO's endpoint). */
export async function startFaultProxy(targetEndpoint: string, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const upstream = new URL(targetEndpoint);
  const seed = options.seed ?? 1;
  let plan: FaultPlan = options.faults ?? {};
  let startedAt = Date.now();
  let requests: RecordedRequest[] = [];
  const emptyCounts = () => ({
    requests: { get: 0, put: 0, list: 0, other: 0, total: 0 },
    perKey: new Map<string, number>(),
    faults: Object.fromEntries(REQUEST_KINDS.map((k) => [k, Object.fromEntries(FAULT_NAMES.map((f) => [f, 0]))])) as FaultProxyStats['faults'],
    faultsTotal: 0,
  });
  let counts = emptyCounts();
  // Fault history: kept across clearStats, so caps and occurrences stay true for the whole run.
  const occurrences = new Map<string, number>();
  const hitsPerKey = new Map<string, number>();
  const hitsPerFaultKey = new Map<string, number>();
  let nextId = 0;
  // Stalls waiting on a timer or on the client; close() ends them.
  const pending = new Set<() => void>();
  let closed = false;
  const wait = (ms: number | undefined, res: ServerResponse) => new Promise<void>((done) => {
    if (res.destroyed || closed) return done();
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      if (timer) clearTimeout(timer);
      res.off('close', finish);
      pending.delete(finish);
      done();
    };
    pending.add(finish);
    res.once('close', finish);
    if (ms !== undefined) timer = setTimeout(finish, ms);
  });

  /** Decides the faults of a request and counts them. */
  function choose(info: FaultRequest, countKey: string, identity: string): KindFaults {
    const faults = plan[info.kind] ?? plan.all ?? {};
    const chosen: KindFaults = {};
    // SlowDown first: a request it hits is answered at once, so nothing else can happen to it.
    for (const name of ['slowDown', 'reset', 'stall', 'flip', 'throttle'] as const) {
      const rule = faults[name];
      if (!rule || rule.rate <= 0) continue;
      if (rule.when && !rule.when(info)) continue;
      if (rule.rate < 1 && draw(seed, name, info.kind, identity, String(info.occurrence)) >= rule.rate) continue;
      const faultKey = `${name}\u0000${countKey}`;
      if (rule.maxPerKey !== undefined && (hitsPerFaultKey.get(faultKey) ?? 0) >= rule.maxPerKey) continue;
      if (options.maxFaultsPerKey !== undefined && (hitsPerKey.get(countKey) ?? 0) >= options.maxFaultsPerKey) continue;
      hitsPerFaultKey.set(faultKey, (hitsPerFaultKey.get(faultKey) ?? 0) + 1);
      hitsPerKey.set(countKey, (hitsPerKey.get(countKey) ?? 0) + 1);
      (chosen as Record<FaultName, FaultRule>)[name] = rule;
      if (name === 'slowDown') return { slowDown: rule as SlowDownFault };
    }
    return chosen;
  }

  /** Streams `reply` to `res` through `body`'s faults; resolves when done or cut. */
  async function pump(reply: IncomingMessage, res: ServerResponse, upstreamRequest: ClientRequest, body: BodyPlan, onFlip: () => void): Promise<void> {
    let sent = 0;
    const started = Date.now();
    const write = (chunk: Buffer) => new Promise<void>((ok) => {
      if (res.destroyed) return ok();
      if (res.write(chunk)) ok();
      else {
        const go = () => { res.off('close', go); res.off('drain', go); ok(); };
        res.once('drain', go);
        res.once('close', go);
      }
    });
    const cut = async () => {
      // A reset drops what the socket has not sent yet: first let the headers and bytes written so far leave.
      const socket = res.socket;
      if (!body.resetBeforeReply && socket && !socket.destroyed) {
        res.flushHeaders();
        await Promise.race([new Promise((ok) => socket.write(Buffer.alloc(0), ok)), new Promise((gone) => res.once('close', gone))]);
      }
      resetSocket(socket);
      reply.destroy();
      upstreamRequest.destroy();
    };
    if (body.resetBeforeReply || body.resetAt === 0) return cut();
    if (body.stallAt === 0) await wait(body.stallMs, res);
    for await (const raw of reply) {
      let chunk = raw as Buffer;
      if (body.flipAt !== undefined && body.flipAt >= sent && body.flipAt < sent + chunk.length) {
        chunk = Buffer.from(chunk);
        chunk[body.flipAt - sent] = chunk[body.flipAt - sent]! ^ 0xff;
        onFlip();
      }
      while (chunk.length > 0) {
        if (res.destroyed) return void reply.destroy();
        // The next slice ends at the next event (stall, reset) or throttle step.
        let end = chunk.length;
        for (const at of [body.stallAt, body.resetAt]) if (at !== undefined && at > sent && at < sent + end) end = at - sent;
        if (body.bytesPerSecond) end = Math.min(end, Math.max(1, Math.floor(body.bytesPerSecond / 20)));
        await write(chunk.subarray(0, end));
        chunk = chunk.subarray(end);
        sent += end;
        if (body.bytesPerSecond) {
          const due = started + (sent / body.bytesPerSecond) * 1000;
          if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
        }
        if (sent === body.stallAt) await wait(body.stallMs, res);
        if (sent === body.resetAt) return cut();
      }
    }
    // A body shorter than the reset or stall offset (its length unknown in advance) is still cut, or held, before its end.
    if (body.stallAt !== undefined && sent < body.stallAt) await wait(body.stallMs, res);
    if (body.resetAt !== undefined) return cut();
    if (!res.destroyed) res.end();
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const method = req.method ?? '';
    const kind = requestKind(method, url);
    const { bucket, key } = target(url);
    const header = (name: string) => (typeof req.headers[name] === 'string' ? req.headers[name] as string : undefined);
    const partNumber = url.searchParams.has('partNumber') ? Number(url.searchParams.get('partNumber')) : undefined;
    const range = header('range');
    // A bucket-level request is known by its list position; the bucket name (random per test) stays out of the fault decisions.
    const position = key ? '' : ['prefix', 'continuation-token', 'start-after', 'marker', 'key-marker', 'upload-id-marker', 'uploads', 'versions']
      .filter((p) => url.searchParams.has(p)).map((p) => `${p}=${url.searchParams.get(p)}`).join('&');
    const countKey = key ? `${bucket}/${key}` : `${bucket}?${position}`;
    const identityCounted = [method, bucket, key, position, String(partNumber ?? ''), range ?? ''].join('\u0000');
    const occurrence = occurrences.get(identityCounted) ?? 0;
    occurrences.set(identityCounted, occurrence + 1);
    const info: FaultRequest = { method, kind, bucket, key, query: url.searchParams, partNumber, range, occurrence };
    const faults = choose(info, countKey, [method, key, position, String(partNumber ?? ''), range ?? ''].join('\u0000'));
    const injected = FAULT_NAMES.filter((f) => faults[f]);
    const id = nextId++;

    counts.requests[kind] += 1;
    counts.requests.total += 1;
    counts.perKey.set(countKey, (counts.perKey.get(countKey) ?? 0) + 1);
    for (const f of injected) {
      // A flip counts when its byte passes; the others when chosen.
      if (f === 'flip') continue;
      counts.faults[kind][f] += 1;
      counts.faultsTotal += 1;
    }
    const record: RecordedRequest = { method, path: decodeURIComponent(url.pathname), query: url.search, kind, key: countKey, at: Date.now() - startedAt,
      faults: injected.filter((f) => f !== 'flip'), acl: header('x-amz-acl'), contentSha256: header('x-amz-content-sha256'), contentMd5: header('content-md5') };
    requests.push(record);
    // Its own clock's base: a clearStats while it is in flight must not shift its end.
    const base = startedAt;
    res.once('close', () => { record.endedAt = Date.now() - base; });
    const flipped = () => {
      counts.faults[kind].flip += 1;
      counts.faultsTotal += 1;
      record.faults.push('flip');
    };

    if (faults.slowDown) {
      const after = faults.slowDown.retryAfterSeconds;
      const retryAfterSeconds = typeof after === 'function' ? after(info) : after;
      req.resume();
      req.once('end', () => {
        const body = slowDownBody(url.pathname, id);
        res.writeHead(503, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)), 'x-amz-request-id': `fault-proxy-${id}`,
          ...(retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {}) });
        res.end(body);
      });
      return;
    }

    let gone = false;
    res.once('close', () => { gone = true; });
    void (async () => {
      const stall = faults.stall;
      if (stall && stall.afterBytes === undefined) {
        await wait(stall.ms, res);
        // The client gave up (or the proxy closed) while held: the request never reaches the store.
        if (gone || closed) return void req.destroy();
      }
      const forward = request({ host: upstream.hostname, port: upstream.port, method, path: req.url, headers: req.headers }, (reply) => {
        const status = reply.statusCode ?? 502;
        if (options.dropChecksums && method !== 'GET' && !faults.reset && !faults.stall && !faults.throttle && !faults.flip) {
          return void withoutChecksums(reply, res).catch((err: Error) => res.destroy(err));
        }
        const sizeHeader = reply.headers['content-length'];
        const size = sizeHeader === undefined ? undefined : Number(sizeHeader);
        const clamp = (at: number) => (size === undefined ? at : Math.max(0, Math.min(at, size - 1)));
        const body: BodyPlan = {};
        if (faults.reset?.afterBytes === undefined) body.resetBeforeReply = Boolean(faults.reset);
        else body.resetAt = clamp(faults.reset.afterBytes);
        if (faults.stall?.afterBytes !== undefined) { body.stallAt = clamp(faults.stall.afterBytes); body.stallMs = faults.stall.ms; }
        if (faults.throttle) body.bytesPerSecond = faults.throttle.bytesPerSecond;
        const flipReply = faults.flip && faults.flip.body !== 'request' && status >= 200 && status < 300 && size !== 0;
        if (flipReply) body.flipAt = clamp(faults.flip!.offset);
        if (!body.resetBeforeReply) res.writeHead(status, reply.headers);
        void pump(reply, res, forward, body, flipped).catch(() => { resetSocket(res.socket); forward.destroy(); });
      });
      forward.on('error', () => { if (!res.headersSent) resetSocket(res.socket); else res.destroy(); });
      res.on('close', () => { if (!res.writableFinished) forward.destroy(); });
      const flipRequest = faults.flip?.body === 'request';
      const size = header('content-length') === undefined ? undefined : Number(header('content-length'));
      (flipRequest ? req.pipe(flipAt(faults.flip!.offset, size, flipped)) : req).pipe(forward);
    })();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    get requests() { return requests; },
    setFaults(faults) { plan = faults; },
    stats: () => ({ requests: { ...counts.requests }, perKey: new Map(counts.perKey),
      faults: Object.fromEntries(REQUEST_KINDS.map((k) => [k, { ...counts.faults[k] }])) as FaultProxyStats['faults'], faultsTotal: counts.faultsTotal }),
    timeline({ windowMs = 100, kind } = {}) {
      const windows: TimelineWindow[] = Array.from({ length: Math.floor((Date.now() - startedAt) / windowMs) + 1 }, (_, i) => ({ at: i * windowMs, requests: 0, faulted: 0 }));
      for (const r of requests) {
        if (kind && r.kind !== kind) continue;
        const w = windows[Math.floor(r.at / windowMs)];
        if (!w) continue;
        w.requests += 1;
        if (r.faults.length > 0) w.faulted += 1;
      }
      return windows;
    },
    inFlight({ windowMs = 100, kind } = {}) {
      const now = Date.now() - startedAt;
      const windows: InFlightWindow[] = Array.from({ length: Math.floor(now / windowMs) + 1 }, (_, i) => ({ at: i * windowMs, max: 0, arrived: 0 }));
      // A sweep over arrivals (+1) and ends (-1); at one instant, ends go first (a reply that
      // ended as another request arrived did not overlap it).
      const events: Array<[number, number]> = [];
      for (const r of requests) {
        if (kind && r.kind !== kind) continue;
        events.push([r.at, 1], [r.endedAt ?? now, -1]);
        const w = windows[Math.floor(r.at / windowMs)];
        if (w) w.arrived += 1;
      }
      events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      let open = 0;
      let i = 0;
      for (const w of windows) {
        // In flight at the window's start, then every peak inside it.
        while (i < events.length && events[i]![0] < w.at) open += events[i++]![1];
        w.max = open;
        while (i < events.length && events[i]![0] < w.at + windowMs) {
          open += events[i++]![1];
          w.max = Math.max(w.max, open);
        }
      }
      return windows;
    },
    clearStats() {
      requests = [];
      counts = emptyCounts();
      startedAt = Date.now();
    },
    close: () => new Promise((ok) => {
      closed = true;
      for (const finish of [...pending]) finish();
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}
