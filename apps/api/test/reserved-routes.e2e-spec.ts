import { DataSource } from 'typeorm';
import { EVERYTHING_SERVER } from './support/mcp-clients';
import { eventually, registerService, RunningApp, startApp } from './support/running-app';

jest.setTimeout(90_000);

/**
 * Names and paths the router gives a meaning (`all`, `ws`, `g`, `sse`, `messages`, …) cannot be taken by a
 * service, and no route can shadow another: a token limited to a service called `all` never reaches `/mcp`.
 */
describe('reserved route names and route collisions', () => {
  let running: RunningApp;
  const admin = (): [string, string] => ['X-API-Key', running.env.apiKey];
  const stdio = {
    command: process.execPath,
    args: [EVERYTHING_SERVER, 'stdio'],
  };

  async function tokenFor(services: string[]): Promise<string> {
    return (
      await running
        .api()
        .post('/api/client-tokens')
        .set(...admin())
        .send({ label: `only ${services.join(',')}`, services })
        .expect(201)
    ).body.token;
  }

  async function toolsList(path: string, token: string): Promise<{ status: number; tools: string[] }> {
    const response = await fetch(`${running.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    const body = (await response.json()) as {
      result?: { tools?: { name: string }[] };
    };
    return {
      status: response.status,
      tools: (body.result?.tools ?? []).map((tool) => tool.name),
    };
  }

  beforeAll(async () => {
    running = await startApp();
    await registerService(running, { name: 'everything', process: stdio });
  });

  afterAll(() => running?.close());

  it.each(['all', 'ws', 'g', 'sse', 'messages'])('refuses a service named %s with a 400 naming the field', async (name) => {
    const response = await running
      .api()
      .post('/api/services')
      .set(...admin())
      .send({ name, process: stdio, start: false })
      .expect(400);
    expect(JSON.stringify(response.body.message)).toMatch(/^\["name must not be a reserved word/);
  });

  it.each(['/mcp/all', '/mcp/ws', '/mcp/g', '/mcp/sse'])(
    'refuses proxy.path %s on create and update with a 400 naming the field',
    async (path) => {
      const created = await running
        .api()
        .post('/api/services')
        .set(...admin())
        .send({ name: 'pathy', process: stdio, proxy: { path }, start: false })
        .expect(400);
      expect(created.body.message).toEqual([expect.stringMatching(/^proxy\.path must not use a reserved word/)]);
      const updated = await running
        .api()
        .patch('/api/services/everything')
        .set(...admin())
        .send({ proxy: { path } })
        .expect(400);
      expect(updated.body.message).toEqual([expect.stringMatching(/^proxy\.path must not use a reserved word/)]);
    },
  );

  it('refuses a reserved name in a config import, changing nothing', async () => {
    const yaml = `services:\n  - name: all\n    process:\n      command: ${process.execPath}\n`;
    const response = await running
      .api()
      .post('/api/config/import')
      .set(...admin())
      .set('Content-Type', 'application/yaml')
      .send(yaml)
      .expect(400);
    expect(response.body.message).toEqual([expect.stringMatching(/^services\[0\]\.name must not be a reserved word/)]);
    expect(
      (
        await running
          .api()
          .get('/api/services/all')
          .set(...admin())
      ).status,
    ).toBe(404);
  });

  it("refuses a name that is another service's path, and a path that is another service's name (409)", async () => {
    await running
      .api()
      .post('/api/services')
      .set(...admin())
      .send({
        name: 'alpha',
        process: stdio,
        proxy: { path: '/mcp/beta' },
        start: false,
      })
      .expect(201);
    const byName = await running
      .api()
      .post('/api/services')
      .set(...admin())
      .send({ name: 'beta', process: stdio, start: false })
      .expect(409);
    expect(byName.body.message).toMatch(/beta.*alpha/);
    const byPath = await running
      .api()
      .patch('/api/services/everything')
      .set(...admin())
      .send({ proxy: { path: '/mcp/alpha' } })
      .expect(409);
    expect(byPath.body.message).toMatch(/alpha/);
  });

  it('a token limited to "all" does not reach /mcp, even when a row named "all" exists; the table keeps the built-in route', async () => {
    const token = await tokenFor(['all']);
    expect((await toolsList('/mcp', token)).status).toBe(403);

    // A row from before the name was reserved: the route table must neither fail nor let it shadow /mcp.
    await registerService(running, { name: 'legacy', process: stdio });
    const legacyId = (
      await running
        .api()
        .get('/api/services/legacy')
        .set(...admin())
        .expect(200)
    ).body.id as string;
    await running.app.get(DataSource).query(`UPDATE services SET name = 'all' WHERE id = '${legacyId}'`);
    await running
      .api()
      .post('/api/services')
      .set(...admin())
      .send({ name: 'trigger-reload', process: stdio, start: false })
      .expect(201);

    expect((await toolsList('/mcp', token)).status).toBe(403);
    expect((await toolsList('/mcp/all', token)).status).toBe(403);
    // The admin still gets the built-in group at /mcp/all (exposed names), and the service by its id.
    const builtIn = await eventually(async () => {
      const listed = await toolsList('/mcp/all', running.env.apiKey);
      if (!listed.tools.includes('everything__echo')) throw new Error(`not merged yet: ${listed.tools.join(',')}`);
      return listed;
    });
    expect(builtIn.status).toBe(200);
    const byId = await toolsList(`/mcp/${legacyId}`, running.env.apiKey);
    expect(byId.status).toBe(200);
    expect(byId.tools).toContain('echo');
    expect((await fetch(`${running.baseUrl}/health`)).status).toBe(200);
  });
});
