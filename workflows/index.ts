/** Every workflow the worker registers. */
export * from './probes';
export * from './sync';
export * from './file-export';
export * from './tables';
export * from './discover';
export * from './table-sync';
