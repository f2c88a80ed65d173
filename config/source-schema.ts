/**
 * The zod schema of one source: a bucket URL and every connection option (docs/config.md,
 * "Sources"). Messages say what is wrong and how to fix it.
 */
import { z } from 'zod';
import { linkLocalReason, parseEndpoint, parseSourceUrl } from './source-url';
import { looksLikeReference, parseSecretRef } from './secret-ref';

/** A secret: a literal, `${env:NAME}` or `${file:PATH}`. Resolved on the worker only. */
export const secretSchema = z.string({
  error: (issue) => issue.input === undefined
    ? 'is required. Fix: write a value, ${env:NAME} or ${file:PATH}.'
    // YAML reads an unquoted 12345 as a number and yes as a boolean.
    : 'Fix: write ${env:NAME} or ${file:PATH} (or quote a literal value).',
})
  .min(1, { error: 'is empty. Fix: write a value, ${env:NAME} or ${file:PATH}.' })
  .refine((text) => !looksLikeReference(text) || parseSecretRef(text) !== undefined, {
    error: 'is not a valid secret reference. Fix: write ${env:NAME} or ${file:PATH}.',
  });

function urlOrUndefined(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

const relativeFolderOrRoot = z.string({ error: 'is required. Fix: write the folder of the tables below the source URL, e.g. warehouse/ (or "" for the source URL itself).' })
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..') && !p.includes('://'), {
    error: 'must be a folder relative to the source URL, without "..". Fix: write e.g. warehouse/.',
  });

const positiveInt = (what: string, max: number) =>
  z.number({ error: `must be a whole number of ${what}.` })
    .int({ error: `must be a whole number of ${what}.` })
    .min(1, { error: `must be at least 1. Fix: give a positive number of ${what}.` })
    .max(max, { error: `must be at most ${max}.` });

const accessKeySchema = z.strictObject({
  type: z.literal('accessKey'),
  accessKeyId: secretSchema,
  secretAccessKey: secretSchema,
  sessionToken: secretSchema.optional(),
});

const oidcSchema = z.strictObject({
  type: z.literal('oidc'),
  roleArn: z.string().min(1),
  webIdentityTokenFile: z.string().min(1, { error: 'is required: the path of a file holding the OIDC token. Fix: point it at the token file the worker can read.' }),
  roleSessionName: z.string().min(2).max(64).default('s3-connector'),
  /** Where AssumeRoleWithWebIdentity is sent; defaults to AWS STS, or to the source's endpoint for non-AWS stores. */
  stsEndpoint: z.string().optional(),
});

const cloudIdentitySchema = z.strictObject({ type: z.literal('cloudIdentity') });

export const credentialsSchema = z.discriminatedUnion('type', [accessKeySchema, oidcSchema, cloudIdentitySchema], {
  error: 'type must be one of accessKey, oidc, cloudIdentity. Fix: set credentials.type to one of them.',
});

export const stsRoleSchema = z.strictObject({
  roleArn: z.string().regex(/^arn:[a-z-]+:iam::[^:]*:role\/.+$/, {
    error: 'is not an IAM role ARN. Fix: write arn:aws:iam::<account>:role/<name>.',
  }),
  roleSessionName: z.string().regex(/^[\w+=,.@-]{2,64}$/, {
    error: 'must be 2-64 characters of letters, digits and +=,.@_-. Fix: use a name such as s3-connector.',
  }).default('s3-connector'),
  // STS accepts 900 s to 12 h (the role's own maximum may be lower).
  roleSessionDuration: z.number().int().min(900, { error: 'must be at least 900 seconds (the STS minimum).' })
    .max(43200, { error: 'must be at most 43200 seconds (the STS maximum).' }).default(3600),
  externalId: secretSchema.optional(),
  /** Where AssumeRole is sent; defaults to AWS STS in the region, or to the source's endpoint for non-AWS stores. */
  stsEndpoint: z.string().optional(),
});

const proxySchema = z.strictObject({
  host: z.string().min(1).refine((h) => !h.includes('://'), { error: 'must be a host name without a scheme. Fix: drop the http:// part and set protocol instead.' }),
  port: z.number().int().min(1).max(65535, { error: 'must be a TCP port (1-65535).' }),
  protocol: z.enum(['HTTPS', 'HTTP'], { error: 'must be HTTPS or HTTP.' }).default('HTTPS'),
  nonProxyHosts: z.array(z.string().min(1)).default([]),
  credentials: z.strictObject({ username: z.string().min(1), password: secretSchema }).optional(),
});

const httpUrl = (example: string) => z.string({ error: `is required. Fix: write the catalog's URL, e.g. ${example}.` })
  .refine((text) => /^https?:$/.test(urlOrUndefined(text)?.protocol ?? ''), { error: `is not an http(s) URL. Fix: write e.g. ${example}.` });

const filesCatalogSchema = z.strictObject({
  type: z.literal('files'),
  /** The folder below the source URL that holds the tables, as `<namespace>/<table>/metadata/`. */
  warehousePath: relativeFolderOrRoot,
});

