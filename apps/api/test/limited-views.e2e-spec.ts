import type { DeployAcceptedView } from '@mcp-proxy/shared/dto';
import { WebSocket } from 'ws';
import { finished } from './support/deployments';
import { GitFixtures } from './support/git-fixtures';
import { connectClient, EVERYTHING_SERVER } from './support/mcp-clients';
import { RunningApp, startApp } from './support/running-app';

const PASSWORD = 'correct horse battery';
const TOKEN = 'ghp_fixtureToken0123456789abcdef';
/** Distinctive, so any trace of it in a body is a leak and not a coincidence. */
const FOREIGN = 'zeta-foreign-svc';
const MINE = 'mine-svc';
/**
 * Routes that answer without a credential, with what they answer here; every other GET of the OpenAPI document must
 * answer 401. The login page asks which sign-ins exist; the OpenID sign-in's start and return are the browser's way
 * in, and answer 404 while no provider is set (as here); an upstream OAuth connection's return is a browser's too.
 */
const PUBLIC_GETS = new Map([
  ['/health', 200],
  ['/health/ready', 200],
  ['/api/auth/sign-in-options', 200],
  ['/api/auth/oidc/start', 404],
  ['/api/auth/oidc/callback', 404],
  // The upstream authorization server's redirect back: without the browser's pending connection, a 303 to the portal with the reason.
  ['/api/upstream-oauth/callback', 303],
  // A URL elicitation's link: a browser's way in too; one that names no open elicitation is not found.
  ['/api/upstream-oauth/elicitations/{elicitationId}', 404],
  // The proxy's client metadata document, which upstream authorization servers fetch: not served without an https PUBLIC_URL.
  ['/api/upstream-oauth/client-metadata.json', 404],
]);
// Sign-ins run scrypt and a deploy runs git and npm: slow on a loaded machine.
jest.setTimeout(120_000);

interface OpenApiDocument {
  paths: Record<string, { get?: unknown }>;
}

/**
 * A user limited to some services must not learn anything about the others from any read: every
 * GET route of the OpenAPI document is walked as such a user with the path parameters naming a
 * service (and its deployment and groups) outside the limits, and every answer is searched for the
 * foreign service's name and id. The same walk as anonymous answers 401 everywhere but the public routes.
 */
