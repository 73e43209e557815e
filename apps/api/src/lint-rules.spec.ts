import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The lint rules the API relies on do fire: a floating promise, a promise where a void callback is
 * expected, a switch that forgets a member, proxy/ importing deploy/, supervisor/ importing cluster/, core/
 * importing a feature. Each
 * probe is written for a moment beside real code (type-aware rules only lint files of the TypeScript
 * program, so `lintText` of virtual text is not enough; the names are gitignored) and linted with the
 * API's own eslint.config.mjs. ESLint loads that config with a dynamic import Jest cannot run, so the
 * linting happens in a child Node process through ESLint's Node API.
 */

const API = join(__dirname, '..');
const WORKSPACE = join(API, '..', '..');

const PROBES = {
  floating: {
    path: join(__dirname, '__lint-probe__floating.ts'),
    code: `
const later = (): Promise<void> => Promise.resolve();
export function fireAndForget(): void {
  later();
}
export function asyncCallback(): void {
  setTimeout(async () => later(), 1);
}
export function kindOf(kind: 'stdio' | 'http'): number {
  switch (kind) {
    case 'stdio':
      return 1;
    default:
      return 2;
  }
}
`,
  },
  proxyImportsDeploy: {
    path: join(__dirname, 'proxy', '__lint-probe__deploy.ts'),
    // The second import is allowed: proxy/groups is the proxy's own folder, not groups/.
    code: `
import { DeployModule } from '../deploy/deploy.module';
import { groupUri } from './groups/resource-uris';
export const probe = [DeployModule, groupUri];
`,
  },
  supervisorImportsCluster: {
    path: join(__dirname, 'supervisor', '__lint-probe__cluster.ts'),
    // The second import is allowed: the placement's module is the supervisor's one door into cluster/.
    code: `
import { ClusterCoordinator } from '../cluster/cluster-coordinator';
import { ClusterLinkModule } from '../cluster/cluster-link.module';
export const probe = [ClusterCoordinator, ClusterLinkModule];
`,
  },
  coreImportsFeature: {
    path: join(__dirname, 'core', '__lint-probe__feature.ts'),
    code: `
import { ServicesModule } from '../services/services.module';
import { AppConfig } from './config/app-config';
export const probe = [ServicesModule, AppConfig];
`,
  },
};

/**
 * Runs in the child: lints the files named on the command line with the API's config, prints rule ids per file.
 * As `nx lint api` (and so `npm test`) does: from the workspace root, with the project's config file named.
 */
const MARKER = '--lint-result--';
const LINT = `
import { ESLint } from 'eslint';
const MARKER = '${MARKER}';
const [api, ...files] = process.argv.slice(1);
const eslint = new ESLint({ cwd: process.cwd(), overrideConfigFile: api + '/eslint.config.mjs' });
const results = await eslint.lintFiles(files);
const found = {};
for (const result of results) {
  found[result.filePath] = result.messages.map((m) => (m.severity === 2 ? 'error ' : 'warn ') + (m.ruleId ?? m.message));
}
// Nx's boundary rule may print a warning on stdout first (no cached project graph yet): the result follows a marker.
process.stdout.write('\\n' + MARKER + JSON.stringify(found));
`;

describe('lint rules of the API', () => {
  let found: Record<string, string[]> = {};

  beforeAll(async () => {
    const probes = Object.values(PROBES);
    try {
      for (const probe of probes) writeFileSync(probe.path, probe.code);
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--input-type=module', '-e', LINT, API, ...probes.map((probe) => probe.path)],
        { cwd: WORKSPACE, maxBuffer: 1024 * 1024, timeout: 120_000 },
      );
      found = JSON.parse(stdout.slice(stdout.lastIndexOf(MARKER) + MARKER.length)) as Record<string, string[]>;
    } finally {
      for (const probe of probes) rmSync(probe.path, { force: true });
    }
  }, 120_000);

  it('reports a floating promise, an async callback where void is expected and a non-exhaustive switch', () => {
    expect(found[PROBES.floating.path]).toEqual([
      'error @typescript-eslint/no-floating-promises',
      'error @typescript-eslint/no-misused-promises',
      'error @typescript-eslint/switch-exhaustiveness-check',
    ]);
  });

  it('reports proxy/ importing deploy/, and only that', () => {
    expect(found[PROBES.proxyImportsDeploy.path]).toEqual(['error no-restricted-imports']);
  });

  it('reports core/ importing a feature, and only that', () => {
    expect(found[PROBES.coreImportsFeature.path]).toEqual(['error no-restricted-imports']);
  });

  it('reports supervisor/ importing cluster/ other than the placement module, and only that', () => {
    expect(found[PROBES.supervisorImportsCluster.path]).toEqual(['error no-restricted-imports']);
  });
});
