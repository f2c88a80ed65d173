import { resolve } from 'node:path';
import { createSourceRegistry } from '../../s3/source-registry';
import { parseConfig } from '../../config/load';
import { openStore } from '../../datasets/open-store';

const source = { url: 's3://lake/team/datasets/', endpoint: 'http://127.0.0.1:9', pathStyleAccess: true, credentials: { type: 'cloudIdentity' } };
const storeOf = (datasetStore: string) => {
  const { config } = parseConfig({ datasetStore, sources: { lake: source } });
  return openStore(config, createSourceRegistry(config));
};

describe('opening the configured dataset store', () => {
  it('opens a store below the URL of the source the datasetStore names', () => {
    expect(storeOf('lake').location).toBe('s3://lake/team/datasets/');
  });

  it('opens a local folder for any other value, even one named like a property every object has', () => {
    expect(storeOf('./data').location).toBe(resolve('data'));
    expect(storeOf('constructor').location).toBe(resolve('constructor'));
    expect(storeOf('toString').location).toBe(resolve('toString'));
  });
});
