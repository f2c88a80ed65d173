import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { loadConfig } from '../../config/load';
import { toolPath } from '../../devservers/process';
import { runCli } from '../harness/connector';
import { jsonLines } from '../harness/cli-output';
import { buildDockerfile } from '../harness/dockerfile-steps';
import { createBucket, putObjects } from '../harness/minio-admin';
import { localDataset } from '../harness/sync-runner';
import { tempDir } from '../harness/temp-dir';
import { testEnv } from '../harness/test-env';

const ROOT = resolve(__dirname, '..', '..');

interface ComposeService {
  image?: string;
  healthcheck?: object;
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  volumes?: Array<{ type: string; source: string; target: string; read_only?: boolean }>;
  entrypoint?: string[];
}

/** docker-compose.yml as Docker Compose's loader (compose-go) resolves it, with the defaults of its variables. */
function loadCompose(): Record<string, ComposeService> {
  const env = { ...process.env };
  delete env.MINIO_ROOT_USER;
  delete env.MINIO_ROOT_PASSWORD;
  const text = execFileSync(toolPath('compose-check'), [join(ROOT, 'docker-compose.yml')], { cwd: ROOT, env, encoding: 'utf8' });
  return (parse(text) as { services: Record<string, ComposeService> }).services;
}

describe('the docker-compose stack', () => {
  it('loads as Docker Compose loads it, with pinned images, health checks and an ordered start-up', () => {
    const services = loadCompose();
    for (const [name, service] of Object.entries(services)) {
      if (name === 'worker') continue; // built from this repository
      expect({ name, image: service.image }).toEqual({ name, image: expect.stringMatching(/^[\w./-]+:(?!latest$)[\w.-]*\d[\w.-]*$/) });
      expect(service.image).not.toMatch(/auto-setup/);
    }
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        // A service waited for as healthy has a health check; one waited for as done is a one-shot setup.
        if (condition === 'service_healthy') expect({ name, dependency, healthcheck: services[dependency]?.healthcheck !== undefined }).toEqual({ name, dependency, healthcheck: true });
        else expect({ name, dependency, condition }).toEqual({ name, dependency, condition: 'service_completed_successfully' });
      }
    }
    expect(Object.keys(services.worker!.depends_on ?? {}).sort()).toEqual(['minio-setup', 'temporal-setup']);
    expect(services['temporal-setup']!.depends_on).toEqual({ temporal: expect.objectContaining({ condition: 'service_healthy' }) });
  });

  it("gives the worker a config file that exists and validates, a datasets volume, and every secret the config references", () => {
    const worker = loadCompose().worker!;
    const configMount = worker.volumes!.find((v) => v.target === '/config/s3-connector.yaml')!;
    expect(configMount).toMatchObject({ type: 'bind', read_only: true });
    // A missing file would make Docker create a folder there, and the worker loop on EISDIR.
    expect(statSync(configMount.source).isFile()).toBe(true);
    const { config } = loadConfig(configMount.source);
    expect(worker.volumes!.find((v) => v.type === 'volume')).toMatchObject({ source: 'datasets', target: '/app/data' });
    expect(config.datasetStore.startsWith('/app/data/')).toBe(true);
    const secrets = [...readFileSync(configMount.source, 'utf8').matchAll(/\$\{env:(\w+)\}/g)].map((m) => m[1]!);
    expect(secrets.length).toBeGreaterThan(0);
    for (const name of secrets) expect({ name, set: (worker.environment?.[name] ?? '') !== '' }).toEqual({ name, set: true });
  });

  it('registers the search attributes after the namespace exists, failing loudly instead of hiding errors', () => {
    const script = readFileSync(join(ROOT, 'docker', 'temporal-setup.sh'), 'utf8');
    expect(script).not.toMatch(/\|\|\s*true/);
    expect(script.indexOf('namespace create')).toBeLessThan(script.indexOf('search-attribute create'));
    for (const name of ['ConnectorJob', 'ConnectorSource', 'ConnectorDataset']) expect(script).toContain(name);
  });

  it("builds the image's filesystem by the Dockerfile's steps, and its entrypoint runs a worker that syncs with the stack's config", async () => {
    const image = buildDockerfile(join(ROOT, 'Dockerfile'), ROOT, tempDir('image-'));
    expect(image).toMatchObject({ user: 'node', volumes: ['/app/data'], entrypoint: ['bin/s3-connector.js'], cmd: ['worker'], env: { NODE_ENV: 'production' } });
    expect(image.chowned).toEqual([{ path: 'app/data', owner: 'node:node' }]);
    expect(statSync(join(image.workdir, 'data')).isDirectory()).toBe(true);
    expect(() => statSync(join(image.workdir, 'node_modules', 'typescript'))).toThrow(); // dev dependencies pruned

    // The stack's config, pointed at the test run's MinIO (a bucket of its own) and a folder for the volume.
    const bucket = await createBucket('compose');
    await putObjects(bucket, [{ key: 'incoming/example.csv', body: 'id,item\n1,pencil\n' }]);
    const doc = parseDocument(readFileSync(join(ROOT, 'docker', 's3-connector.yaml'), 'utf8'));
    doc.setIn(['sources', 'landing', 'url'], `s3://${bucket}/`);
    doc.setIn(['sources', 'landing', 'endpoint'], testEnv().minio.endpoint);
    const store = tempDir('volume-');
    doc.set('datasetStore', store);
    const file = join(tempDir('config-'), 's3-connector.yaml');
    writeFileSync(file, doc.toString());
    const taskQueue = `compose-${Date.now()}`;
    const [command, ...args] = [...image.entrypoint, ...image.cmd, '--config', file, '--task-queue', taskQueue];
    const worker = spawn(join(image.workdir, command!), args, {
      cwd: image.workdir,
      env: { ...process.env, ...image.env, TEMPORAL_ADDRESS: testEnv().temporalAddress, S3_ACCESS_KEY_ID: testEnv().minio.rootUser, S3_SECRET_ACCESS_KEY: testEnv().minio.rootPassword },
    });
    let logs = '';
    worker.stderr.on('data', (d) => (logs += d));
    try {
      const sync = await runCli(['sync', 'landing-files', '--wait', '--json', '--config', file, '--address', testEnv().temporalAddress, '--task-queue', taskQueue]);
      expect({ code: sync.code, stderr: sync.code === 0 ? '' : sync.stderr + logs }).toEqual({ code: 0, stderr: '' });
      expect(jsonLines(sync.stdout).at(-1)).toMatchObject({ status: 'completed', filesAdded: 1 });
      expect([...(await localDataset(store, 'landing_files').view()).keys()]).toEqual(['incoming/example.csv']);
    } finally {
      worker.kill('SIGTERM');
      await new Promise((ok) => worker.once('exit', ok));
    }
    expect(logs).toContain('"msg":"worker started"');
    expect(logs).not.toContain(testEnv().minio.rootPassword);
  });
});
