/**
 * What every command needs: its parsed global options, the config, a Temporal client.
 */
import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';
import { configPath, loadConfig, type LoadedConfig } from '../config/load';
import { TASK_QUEUE } from '../shared/temporal-contract';
import { UsageError } from './errors';
import { printable } from './printable';

// Defined with the error handler (which must load without the Temporal client); re-exported here
// for the commands that import it with the rest of their context.
export { UsageError };

/** Global options, shared by every command. */
export const globalOptionsSchema = z.object({
  config: z.string().optional(),
  json: z.boolean().default(false),
  address: z.string().default(process.env.TEMPORAL_ADDRESS ?? 'localhost:7233'),
  namespace: z.string().default(process.env.TEMPORAL_NAMESPACE ?? 'default'),
  taskQueue: z.string().default(TASK_QUEUE),
});

/** Parsed global options. */
export type GlobalOptions = z.infer<typeof globalOptionsSchema>;

/** Loads the config and prints its warnings to stderr. */
export function loadConfigFor(options: GlobalOptions): LoadedConfig {
  const loaded = loadConfig(configPath(options.config));
  for (const warning of loaded.warnings) process.stderr.write(`warning: ${printable(warning)}\n`);
  return loaded;
}

/** Connects to Temporal; the error names the address and the flags that change it. */
export async function temporalClient(options: GlobalOptions): Promise<{ client: Client; close: () => Promise<void> }> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: options.address, connectTimeout: 5000 });
  } catch (err) {
    throw new UsageError(`cannot reach Temporal at ${options.address} (${(err as Error).message}). Fix: start it (s3-connector dev), or pass --address / set TEMPORAL_ADDRESS.`);
  }
  return { client: new Client({ connection, namespace: options.namespace }), close: () => connection.close() };
}
