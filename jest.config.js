/**
 * Three projects, run together by plain `npx jest` (scripts/test.sh), or alone with
 * `npx jest --selectProjects <name>`:
 *   unit         test/unit: no server at all, seconds (`npm run test:unit`).
 *   workflows    test/workflows: the real workflow code with stub activities on the Temporal
 *                server of the global setup (`npm run test:workflows`).
 *   integration  test/integration: everything against the real servers.
 * The global setup (servers started once per jest run, TMPDIR pointed into the run's folder)
 * runs only when a project that declares it has a test selected.
 */
const shared = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  // hyparquet, file-type and music-metadata ship ES modules only; let swc turn them into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(hyparquet|hyparquet-compressors|hysnappy|file-type|strtok3|token-types|peek-readable|@tokenizer|uint8array-extras|@borewit|music-metadata|content-type|media-typer|win-guid)/)'],
  // music-metadata's exports offer only `import`/`module-sync` conditions, which jest's resolver does not use.
  moduleNameMapper: { '^music-metadata$': '<rootDir>/node_modules/music-metadata/lib/index.js' },
};

const servers = {
  setupFiles: ['<rootDir>/test/harness/quiet-temporal.ts'],
  globalSetup: '<rootDir>/test/harness/global-setup.ts',
  globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/test/unit'],
      // No global setup, hence no TMPDIR of the run: unit tests make their temp folders with
      // test/harness/temp-dir.ts, which removes them.
    },
    {
      ...shared,
      ...servers,
      displayName: 'workflows',
      roots: ['<rootDir>/test/workflows'],
    },
    {
      ...shared,
      ...servers,
      displayName: 'integration',
      roots: ['<rootDir>/test/integration'],
    },
  ],
  // Generous: integration tests wait out heartbeat timeouts and restarts on a loaded 2-core
  // machine. One for all projects: jest-circus reads only the top-level testTimeout.
  testTimeout: 240000,
  maxWorkers: 2,
};
