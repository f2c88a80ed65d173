import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/**
 * The layers of the code, lowest first (README "Architecture"). A folder may import its own
 * files and the folders of lower layers, never a folder of its own layer or of a higher one:
 * imports run one way, so a lower layer can be read, tested and changed without the ones above.
 * scripts/, bench/ and test/ stand above them all.
 */
const LAYERS = [
  ['shared', 'config'],
  ['s3', 'devservers'],
  ['datasets', 'crypto'],
  ['jobs', 'media'],
  ['syncs', 'exports', 'exploration', 'preview', 'tables'],
  ['pipelines'],
  ['activities'],
  ['workflows'],
  ['worker'],
  ['client'],
];

/** The index of the workflows' layer: below it, the code workflows may import as types only. */
const WORKFLOWS_LAYER = LAYERS.findIndex((layer) => layer.includes('workflows'));

/** A relative import that reaches into `folders` from anywhere in the tree. */
const importOf = (folders) => `^(\\.\\./)+(${folders.join('|')})(/|$)`;

/** One config block per layer, forbidding imports of its own layer's siblings and of every layer above. */
const layerRules = LAYERS.flatMap((layer, index) => layer.map((folder) => {
  const forbidden = [...layer.filter((f) => f !== folder), ...LAYERS.slice(index + 1).flat()];
  const above = LAYERS.slice(index + 1).flat();
  return {
    files: [`${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: importOf(forbidden),
          message: `${folder}/ may import only lower layers (eslint.config.mjs LAYERS): ${forbidden.filter((f) => !above.includes(f)).join(', ') || 'no sibling'} is beside it${above.length ? `, ${above.join(', ')} above it` : ''}. Fix: move what both need down a layer.`,
        }],
      }],
    },
  };
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', '.run/**', 'coverage/**', 'bin/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Type-aware: a promise nobody awaits loses its error (an unhandled rejection kills a worker).
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      // Deprecated SDK calls (the Temporal client's untyped `searchAttributes`, ...) are removed in later majors.
      '@typescript-eslint/no-deprecated': 'error',
    },
  },
  ...layerRules,
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, and activities and
    // the domain below them may only be imported as types (they run on the worker, not in the workflow).
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: nodeBuiltins.map((name) => ({ name, message: 'Node built-ins are not available in workflow code.' })),
        patterns: [
          { regex: importOf(LAYERS.slice(1, WORKFLOWS_LAYER).flat()), allowTypeImports: true, message: 'Workflows import the activities and the domain as types only (`import type`): their code runs on the worker.' },
          { regex: importOf(LAYERS.slice(WORKFLOWS_LAYER + 1).flat()), message: 'workflows/ may import only lower layers: worker and client are above it.' },
          { group: ['@aws-sdk/*', 'pino', 'zod'], message: 'Workflows must not import I/O or worker-side modules.' },
        ],
      }],
    },
  },
);
