import { randomUUID } from 'node:crypto';
import { RunningApp, startApp } from './support/running-app';

jest.setTimeout(60_000);

/**
 * A valid body for every write route of the OpenAPI document, where its nested objects are, and
 * where its free-form maps are (arbitrary keys, but never a prototype key). A new route fails the
 * coverage check until it is listed here or in BODYLESS / EXEMPT.
 */
interface RouteCase {
  body: Record<string, unknown>;
  /** Dotted paths to nested DTO objects: an unknown field there is refused too. */
  nested?: string[];
  /** Dotted paths to free-form maps: any key, except __proto__ / constructor / prototype. */
  maps?: string[];
}

const SERVICE_BODY = {
  process: { command: 'node', args: ['-e', '0'] },
  proxy: { rateLimit: 5 },
  environment: { GREETING: 'hello' },
};
const GROUP_BODY = {
  members: [{ service: 'probe', renames: { echo: { name: 'say' } } }],
  settings: { rateLimit: 5 },
};
const GROUP_PATHS = {
  nested: ['members.0', 'settings', 'members.0.renames.echo'],
  maps: ['members.0.renames'],
};
const PORTS = { body: { ports: [18080] } };

const ROUTES: Record<string, RouteCase> = {
  'post /api/services': {
    body: { name: 'probe-two', start: false, ...SERVICE_BODY },
    nested: ['process', 'proxy'],
    maps: ['environment'],
  },
  'patch /api/services/{id}': {
    body: SERVICE_BODY,
    nested: ['process', 'proxy'],
    maps: ['environment'],
  },
  'post /api/github/deploy': {
    body: {
      repositoryUrl: 'https://github.com/acme/weather',
      environment: { GREETING: 'hello' },
    },
    maps: ['environment'],
  },
  'post /api/network/check-ports': PORTS,
  'post /api/network/upnp/map': PORTS,
  'post /api/network/upnp/unmap': PORTS,
  'post /api/config/import': { body: { yaml: 'services: []\n' } },
  // The client's own config is free-form (clients add fields of their own): only prototype keys are refused inside it.
  'post /api/services/import-client-config': {
    body: { config: { mcpServers: { probe: { command: 'node' } } }, values: { key: 'v' }, dryRun: true },
    maps: ['config', 'values'],
  },
  'post /api/users': {
    body: {
      username: 'probe-user',
      password: 'a-long-enough-password',
      role: 'viewer',
    },
  },
  'post /api/users/me/password': {
    body: {
      currentPassword: 'a-long-enough-password',
      newPassword: 'another-long-password',
    },
  },
  'patch /api/users/{id}': { body: { role: 'viewer' } },
  'post /api/client-tokens': { body: { label: 'probe', services: ['probe'] } },
  'patch /api/client-tokens/{id}': { body: { label: 'renamed' } },
  'post /api/oauth/authorizations/{id}/approve': { body: { tools: ['echo'] } },
  'patch /api/settings': { body: { API_RATE_LIMIT: 500 } },
  'post /api/auth/login': { body: { apiKey: 'not-the-key' } },
  'post /api/groups': {
    body: { name: 'probe-group', ...GROUP_BODY },
    ...GROUP_PATHS,
  },
  'patch /api/groups/{id}': { body: GROUP_BODY, ...GROUP_PATHS },
  'post /api/registry/install': {
    body: { server: 'com.example/probe', name: 'probe-installed', values: { 'env.GREETING': 'hello' } },
    maps: ['values'],
  },
  'post /api/registry/installs/{id}/update': { body: { version: '1.0.0', values: { 'env.GREETING': 'hello' } }, maps: ['values'] },
};

/** Actions without a body: a field sent to them is refused as well. */
const BODYLESS = [
  'post /api/services/{id}/start',
  'post /api/services/{id}/stop',
  'post /api/services/{id}/restart',
  'post /api/services/{id}/rollback',
  'post /api/services/{id}/redeploy',
  'post /api/certs/renew',
  'post /api/client-tokens/{id}/revoke',
  'post /api/oauth/authorizations/{id}/deny',
  'post /api/oauth/grants/{id}/revoke',
  'post /api/auth/logout',
  'post /api/auth/oidc/session',
  'post /api/registry/installs/{id}/rollback',
  'post /api/tool-changes/{id}/approve',
  'post /api/tool-changes/{id}/reject',
  'post /api/deployments/{id}/approve',
  'post /api/deployments/{id}/reject',
];

/** GitHub's own payload, authenticated by its HMAC signature and read for a few known fields only. */
const EXEMPT = ['post /api/github/webhook'];

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

/** JSON text with `key` set at `path` (built as text: a `__proto__` key in a JS literal would set the prototype instead). */
function withKey(body: Record<string, unknown>, path: string, key: string, value: unknown): string {
  const marker = `"__marker_${randomUUID()}__"`;
  const copy = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
  let target: Record<string, unknown> = copy;
  for (const part of path ? path.split('.') : []) target = target[part] as Record<string, unknown>;
  target['__marker__'] = 'x';
  return JSON.stringify(copy)
    .replace('"__marker__":"x"', `${JSON.stringify(key)}:${marker}`)
    .replace(marker, JSON.stringify(value));
}