describe('a limited user sees only their services, on every read', () => {
  let git: GitFixtures;
  let running: RunningApp;
  let foreignId = '';
  let deploymentId = '';
  let viewerToken = '';
  let operatorToken = '';
  let getRoutes: string[] = [];
  const asAdmin = (): [string, string] => ['X-API-Key', running.env.apiKey];
  const bearer = (token: string): [string, string] => ['Authorization', `Bearer ${token}`];

  async function admin(method: 'post' | 'get', path: string, body?: object): Promise<Record<string, unknown>> {
    const request =
      method === 'post'
        ? running
            .api()
            .post(path)
            .set(...asAdmin())
            .send(body ?? {})
        : running
            .api()
            .get(path)
            .set(...asAdmin());
    const response = await request;
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as Record<string, unknown>;
  }

  async function login(username: string): Promise<string> {
    await admin('post', '/api/users', {
      username,
      password: PASSWORD,
      role: username.startsWith('op') ? 'operator' : 'viewer',
      services: [MINE],
    });
    const response = await running.api().post('/api/auth/login').send({ username, password: PASSWORD }).expect(201);
    return (response.body as { token: string }).token;
  }

  /** Everything that names the foreign service: its name and id, found anywhere in a body, is a leak. */
  function leaks(text: string, supplied: string): string[] {
    // An error that repeats the caller's own path parameter tells them nothing they did not send.
    const body = text.split(supplied).join('');
    return [FOREIGN, foreignId].filter((secret) => body.includes(secret));
  }

  beforeAll(async () => {
    git = await GitFixtures.start(TOKEN);
    const weather = git.repo('acme/weather', 'mcp-json');
    // The anonymous walk sends dozens of credential-less requests from one address: that is not what is tested here.
    running = await startApp({
      ...git.appEnv,
      PROCESS_STOP_GRACE_SEC: '2',
      AUTH_FAILURE_LIMIT: '100000',
    });
    await admin('post', '/api/services', {
      name: MINE,
      process: {
        command: process.execPath,
        args: [EVERYTHING_SERVER, 'stdio'],
      },
      proxy: { rateLimit: 0 },
    });
    const accepted = (await admin('post', '/api/github/deploy', {
      repositoryUrl: weather.url,
      serviceName: FOREIGN,
    })) as unknown as DeployAcceptedView;
    deploymentId = accepted.deploymentId;
    const done = await finished(
      async (id) =>
        (
          await running
            .api()
            .get(`/api/deployments/${id}`)
            .set(...asAdmin())
        ).body,
      deploymentId,
      90_000,
    );
    expect(done.status).toBe('succeeded');
    foreignId = String((await admin('get', `/api/services/${FOREIGN}`))['id']);
    await admin('post', '/api/groups', {
      name: 'mixed-group',
      members: [{ service: MINE }, { service: FOREIGN }],
    });
    await admin('post', '/api/groups', {
      name: 'only-foreign',
      members: [{ service: FOREIGN }],
    });
    await admin('post', '/api/groups', {
      name: 'only-mine',
      members: [{ service: MINE }],
    });
    // A call through the proxy puts the foreign service into the request metrics.
    const client = await connectClient(running.baseUrl, FOREIGN, running.env.apiKey, 'streamable');
    await client.listTools();
    await client.close();

    viewerToken = await login('lim-viewer');
    operatorToken = await login('op-limited');
    const document = (await running.api().get('/api/docs-json').expect(200)).body as OpenApiDocument;
    getRoutes = Object.entries(document.paths)
      .filter(([, operations]) => operations.get !== undefined)
      .map(([path]) => path);
  }, 180_000);

  afterAll(async () => {
    await running?.close();
    await git?.close();
  });

  it('walks every GET route with the foreign service, its deployment and its groups as parameters: nothing of it comes back', async () => {
    const foreignGroupId = String(((await admin('get', '/api/groups/only-foreign')) as { id: string }).id);
    const parameters = [FOREIGN, foreignId, deploymentId, 'only-foreign', foreignGroupId, 'mixed-group', 'all'];
    expect(getRoutes.length).toBeGreaterThan(15);
    const found: string[] = [];
    for (const route of getRoutes) {
      const templated = /\{[^}]+\}/.test(route);
      for (const value of templated ? parameters : ['']) {
        const path = route.replace(/\{[^}]+\}/g, encodeURIComponent(value));
        for (const token of [viewerToken, operatorToken]) {
          const response = await running
            .api()
            .get(path)
            .set(...bearer(token));
          const leaked = leaks(response.text ?? '', value);
          if (leaked.length > 0) found.push(`${path} (${response.status}) shows ${leaked.join(', ')}`);
          if (templated && ![400, 403, 404].includes(response.status))
            found.push(`${path} answered ${response.status}, expected 404/403/400`);
          const expected = [200, 403, 404, PUBLIC_GETS.get(route)];
          if (!templated && !expected.includes(response.status)) found.push(`${path} answered ${response.status}`);
        }
      }
    }
    expect(found).toEqual([]);
  });

  it('still shows the user their own services: lists are filtered, not emptied', async () => {
    const services = (
      await running
        .api()
        .get('/api/services')
        .set(...bearer(viewerToken))
        .expect(200)
    ).body as { name: string }[];
    expect(services.map((service) => service.name)).toEqual([MINE]);
    const exported = await running
      .api()
      .get('/api/config/export')
      .set(...bearer(viewerToken))
      .expect(200);
    expect(exported.text).toContain(MINE);
    const groups = (
      await running
        .api()
        .get('/api/groups')
        .set(...bearer(viewerToken))
        .expect(200)
    ).body as { name: string }[];
    expect(groups.map((group) => group.name)).toEqual(['only-mine']);
    await running
      .api()
      .get('/api/groups/only-mine/tools')
      .set(...bearer(viewerToken))
      .expect(200);
    // The admin still sees everything.
    const all = (
      await running
        .api()
        .get('/api/groups')
        .set(...asAdmin())
        .expect(200)
    ).body as { name: string }[];
    expect(all.map((group) => group.name)).toEqual(['mixed-group', 'only-foreign', 'only-mine']);
    await running
      .api()
      .get(`/api/deployments/${deploymentId}`)
      .set(...asAdmin())
      .expect(200);
  });

  it('answers 401 to an anonymous caller on every GET route but the public ones', async () => {
    const open: string[] = [];
    for (const route of getRoutes) {
      const path = route.replace(/\{[^}]+\}/g, encodeURIComponent(foreignId));
      const response = await running.api().get(path);
      const expected = PUBLIC_GETS.get(route) ?? 401;
      if (response.status !== expected) open.push(`${path} answered ${response.status}, expected ${expected}`);
      if (leaks(response.text ?? '', foreignId).length > 0) open.push(`${path} shows the foreign service`);
    }
    expect(open).toEqual([]);
  });

  it('a limited operator cannot start, stop, restart or roll back a foreign service, nor probe ports beyond the proxy’s own', async () => {
    for (const action of ['start', 'stop', 'restart', 'rollback']) {
      for (const key of [FOREIGN, foreignId]) {
        const response = await running
          .api()
          .post(`/api/services/${key}/${action}`)
          .set(...bearer(operatorToken));
        expect({ action, key, status: response.status }).toEqual({
          action,
          key,
          status: 404,
        });
      }
    }
    const view = (await admin('get', `/api/services/${FOREIGN}`)) as {
      status: string;
    };
    expect(view.status).toBe('running');
    const probe = await running
      .api()
      .post('/api/network/check-ports')
      .set(...bearer(operatorToken))
      .send({ ports: [6379] });
    expect(probe.status).toBe(400);
    expect(JSON.stringify(probe.body)).toMatch(/ports must be among the proxy's own/);
  });

  it('on the live gateway, a foreign deployment is "not found" to a limited user', async () => {
    const socket = new WebSocket(`${running.baseUrl.replace('http', 'ws')}/ws?token=${viewerToken}`);
    const inbox: Record<string, unknown>[] = [];
    socket.on('message', (data) => inbox.push(JSON.parse(data.toString()) as Record<string, unknown>));
    const waitFor = async (match: (message: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => {
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const hit = inbox.find(match);
        if (hit) return hit;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`no such message; got ${JSON.stringify(inbox)}`);
    };
    try {
      await waitFor((message) => message['type'] === 'ready');
      socket.send(
        JSON.stringify({
          type: 'subscribe',
          channel: `deploy:${deploymentId}`,
        }),
      );
      expect(await waitFor((message) => message['channel'] === `deploy:${deploymentId}`)).toEqual(
        expect.objectContaining({ type: 'error' }),
      );
      socket.send(JSON.stringify({ type: 'subscribe', channel: `logs:${FOREIGN}` }));
      expect(await waitFor((message) => message['channel'] === `logs:${FOREIGN}`)).toEqual(expect.objectContaining({ type: 'error' }));
      expect(leaks(JSON.stringify(inbox.filter((message) => message['type'] !== 'error')), '')).toEqual([]);
    } finally {
      socket.close();
    }
  });
});
