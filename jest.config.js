/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  // hyparquet, file-type and music-metadata ship ES modules only; let swc turn them into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(hyparquet|file-type|strtok3|token-types|peek-readable|@tokenizer|uint8array-extras|@borewit|music-metadata|content-type|media-typer|win-guid)/)'],
  // music-metadata's exports offer only `import`/`module-sync` conditions, which jest's resolver does not use.
  moduleNameMapper: { '^music-metadata$': '<rootDir>/node_modules/music-metadata/lib/index.js' },
  setupFiles: ['<rootDir>/test/harness/quiet-temporal.ts'],
  globalSetup: '<rootDir>/test/harness/global-setup.ts',
  globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
  // Generous: integration tests wait out heartbeat timeouts and restarts on a loaded 2-core machine.
  testTimeout: 240000,
  maxWorkers: 2,
};