describe('unknown fields at any depth, on every write route', () => {
  let running: RunningApp;
  const ids: Record<string, string> = {};

  const key = (): [string, string] => ['X-API-Key', running.env.apiKey];

  function send(method: string, path: string, json: string) {
    const url = path.replace('{id}', ids[path] ?? randomUUID());
    return running
      .api()
      [method as 'post' | 'patch' | 'put'](url)
      .set(...key())
      .set('Content-Type', 'application/json')
      .send(json);
  }

  /** What the write routes could change, read back; volatile runtime fields left out. */
  async function stored(): Promise<unknown> {
    const get = async (path: string): Promise<unknown> =>
      (
        await running
          .api()
          .get(path)
          .set(...key())
          .expect(200)
      ).body;
    const services = (await get('/api/services')) as Record<string, unknown>[];
    return {
      services: services.map(({ name, process, proxy, environment, repository }) => ({
        name,
        process,
        proxy,
        environment,
        repository,
      })),
      groups: await get('/api/groups'),
      users: ((await get('/api/users')) as Record<string, unknown>[]).map(({ username, role, services: limited, updatedAt }) => ({
        username,
        role,
        limited,
        updatedAt,
      })),
      tokens: ((await get('/api/client-tokens')) as Record<string, unknown>[]).map(({ id, label, revokedAt }) => ({
        id,
        label,
        revokedAt,
      })),
      settings: await get('/api/settings'),
    };
  }

  beforeAll(async () => {
    running = await startApp();
    await running
      .api()
      .post('/api/services')
      .set(...key())
      .send({
        name: 'probe',
        process: { command: 'node', args: ['-e', '0'] },
        start: false,
      })
      .expect(201);
    ids['/api/services/{id}'] = 'probe';
    const group = await running
      .api()
      .post('/api/groups')
      .set(...key())
      .send({ name: 'group-one', members: [{ service: 'probe' }] })
      .expect(201);
    ids['/api/groups/{id}'] = group.body.id;
    const user = await running
      .api()
      .post('/api/users')
      .set(...key())
      .send({
        username: 'someone',
        password: 'a-long-enough-password',
        role: 'viewer',
      })
      .expect(201);
    ids['/api/users/{id}'] = user.body.id;
    const token = await running
      .api()
      .post('/api/client-tokens')
      .set(...key())
      .send({ label: 'first' })
      .expect(201);
    ids['/api/client-tokens/{id}'] = token.body.id;
  });

  afterAll(async () => running?.close());

  it('lists every write route of the OpenAPI document as one with a body, without one, or exempt', async () => {
    const doc = (
      await running
        .api()
        .get('/api/docs-json')
        .set(...key())
        .expect(200)
    ).body as {
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    const writes = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([method]) => ['post', 'put', 'patch'].includes(method))
        .map(([method, operation]) => ({
          route: `${method} ${path}`,
          hasBody: operation.requestBody !== undefined,
        })),
    );
    const unlisted = writes
      .filter(({ route }) => !(route in ROUTES) && !BODYLESS.includes(route) && !EXEMPT.includes(route))
      .map(({ route }) => route);
    expect(unlisted).toEqual([]);
    expect(writes.filter(({ route, hasBody }) => route in ROUTES && !hasBody).map(({ route }) => route)).toEqual([]);
    expect(Object.keys(ROUTES).filter((route) => !writes.some((write) => write.route === route))).toEqual([]);
  });

  it('refuses an unknown or prototype key anywhere in a body with 400 naming it, and writes nothing', async () => {
    const before = await stored();
    const failures: string[] = [];
    for (const [route, { body, nested = [], maps = [] }] of Object.entries(ROUTES)) {
      const [method, path] = route.split(' ');
      const cases: { at: string; key: string; value: unknown }[] = [
        { at: '', key: 'surprise', value: true },
        ...nested.map((at) => ({ at, key: 'surprise', value: true })),
        ...['', ...nested, ...maps].flatMap((at) =>
          PROTOTYPE_KEYS.map((key) => ({
            at,
            key,
            value: { prototype: { admin: true } },
          })),
        ),
      ];
      for (const { at, key: field, value } of cases) {
        const named = at ? `${at}.${field}` : field;
        const response = await send(method, path, withKey(body, at, field, value));
        const messages = (response.body?.message ?? []) as string[];
        const namesIt =
          Array.isArray(messages) && messages.some((message) => message.startsWith(`${named}:`) || message.startsWith(`${named} `));
        if (response.status !== 400 || !namesIt)
          failures.push(`${route} with ${named}: ${response.status} ${JSON.stringify(response.body)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await stored()).toEqual(before);
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });

  it('refuses a field sent to an action that takes no body, and runs nothing', async () => {
    const before = await stored();
    for (const route of BODYLESS) {
      const [method, path] = route.split(' ');
      const response = await send(method, path, JSON.stringify({ surprise: true }));
      expect({
        route,
        status: response.status,
        message: response.body.message,
      }).toEqual({
        route,
        status: 400,
        message: [expect.stringMatching(/^surprise: property surprise should not exist/)],
      });
    }
    expect(await stored()).toEqual(before);
  });

  it('refuses prototype keys and unknown fields inside an imported YAML file, naming their place', async () => {
    const before = await stored();
    const yaml = (service: string): string => `services:\n  - name: from-file\n    process:\n      command: node\n${service}`;
    const cases: [string, string][] = [
      [yaml('    constructor:\n      prototype:\n        admin: true\n'), 'services[0].constructor:'],
      [yaml('    __proto__:\n      admin: true\n'), 'services[0].__proto__:'],
      [yaml('    proxy:\n      prototype: 1\n'), 'services[0].proxy.prototype:'],
      [yaml('    proxy:\n      surprise: 1\n'), 'services[0].proxy.surprise:'],
      [`surprise: true\n${yaml('')}`, 'surprise:'],
    ];
    for (const [text, named] of cases) {
      const response = await running
        .api()
        .post('/api/config/import')
        .set(...key())
        .set('Content-Type', 'application/yaml')
        .send(text);
      expect({
        named,
        status: response.status,
        message: response.body.message,
      }).toEqual({
        named,
        status: 400,
        message: expect.arrayContaining([expect.stringContaining(named)]),
      });
    }
    expect(await stored()).toEqual(before);
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });
});
