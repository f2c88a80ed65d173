/**
 * One S3 client per source, built on first use from the worker's config and reused across
 * activities (its connection pool is the source's maxConnections).
 */
import type { ConnectorConfig } from '../config/schema';
import { createSourceClient, type SourceClient } from './client';

/** Looks up a source's client by name. */
export interface SourceRegistry {
  get(name: string): SourceClient;
}

/** A registry over a validated config. Unknown names fail with the list of known ones. */
export function createSourceRegistry(config: ConnectorConfig): SourceRegistry {
  const clients = new Map<string, SourceClient>();
  return {
    get(name) {
      let client = clients.get(name);
      if (!client) {
        const source = config.sources[name];
        if (!source) {
          throw new Error(`source "${name}" is not defined in the worker's config. Fix: add it under sources:, or use one of ${Object.keys(config.sources).join(', ') || '(none)'}; the worker and the CLI must read the same config.`);
        }
        client = createSourceClient(name, source);
        clients.set(name, client);
      }
      return client;
    },
  };
}
