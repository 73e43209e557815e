import baseConfig, { typeAware } from '../../eslint.config.mjs';

/** The feature folders of src/ (everything but core/ and the files at the root). */
const FEATURES = [
  'services',
  'supervisor',
  'proxy',
  'deploy',
  'groups',
  'certs',
  'network',
  'oauth',
  'users',
  'audit',
  'cluster',
  'settings',
  'config-file',
  'live',
  'health',
  'backup',
  'client-tokens',
  'calls',
  'identity',
  'registry',
  'tool-pins',
];

/**
 * Which folders of src/ each folder may not import from. Nx's module boundaries stop at the project, so
 * inside the API the direction is kept here: core/ knows no feature, the data plane and the registry know
 * nothing of deploys, the supervisor runs children without knowing who proxies them or which instance
 * owns them. A piece two of them need goes to core/ (or a lib), not across.
 */
const BOUNDARIES = {
  core: { forbidden: FEATURES, why: 'core/ is what every feature builds on and imports no feature; move the shared piece into core/.' },
  proxy: { forbidden: ['deploy'], why: 'The data plane does not depend on deploys; move the shared piece into core/ or a lib.' },
  services: {
    forbidden: ['proxy', 'deploy'],
    why: 'The service registry does not know who proxies or deploys its services; they listen to its events.',
  },
  supervisor: {
    // ClusterLinkModule is the one door: it provides the placement the supervisor asks (CHILD_PLACEMENT).
    forbidden: ['proxy', 'deploy', 'cluster(?!/cluster-link\\.module$)'],
    why: 'The supervisor runs children without knowing who proxies them, deploys them or which instance owns them (the placement comes from cluster/cluster-link.module only).',
  },
  certs: { forbidden: FEATURES.filter((name) => name !== 'certs'), why: 'certs/ depends on core/ only.' },
  network: { forbidden: FEATURES.filter((name) => name !== 'network'), why: 'network/ depends on core/ only.' },
};

/**
 * One block per depth below src/: an import leaves `from` for src/<folder> exactly when it climbs as many
 * `../` as the file is deep, so a subfolder of the same name (supervisor/health, proxy/groups) is not
 * mistaken for the feature. Each file gets one no-restricted-imports setting (ESLint does not merge them).
 */
function boundaries() {
  return Object.entries(BOUNDARIES).flatMap(([from, { forbidden, why }]) =>
    [1, 2, 3, 4, 5, 6].map((depth) => ({
      // Globs relative to this folder however ESLint is run (Nx runs it from the workspace root).
      basePath: import.meta.dirname,
      files: [`src/${from}/${'*/'.repeat(depth - 1)}*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          { patterns: [{ regex: `^${'\\.\\./'.repeat(depth)}(${forbidden.join('|')})(/|$)`, message: why }] },
        ],
      },
    })),
  );
}

/**
 * `void promise.then(callback)` passes no-floating-promises, yet a callback that throws is an unhandled
 * rejection, which stops the process: such work goes through inBackground (core/logging/background.ts).
 */
const noVoidThen = {
  basePath: import.meta.dirname,
  files: ['src/**/*.ts'],
  ignores: ['src/**/*.spec.ts'],
  rules: {
    'no-restricted-syntax': [
      'error',
      {
        selector: "UnaryExpression[operator='void'] > CallExpression[callee.property.name='then']",
        message: 'A throwing callback would be an unhandled rejection: use inBackground(work, context, what) from core/logging/background.',
      },
    ],
  },
};

export default [...baseConfig, typeAware(import.meta.dirname, './tsconfig.lint.json'), ...boundaries(), noVoidThen];
