// Lint rules, including the layer boundaries of DEVELOPERS.md as import zones (our .importlinter):
// api imports nothing of src; plan is pure (api, and types from hub/models); hub and kube never
// import each other; only controllers bring them together; main.ts is the composition root, and
// config.ts the only reader of process.env.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * One config per layer: `forbidden` names the sibling files and folders of src/ (without .ts) that
 * the layer's files may not import through a parent-relative specifier (`../kube/x.ts`).
 */
function layer(folder, forbidden, message, extraRegex = []) {
  const regexes = [`^(\\.\\./)+(${forbidden.join('|')})(/|\\.ts$)`, ...extraRegex];
  return {
    files: [`src/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: regexes.map((regex) => ({ regex, message })) },
      ],
    },
  };
}

const top = [
  'api',
  'plan',
  'hub',
  'kube',
  'controllers',
  'main',
  'config',
  'log',
  'errors',
  'health',
  'priority',
  'cli',
];
/** The folders of src/controllers that hold one kind each. */
const kindFolders = ['hubuser', 'hubgroup', 'hubserver', 'hubtoken', 'hubs'];
const allBut = (...allowed) => top.filter((name) => !allowed.includes(name));
export const layers = [
  layer('api', allBut(), 'api/ imports nothing else from src.'),
  layer('plan', allBut('api', 'hub'), 'plan/ is pure: it imports api/ and hub/models.ts only.', [
    '^(\\.\\./)+hub/(?!models\\.ts$)',
  ]),
  layer(
    'hub',
    allBut('errors', 'clock', 'priority'),
    'hub/ knows HTTP and JupyterHub, nothing of Kubernetes or plans.',
  ),
  layer(
    'kube',
    allBut('api', 'errors', 'clock', 'priority'),
    'kube/ knows Kubernetes, nothing of the hub or plans.',
  ),
  layer('controllers', ['main', 'cli'], 'main.ts is the composition root; nothing imports it.'),
  layer(
    'cli',
    ['controllers', 'main'],
    "The command line reads the hub through hub/, the cluster through kube/'s client alone, and judges with plan/; none of the controllers.",
    ['^(\\.\\./)+kube/(?!(kube-client|kube-target|kube-errors|resource)\\.ts$)'],
  ),
  ...kindFolders.map((kind) => ({
    files: [`src/controllers/${kind}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+(controllers/)?(${kindFolders.filter((other) => other !== kind).join('|')})/`,
              message: 'A kind folder imports the runtime, never another kind.',
            },
            { regex: '^(\\.\\./)+main\\.ts$', message: 'main.ts is the composition root.' },
          ],
        },
      ],
    },
  })),
  {
    files: ['src/controllers/runtime/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+(controllers/)?(${kindFolders.join('|')}|hub-controllers\\.ts|manager\\.ts)(/|$)`,
              message: 'The runtime is shared by the kinds and knows none of them.',
            },
            { regex: '^(\\.\\./)+main\\.ts$', message: 'main.ts is the composition root.' },
          ],
        },
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.testenv/', 'charts/', 'deploy/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      eqeqeq: 'error',
      'no-console': 'error',
    },
  },
  ...layers,
  // Plain JavaScript that must run on any Node (npm start's version check): no type information.
  {
    files: ['bin/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly' },
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/config.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Only src/config.ts reads the environment.',
        },
      ],
      'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ['test/**/*.ts', 'hack/**/*.ts'],
    rules: {
      'no-console': 'off',
      // node:test's test() and describe() return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
    },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
