/**
 * AWS Signature Version 4 for the lean S3 requests (s3/lean-client.ts), header-signed, with the
 * signing key cached per day, region and credentials.
 *
 * Why not @smithy/signature-v4: for each request it HMACs the credentials again just to look up
 * its key cache, copies and re-sorts the headers twice and formats the date from scratch, which
 * a small-object import, one signed GET per object, pays for every object. Here a request costs
 * one SHA-256 of the canonical request and one HMAC of the string to sign.
 * The algorithm: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 * (test/unit/sigv4.test.ts checks every signature against @smithy/signature-v4's).
 */
import { createHash, createHmac } from 'node:crypto';
import type { AwsCredentialIdentity } from '@smithy/types';

/** One request to sign: its path already URI-encoded (S3 signs it as sent, not encoded twice). */
export interface SignableRequest {
  method: string;
  path: string;
  /**
   * The canonical query string: `name=value` pairs URI-encoded (RFC 3986) and sorted by name,
   * joined with `&`; empty or absent without one. Sent as is, so it is signed as sent.
   */
  query?: string;
  /** `host` and `x-amz-content-sha256` included. Every header given is signed (names are lower-cased). */
  headers: Record<string, string>;
}

/** RFC 3986 escaping, as SigV4 wants it: encodeURIComponent leaves !'()* alone. */
export function uriEscape(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The canonical query string of `params`: names and values escaped, sorted by name (names are unique here). */
export function canonicalQuery(params: Record<string, string>): string {
  return Object.keys(params).sort().map((name) => `${uriEscape(name)}=${uriEscape(params[name]!)}`).join('&');
}

/** Signs requests for one service and region. */
export class SigV4Signer {
  private key?: { day: string; accessKeyId: string; secret: string; value: Buffer };
  private stamp?: { second: number; amzDate: string };

  constructor(private readonly region: string, private readonly service = 's3') {}

  /**
   * Returns `request.headers` plus x-amz-date, x-amz-security-token (with session credentials)
   * and authorization. `now` is for tests.
   */
  sign(request: SignableRequest, credentials: AwsCredentialIdentity, now = Date.now()): Record<string, string> {
    const amzDate = this.amzDate(now);
    const day = amzDate.slice(0, 8);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
    headers['x-amz-date'] = amzDate;
    if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;
    const names = Object.keys(headers).sort();
    let canonicalHeaders = '';
    for (const name of names) canonicalHeaders += `${name}:${headers[name]!.trim().replace(/\s+/g, ' ')}\n`;
    const signedHeaders = names.join(';');
    const payloadHash = headers['x-amz-content-sha256'] ?? 'UNSIGNED-PAYLOAD';
    const canonicalRequest = `${request.method}\n${request.path}\n${request.query ?? ''}\n${canonicalHeaders}\n${signedHeaders}\n${payloadHash}`;
    const scope = `${day}/${this.region}/${this.service}/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    const signature = createHmac('sha256', this.signingKey(day, credentials)).update(stringToSign).digest('hex');
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
  }

  /** YYYYMMDD'T'HHMMSS'Z', formatted once per second. */
  private amzDate(now: number): string {
    const second = Math.floor(now / 1000);
    if (this.stamp?.second !== second) {
      this.stamp = { second, amzDate: new Date(second * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '') };
    }
    return this.stamp.amzDate;
  }

  /** The day's key: four HMACs, redone when the day or the credentials change. */
  private signingKey(day: string, credentials: AwsCredentialIdentity): Buffer {
    const cached = this.key;
    if (cached && cached.day === day && cached.accessKeyId === credentials.accessKeyId && cached.secret === credentials.secretAccessKey) return cached.value;
    const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
    const value = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), this.region), this.service), 'aws4_request');
    this.key = { day, accessKeyId: credentials.accessKeyId, secret: credentials.secretAccessKey, value };
    return value;
  }
}
