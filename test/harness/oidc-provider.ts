/**
 * A minimal OpenID Connect provider for the tests: discovery document and JWKS over HTTP on
 * loopback, RS256 tokens signed with a key generated per run. MinIO is configured against it
 * so AssumeRoleWithWebIdentity is exercised for real.
 */
import { createPrivateKey, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';

const KEY_ID = 's3-connector-test';

/** Signs a JWT with RS256. */
export function signJwt(privateKeyPem: string, claims: Record<string, unknown>): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${encode({ alg: 'RS256', typ: 'JWT', kid: KEY_ID })}.${encode(claims)}`;
  const signature = createSign('RSA-SHA256').update(body).sign(createPrivateKey(privateKeyPem)).toString('base64url');
  return `${body}.${signature}`;
}

/** A running provider. */
export interface OidcProvider {
  issuer: string;
  privateKeyPem: string;
  server: Server;
}

/** Starts the provider on a free loopback port. */
export async function startOidcProvider(): Promise<OidcProvider> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...(publicKey as KeyObject).export({ format: 'jwk' }), kid: KEY_ID, alg: 'RS256', use: 'sig' };
  let issuer = '';
  const server = createServer((req, res) => {
    const send = (body: object) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
    if (req.url === '/.well-known/openid-configuration') {
      return send({
        issuer, jwks_uri: `${issuer}/jwks`, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`,
        userinfo_endpoint: `${issuer}/userinfo`, response_types_supported: ['code', 'id_token'], subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'], scopes_supported: ['openid'], claims_supported: ['sub', 'aud', 'exp'],
      });
    }
    if (req.url === '/jwks') return send({ keys: [jwk] });
    res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { issuer, privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), server };
}
