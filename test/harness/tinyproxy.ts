/**
 * A real forward proxy for the tests: tinyproxy in the foreground on a free loopback port, with
 * basic auth and a log file the tests read to see which requests went through it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, startProcess, toolPath, waitUntil, type ServerProcess } from '../../devservers/process';
import { testEnv } from './test-env';

/** A running tinyproxy. */
export interface Tinyproxy extends ServerProcess {
  port: number;
  /** tinyproxy's own log (LogLevel Info: one "Request ..." line per proxied request or CONNECT). */
  logFile: string;
  /** The log written so far. */
  log(): string;
}

/** Options: the one user:password pair the proxy accepts, and ports CONNECT may reach (none listed: all). */
export interface TinyproxyOptions {
  user: string;
  password: string;
  connectPorts?: number[];
}

function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); done(true); });
    socket.once('error', () => done(false));
  });
}

/** Starts tinyproxy (`-d -c <file>`) with a config written here, and waits until it accepts connections. */
export async function startTinyproxy(options: TinyproxyOptions): Promise<Tinyproxy> {
  const dir = mkdtempSync(join(testEnv().runDir, 'tinyproxy-'));
  const port = await freePort();
  const logFile = join(dir, 'tinyproxy.log');
  const configFile = join(dir, 'tinyproxy.conf');
  writeFileSync(configFile, [
    `Port ${port}`, 'Listen 127.0.0.1', 'Timeout 60', `LogFile "${logFile}"`, 'LogLevel Info', 'MaxClients 50',
    'Allow 127.0.0.1', `BasicAuth ${options.user} ${options.password}`, 'DisableViaHeader Yes',
    ...(options.connectPorts ?? []).map((p) => `ConnectPort ${p}`), '',
  ].join('\n'));
  const outputFile = join(dir, 'tinyproxy.out');
  const proc = startProcess(toolPath('tinyproxy'), ['-d', '-c', configFile], { logFile: outputFile });
  await waitUntil('tinyproxy', () => accepts(port), 15_000, proc, outputFile);
  return { ...proc, port, logFile, log: () => { try { return readFileSync(logFile, 'utf8'); } catch { return ''; } } };
}