const glueCatalogSchema = z.strictObject({
  type: z.literal('glue'),
  /** Glue's region; the source's region by default. */
  region: z.string().regex(/^[a-z0-9-]+$/, { error: 'is not a region name. Fix: write one such as us-east-1.' }).optional(),
  /** Where Glue requests go (a VPC endpoint, or a test server); AWS Glue in the region by default. */
  endpoint: httpUrl('https://glue.us-east-1.amazonaws.com').optional(),
  /** The AWS account whose Data Catalog holds the tables; the caller's own by default. */
  catalogId: z.string().regex(/^\d{12}$/, { error: 'is not an AWS account id. Fix: write the 12 digits of the account, quoted.' }).optional(),
});

const restCatalogSchema = z.strictObject({
  type: z.literal('rest'),
  /** The catalog's base URL: `/v1/config` lies right below it. */
  uri: httpUrl('https://catalog.example.com/api/catalog'),
  /** Sent to `/v1/config` as `warehouse`, for catalogs that serve several. */
  warehouse: z.string().min(1).optional(),
  /** A bearer token (a secret). */
  token: secretSchema.optional(),
  /** OAuth2 client credentials, exchanged for a token at `oauth2ServerUri` (the catalog's `/v1/oauth/tokens` by default). */
  credential: z.strictObject({ clientId: z.string().min(1), clientSecret: secretSchema }).optional(),
  oauth2ServerUri: httpUrl('https://auth.example.com/oauth/token').optional(),
  scope: z.string().min(1).default('catalog'),
}).refine((c) => !(c.token !== undefined && c.credential !== undefined), {
  error: 'has both token and credential. Fix: keep one: token for a bearer token, credential for OAuth2 client credentials.',
});

const unityCatalogSchema = z.strictObject({
  type: z.literal('unity'),
  /** The workspace's Iceberg REST endpoint, e.g. https://<workspace>/api/2.1/unity-catalog/iceberg-rest. */
  uri: httpUrl('https://<workspace>.cloud.databricks.com/api/2.1/unity-catalog/iceberg-rest'),
  /** A personal access token (a secret). */
  token: secretSchema,
});

const catalogSchema = z.discriminatedUnion('type', [filesCatalogSchema, glueCatalogSchema, restCatalogSchema, unityCatalogSchema], {
  error: 'type must be one of files, glue, rest, unity. Fix: set catalog.type to one of them.',
});

/** KMS key ids, key ARNs, alias names and alias ARNs, as KMS accepts them. */
const KMS_KEY_ID = /^(?:[0-9a-fA-F-]{36}|mrk-[0-9a-f]{32}|alias\/[\w/+=,.@-]+|arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:(?:key\/[\w-]+|alias\/[\w/+=,.@-]+))$/;

const clientKmsSchema = z.strictObject({
  /** The KMS key that wraps each object's data key. */
  keyId: z.string({ error: 'is required: the KMS key that wraps the data keys. Fix: write a key id, a key ARN or alias/<name>.' })
    .regex(KMS_KEY_ID, { error: 'is not a KMS key id, key ARN or alias. Fix: write e.g. 1234abcd-12ab-34cd-56ef-1234567890ab, arn:aws:kms:us-east-1:111122223333:key/<id> or alias/<name>.' }),
  /** KMS's region; the source's region by default (a key ARN's region wins). */
  region: z.string().regex(/^[a-z0-9-]+$/, { error: 'is not a region name. Fix: write one such as us-east-1.' }).optional(),
  /** Where KMS requests go (a VPC endpoint or a KMS-compatible service); AWS KMS in the region by default. */
  kmsEndpoint: z.string().refine((text) => /^https?:$/.test(urlOrUndefined(text)?.protocol ?? ''), {
    error: 'is not an http(s) URL. Fix: write e.g. https://kms.us-east-1.amazonaws.com.',
  }).optional(),
  /** Also read the legacy formats (AES-CBC, `kms` without context); refused by name otherwise. */
  allowLegacy: z.boolean().default(false),
  /** Also read objects that carry no encryption envelope, as they are; refused otherwise. */
  allowPlaintext: z.boolean().default(false),
});

