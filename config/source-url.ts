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

/** Host names of cloud instance metadata services (GCP, AWS, Tencent Cloud), with their short forms. */
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata', 'instance-data', 'instance-data.ec2.internal', 'metadata.tencentyun.com']);
/** Metadata addresses outside the link-local ranges: AWS's IPv6 IMDS and Alibaba Cloud's. */
const METADATA_IPS = new Set(['fd00:ec2:0:0:0:0:0:254', '100.100.100.200']);

/** The 8 groups of an IPv6 address (as the WHATWG URL parser writes it: no zone, maybe `::`). */
function ipv6Groups(address: string): number[] | undefined {
  const [head = '', tail] = address.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  const groups = tail === undefined ? front : [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** Why an IPv4 address in dotted form is a metadata or link-local address, if it is one. */
function ipv4Reason(address: string): string | undefined {
  if (METADATA_IPS.has(address)) return 'a cloud instance metadata address';
  if (address === '169.254.169.254') return 'the cloud instance metadata address (link-local, 169.254.0.0/16)';
  if (address.startsWith('169.254.')) return 'in the link-local range 169.254.0.0/16, where cloud instance metadata is served';
  return undefined;
}

/**
 * Why the host of `url` is a link-local or cloud instance metadata address (169.254.0.0/16,
 * fe80::/10, fd00:ec2::254, metadata.google.internal, ...), or undefined. The WHATWG parser has
 * already turned other spellings of an IPv4 address (2852039166, 0xa9fea9fe, 169.254.43518) into
 * dotted form. A name that only resolves to such an address is not caught here.
 */
export function linkLocalReason(url: URL): string | undefined {
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (METADATA_HOSTS.has(host)) return 'the name of a cloud instance metadata service';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return ipv4Reason(host);
  if (!host.startsWith('[')) return undefined;
  const groups = ipv6Groups(host.slice(1, -1));
  if (!groups) return undefined;
  if (METADATA_IPS.has(groups.map((g) => g.toString(16)).join(':'))) return 'a cloud instance metadata address';
  if ((groups[0]! & 0xffc0) === 0xfe80) return 'in the link-local range fe80::/10';
  // An IPv4 address inside IPv6: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d) or NAT64 (64:ff9b::a.b.c.d).
  const mapped = groups.slice(0, 5).every((g) => g === 0) && (groups[5] === 0xffff || groups[5] === 0);
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0);
  if (mapped || nat64) {
    const [a, b] = [groups[6]!, groups[7]!];
    return ipv4Reason(`${a >> 8}.${a & 0xff}.${b >> 8}.${b & 0xff}`);
  }
  return undefined;
}
