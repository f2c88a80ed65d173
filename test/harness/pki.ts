/**
 * A throwaway public-key infrastructure for TLS tests, made with the real `openssl`: one CA,
 * a server certificate for 127.0.0.1 and localhost, and a client certificate, all signed by the CA.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files of a test PKI. `serverDir` holds public.crt/private.key, the layout MinIO's --certs-dir expects. */
export interface TestPki {
  dir: string;
  caFile: string;
  serverDir: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** Makes a P-256 key and a certificate for `subject` signed by the CA in `dir`, with the extensions in `ext`. */
function issue(dir: string, name: string, subject: string, ext: string, certFile: string, keyFile: string): void {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', `${name}.csr`, '-subj', subject]);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
    '-days', '2', '-sha256', '-extfile', `${name}.ext`, '-out', certFile]);
}

/** Creates a CA, a server certificate (SAN IP:127.0.0.1, DNS:localhost) and a client certificate in a fresh temp dir. */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 's3c-pki-'));
  const serverDir = join(dir, 'server');
  mkdirSync(serverDir);
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-sha256', '-subj', '/CN=s3-connector test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const pki: TestPki = {
    dir, serverDir, caFile: join(dir, 'ca.crt'),
    serverCertFile: join(serverDir, 'public.crt'), serverKeyFile: join(serverDir, 'private.key'),
    clientCertFile: join(dir, 'client.crt'), clientKeyFile: join(dir, 'client.key'),
  };
  issue(dir, 'server', '/CN=127.0.0.1',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n',
    pki.serverCertFile, pki.serverKeyFile);
  issue(dir, 'client', '/CN=s3-connector test client',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n',
    pki.clientCertFile, pki.clientKeyFile);
  return pki;
}