/** A source as written in the file (before URL and endpoint normalisation). */
export const sourceSchema = z.strictObject({
  url: z.string({ error: 'is required. Fix: write s3://bucket-name/ (a trailing slash is expected).' }),
  endpoint: z.string({ error: 'is required. Fix: write a host such as s3.us-east-1.amazonaws.com or a URL such as http://127.0.0.1:9000.' }),
  region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$|^[a-z0-9-]+$/, { error: 'is not a region name. Fix: write one such as us-east-1.' }).optional(),
  pathStyleAccess: z.boolean().default(false),
  /** Allows an endpoint (or stsEndpoint) at a link-local or cloud metadata address; refused otherwise. */
  allowLinkLocalEndpoint: z.boolean().default(false),
  credentials: credentialsSchema,
  stsRole: stsRoleSchema.optional(),
  clientCertificate: z.strictObject({ certificateFile: z.string().min(1), privateKeyFile: z.string().min(1) }).optional(),
  serverCertificates: z.array(z.string().min(1)).default([]),
  connectionTimeoutMs: positiveInt('milliseconds', 3_600_000).default(50_000),
  socketTimeoutMs: positiveInt('milliseconds', 3_600_000).default(50_000),
  maxConnections: positiveInt('connections', 10_000).default(50),
  maxErrorRetries: z.number().int().min(0, { error: 'must be 0 or more.' }).max(100).default(3),
  /** Client-side encryption compatible with the AWS S3 Encryption Client (README "Client-side encryption"). */
  clientKms: clientKmsSchema.optional(),
  matchSubfolderExactly: z.boolean().default(false),
  proxy: proxySchema.optional(),
  catalog: catalogSchema.optional(),
  exports: z.strictObject({ enabled: z.boolean().default(false) }).default({ enabled: false }),
}).superRefine((source, ctx) => {
  // Runs even when other fields failed (see `when`), so the data is read defensively.
  if (typeof source.url !== 'string' || typeof source.endpoint !== 'string') return;
  const url = parseSourceUrl(source.url);
  if ('problem' in url) {
    ctx.addIssue({ code: 'custom', path: ['url'], message: url.problem });
  } else if (url.bucket.includes('.') && !source.pathStyleAccess) {
    ctx.addIssue({
      code: 'custom', path: ['pathStyleAccess'],
      message: `bucket "${url.bucket}" contains dots, which breaks TLS for virtual-hosted addressing. Fix: set pathStyleAccess: true.`,
    });
  }
  const endpoint = parseEndpoint(source.endpoint);
  if ('problem' in endpoint) ctx.addIssue({ code: 'custom', path: ['endpoint'], message: endpoint.problem });
  if (source.allowLinkLocalEndpoint !== true) {
    // Signed requests and their replies (shown by explore and preview) must not reach the
    // instance's metadata service, which hands out the worker's own cloud credentials.
    const endpoints: Array<[PropertyKey[], string | undefined]> = [
      [['endpoint'], 'problem' in endpoint ? undefined : endpoint.url],
      [['credentials', 'stsEndpoint'], source.credentials?.type === 'oidc' ? source.credentials.stsEndpoint : undefined],
      [['stsRole', 'stsEndpoint'], source.stsRole?.stsEndpoint],
      [['catalog', 'endpoint'], source.catalog?.type === 'glue' ? source.catalog.endpoint : undefined],
      [['catalog', 'uri'], source.catalog?.type === 'rest' || source.catalog?.type === 'unity' ? source.catalog.uri : undefined],
      [['catalog', 'oauth2ServerUri'], source.catalog?.type === 'rest' ? source.catalog.oauth2ServerUri : undefined],
      [['clientKms', 'kmsEndpoint'], source.clientKms?.kmsEndpoint],
    ];
    for (const [path, value] of endpoints) {
      const url = value === undefined ? undefined : urlOrUndefined(value);
      const reason = url ? linkLocalReason(url) : undefined;
      if (reason) {
        ctx.addIssue({ code: 'custom', path, message: `"${value}" is ${reason}; a metadata service hands out the worker's own cloud credentials. Fix: use the store's own address, or set allowLinkLocalEndpoint: true on this source if the store really is there.` });
      }
    }
  }
  if (source.credentials?.type === 'oidc' && !source.region && !source.credentials.stsEndpoint) {
    ctx.addIssue({ code: 'custom', path: ['region'], message: 'is required with oidc credentials (STS is regional). Fix: set region, e.g. us-east-1, or credentials.stsEndpoint.' });
  }
  if (source.catalog?.type === 'glue' && !source.catalog.region && !source.region) {
    ctx.addIssue({ code: 'custom', path: ['catalog', 'region'], message: 'is required for a glue catalog when the source has no region (Glue is regional). Fix: set catalog.region or the source\'s region, e.g. us-east-1.' });
  }
  if (source.clientKms && !source.clientKms.region && !source.region && !/^arn:/.test(source.clientKms.keyId ?? '')) {
    ctx.addIssue({ code: 'custom', path: ['clientKms', 'region'], message: 'is required when the source has no region and keyId is no ARN (KMS is regional). Fix: set clientKms.region or the source\'s region, e.g. us-east-1.' });
  }
  if (source.stsRole && !source.region && !source.stsRole.stsEndpoint) {
    ctx.addIssue({ code: 'custom', path: ['region'], message: 'is required when stsRole is set (STS is regional). Fix: set region, e.g. us-east-1, or stsRole.stsEndpoint.' });
  }
}, { when: (payload) => typeof payload.value === 'object' && payload.value !== null });

/** A source as written in the config file, after defaults. */
export type SourceConfig = z.infer<typeof sourceSchema>;
