import { parseConfig } from '../../config/load';
import { configProblems as problems } from '../harness/config-problems';

const source = { url: 's3://bucket-a/', endpoint: 'http://127.0.0.1:9000', credentials: { type: 'cloudIdentity' } };
const tables = {
  orders: { source: 'a', format: 'delta', location: 'tables/orders/' },
  events: { source: 'a', format: 'parquet', location: 'tables/events/' },
  ice: { source: 'a', format: 'iceberg', location: 'tables/ice/' },
  catalog: { source: 'a', format: 'delta', identifier: 'db.orders' },
};


describe('tableSyncs: in the config', () => {
  it('accepts a table sync of a delta table with a schedule, and gives rowsPerFile its default', () => {
    const { config } = parseConfig({
      sources: { a: source }, virtualTables: tables,
      tableSyncs: { 'orders-appends': { table: 'orders', dataset: 'orders_rows', schedule: { cron: '*/15 * * * *' } } },
    });
    expect(config.tableSyncs['orders-appends']).toEqual({ table: 'orders', dataset: 'orders_rows', schedule: { cron: '*/15 * * * *' }, rowsPerFile: 250_000 });
  });

  it('accepts a table sync of an iceberg table with a location (its appends, snapshot by snapshot)', () => {
    const { config } = parseConfig({ sources: { a: source }, virtualTables: tables, tableSyncs: { 'ice-appends': { table: 'ice', dataset: 'ice_rows' } } });
    expect(config.tableSyncs['ice-appends']).toEqual({ table: 'ice', dataset: 'ice_rows', rowsPerFile: 250_000 });
  });

  it.each([
    ['a table that is not in virtualTables', { table: 'nope', dataset: 'd' }, 'tableSyncs.j.table', /names table "nope", which is not in virtualTables\. Fix: use one of orders, events, ice, catalog/],
    ['a catalog table', { table: 'catalog', dataset: 'd' }, 'tableSyncs.j.table', /catalog table \(identifier:\) of format delta.*Fix: give virtualTables\.catalog\.location/],
    ['a missing dataset', { table: 'orders' }, 'tableSyncs.j.dataset', /is required/],
    ['an unknown field', { table: 'orders', dataset: 'd', mode: 'append' }, 'tableSyncs.j.mode', /not a known field/],
    ['rowsPerFile of zero', { table: 'orders', dataset: 'd', rowsPerFile: 0 }, 'tableSyncs.j.rowsPerFile', /at least 1/],
    ['a bad cron schedule', { table: 'orders', dataset: 'd', schedule: { cron: 'hourly' } }, 'tableSyncs.j.schedule.cron', /5-field cron/],
  ])('reports %s, naming the field and the fix', (_what, job, path, message) => {
    const found = problems({ sources: { a: source }, virtualTables: tables, tableSyncs: { j: job } });
    expect(found.map((p) => p.path)).toContain(path);
    expect(found.find((p) => p.path === path)?.message).toMatch(message);
  });

  it('refuses a table sync with the name of a sync job, saying to rename it', () => {
    const found = problems({
      sources: { a: source }, virtualTables: tables,
      syncs: { j: { source: 'a', dataset: 'd', mode: 'bulk' } }, tableSyncs: { j: { table: 'orders', dataset: 'e' } },
    });
    expect(found).toEqual([{ path: 'tableSyncs.j', message: expect.stringMatching(/name of a sync job.*rename the table sync/) }]);
  });
});
