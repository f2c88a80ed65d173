/**
 * Parsing of a source's `url` (s3://bucket/prefix/ or s3a://bucket/prefix/) and `endpoint`.
 * Pure functions: used by the config schema, the worker and the CLI alike.
 */

/** Bucket names per the S3 naming rules: 3-63 chars of lowercase letters, digits, dots and hyphens. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** A parsed source URL. `prefix` is '' or ends with '/'. */
export interface SourceLocation {
  bucket: string;
  prefix: string;
}

/** Result of parsing a URL: the location plus warnings about what was fixed on the way. */
export interface ParsedSourceUrl extends SourceLocation {
  warnings: string[];
}

/** Parses a source URL. Returns a problem string (with its fix) instead of throwing. */
export function parseSourceUrl(url: string): ParsedSourceUrl | { problem: string } {
  const match = /^(s3a?):\/\/([^/]*)(\/.*)?$/.exec(url);
  if (!match) {
    return { problem: `"${url}" is not an S3 URL. Fix: write s3://bucket-name/ or s3a://bucket-name/path/.` };
  }
  const bucket = match[2] ?? '';
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    return {
      problem: `"${bucket}" is not a valid bucket name (3-63 lowercase letters, digits, dots or hyphens). Fix: use the bucket's exact name.`,
    };
  }
  const warnings: string[] = [];
  let prefix = (match[3] ?? '/').replace(/^\/+/, '');
  if (prefix !== '' && !prefix.endsWith('/')) {
    warnings.push(`url "${url}" has no trailing slash; it is read as "${url}/" (a folder). Fix: add the trailing slash.`);
    prefix += '/';
  } else if (prefix === '' && !url.endsWith('/')) {
    warnings.push(`url "${url}" has no trailing slash; it is read as "${url}/". Fix: add the trailing slash.`);
  }
  return { bucket, prefix, warnings };
}

/** A normalised endpoint: a full URL, and the AWS region it names, if any. */
export interface ParsedEndpoint {
  url: string;
  regionInHost: string | undefined;
}

/**
 * Normalises `endpoint`: a bare host ("s3.us-east-1.amazonaws.com") becomes https://host;
 * a full URL ("http://127.0.0.1:9000") is kept. Returns a problem string when unusable.
 */
export function parseEndpoint(endpoint: string): ParsedEndpoint | { problem: string } {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    return { problem: `"${endpoint}" is not a host or URL. Fix: write a host such as s3.us-east-1.amazonaws.com or a URL such as http://127.0.0.1:9000.` };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return { problem: `scheme "${parsed.protocol}" is not supported. Fix: use https:// (or http:// for a local test server).` };
  }
  if (parsed.pathname !== '/' || parsed.search || parsed.hash) {
    return { problem: `"${endpoint}" has a path; the endpoint is a host only. Fix: move the bucket and path into url.` };
  }
  const region = /(?:^|\.)s3[.-](?:fips\.)?(?:dualstack\.)?([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com(?:\.cn)?$/.exec(parsed.hostname)?.[1];
  return { url: `${parsed.protocol}//${parsed.host}`, regionInHost: region };
}

/** True for AWS's own S3 endpoints, where virtual-hosted addressing and the region rules apply. */
export function isAwsEndpoint(endpointUrl: string): boolean {
  return /\.amazonaws\.com(\.cn)?(:\d+)?$/.test(new URL(endpointUrl).host);
}
