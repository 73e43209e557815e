import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { CREDENTIAL_KEYS, ENV_SCHEMA } from '../src/core/config/env.schema';
import { itWithCommands } from './support/prerequisites';

const ROOT = resolve(__dirname, '../../..');
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');

/** Keys the image itself sets to its own paths (Dockerfile ENV), which Compose must leave alone. */
const SET_BY_IMAGE = ['DATA_DIR', 'LOG_DIR', 'CLONE_DIRECTORY', 'ADMIN_DIST_DIR'];
/** Where Compose's default differs from the product's on purpose. */
const COMPOSE_DEFAULTS: Record<string, string> = { DATABASE_URL: '/data/mcp-proxy.db', REDIS_URL: 'redis://redis:6379' };

interface ComposeFile {
  services: Record<
    string,
    {
      environment?: Record<string, string>;
      healthcheck?: unknown;
      volumes?: string[];
      ports?: string[];
      cap_drop?: string[];
      cap_add?: string[];
      security_opt?: string[];
    }
  >;
}

/**
 * The deployment files as a user would run them. No Docker engine runs here, so the image is not
 * built; Compose (1.29) validates the file and resolves a `.env` the way `docker compose` does.
 */
describe('Docker deployment files', () => {
  const compose = parse(readFileSync(COMPOSE_FILE, 'utf8')) as ComposeFile;
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

  it('pass every setting of the product to the proxy, with the product default', () => {
    const environment = compose.services['proxy'].environment ?? {};
    for (const [key, spec] of Object.entries(ENV_SCHEMA)) {
      if (SET_BY_IMAGE.includes(key)) {
        expect([key, environment[key]]).toEqual([key, undefined]);
        expect(dockerfile).toMatch(new RegExp(`\\b${key}=/`));
        continue;
      }
      const expected = COMPOSE_DEFAULTS[key] ?? (spec as { default?: string }).default ?? '';
      expect([key, environment[key]]).toEqual([key, `\${${key}:-${expected}}`]);
    }
  });

  it('keep data, certificates, clones and logs in volumes, publish the three ports, and check health', () => {
    const proxy = compose.services['proxy'];
    expect(proxy.volumes).toEqual(expect.arrayContaining(['data:/data', 'certs:/data/certs', 'services:/services', 'logs:/logs']));
    expect(proxy.ports).toHaveLength(3);
    for (const name of ['proxy', 'redis', 'postgres'])
      expect([name, compose.services[name].healthcheck]).toEqual([name, expect.anything()]);
    expect(dockerfile).toMatch(/^USER root$/m);
    expect(dockerfile).toMatch(/astral-sh\/uv:[\d.]+ \/uv \/uvx /);
  });

  it('run the proxy as root with only the capabilities that give each MCP server a user of its own, and take secrets from files', () => {
    const proxy = compose.services['proxy'];
    expect(proxy.cap_drop).toEqual(['ALL']);
    expect([...(proxy.cap_add ?? [])].sort()).toEqual(['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'KILL', 'SETGID', 'SETUID']);
    expect(proxy.security_opt).toEqual(['no-new-privileges:true']);
    expect(dockerfile).toMatch(/chmod 700 \/data \/logs/);
    for (const key of CREDENTIAL_KEYS) expect([key, proxy.environment?.[`${key}_FILE`]]).toEqual([key, `\${${key}_FILE:-}`]);
  });

  it('start Node with the V8 and allocator settings npm start uses, in the image and in the systemd unit', () => {
    const { flags, environment } = JSON.parse(
      execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          "const run = await import('./tools/api-node-flags.mjs'); console.log(JSON.stringify({ flags: run.API_NODE_FLAGS, environment: run.API_ENVIRONMENT }))",
        ],
        { cwd: ROOT, encoding: 'utf8' },
      ),
    ) as { flags: string[]; environment: Record<string, string> };
    expect(flags).toContain('--initial-heap-size=128');
    expect(environment).toEqual({ MALLOC_MMAP_THRESHOLD_: '16384' });
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? 'null') as string[];
    expect(cmd).toEqual(['node', ...flags, 'main.js']);
    const unit = readFileSync(join(ROOT, 'deploy/mcp-proxy.service'), 'utf8');
    expect(/^ExecStart=(.*)$/m.exec(unit)?.[1]).toBe(['/usr/bin/node', ...flags, 'dist/apps/api/main.js'].join(' '));
    const unitEnvironment = /^Environment=(.*)$/m.exec(unit)?.[1].split(' ') ?? [];
    for (const [key, value] of Object.entries(environment)) {
      expect(dockerfile).toMatch(new RegExp(`^\\s+${key}=${value}\\b`, 'm'));
      expect(unitEnvironment).toContain(`${key}=${value}`);
    }
  });

  itWithCommands(['docker-compose'], 'validating docker-compose.yml with Compose')(
    'validate with Compose, which takes a .env beside the file into the proxy environment',
    () => {
      const project = mkdtempSync(join(tmpdir(), 'compose-'));
      try {
        copyFileSync(COMPOSE_FILE, join(project, 'docker-compose.yml'));
        writeFileSync(join(project, '.env'), 'LOG_LEVEL=debug\nDATABASE_URL=postgres://mcp:mcp@postgres:5432/mcp\n');
        const resolved = parse(
          execFileSync('docker-compose', ['--project-directory', project, '-f', join(project, 'docker-compose.yml'), 'config'], {
            encoding: 'utf8',
            env: { PATH: process.env['PATH'] ?? '' },
          }),
        ) as ComposeFile;
        const environment = resolved.services['proxy'].environment ?? {};
        expect(environment['LOG_LEVEL']).toBe('debug');
        expect(environment['DATABASE_URL']).toBe('postgres://mcp:mcp@postgres:5432/mcp');
        expect(environment['BACKEND_PORT']).toBe('8437');
        expect(environment['REDIS_URL']).toBe('redis://redis:6379');
      } finally {
        rmSync(project, { recursive: true, force: true });
      }
    },
  );
});

/** deploy/cluster: several instances behind nginx, as the README shows it and the cluster benchmark runs it. */
describe('the cluster layout (deploy/cluster)', () => {
  const dir = join(ROOT, 'deploy', 'cluster');
  const composeText = readFileSync(join(dir, 'docker-compose.yml'), 'utf8');
  const nginxText = readFileSync(join(dir, 'nginx.conf'), 'utf8');
  // `<<: *proxy` merge keys, as Compose reads them.
  const compose = parse(composeText, { merge: true }) as ComposeFile;
  const instances = Object.keys(compose.services).filter((name) => name.startsWith('proxy-'));

  it('gives every instance its own id, address and data, and the same database, Redis and secrets', () => {
    expect(instances).toEqual(['proxy-1', 'proxy-2', 'proxy-3']);
    const shared = ['DATABASE_URL', 'REDIS_URL', 'API_KEY', 'JWT_SECRET', 'ENCRYPTION_KEY', 'LEASE_TTL_SEC', 'CLUSTER_KEY_PREFIX'];
    const first = compose.services['proxy-1'].environment ?? {};
    expect(first['DATABASE_URL']).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    for (const name of instances) {
      const environment = compose.services[name].environment ?? {};
      expect([name, environment['INSTANCE_ID'], environment['INSTANCE_URL']]).toEqual([name, name, `http://${name}:8437`]);
      for (const key of shared) expect([name, key, environment[key]]).toEqual([name, key, first[key]]);
      expect(compose.services[name].volumes).toContain(`data-${name.slice('proxy-'.length)}:/data`);
      expect(compose.services[name].cap_drop).toEqual(['ALL']);
    }
  });

  it("lists exactly those instances in nginx's upstream, and the README shows both files as they are", () => {
    const upstream = /upstream mcp_proxy_cluster \{([\s\S]*?)\n\}/.exec(nginxText)?.[1] ?? '';
    expect([...upstream.matchAll(/server (\S+):8437/g)].map((match) => match[1])).toEqual(instances);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(composeText);
    expect(readme).toContain(nginxText);
  });

  itWithCommands(['docker-compose'], 'validating deploy/cluster/docker-compose.yml with Compose')('validate with Compose', () => {
    const project = mkdtempSync(join(tmpdir(), 'compose-cluster-'));
    try {
      copyFileSync(join(dir, 'docker-compose.yml'), join(project, 'docker-compose.yml'));
      writeFileSync(join(project, '.env'), 'API_KEY=k\nJWT_SECRET=j\nENCRYPTION_KEY=e\n');
      const resolved = parse(
        execFileSync('docker-compose', ['--project-directory', project, '-f', join(project, 'docker-compose.yml'), 'config'], {
          encoding: 'utf8',
          env: { PATH: process.env['PATH'] ?? '' },
        }),
      ) as ComposeFile;
      expect(resolved.services['proxy-2'].environment?.['API_KEY']).toBe('k');
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
