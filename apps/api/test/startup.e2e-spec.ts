import { statSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startBuiltApi, waitForOk } from './support/built-app';
import { makeTestEnv, TestEnv } from './support/test-env';

/** The production bundle, started the way `npm start` starts it. */
describe('start-up of the built API', () => {
  let env: TestEnv;
  beforeEach(() => (env = makeTestEnv()));
  afterEach(() => env.cleanup());

  it('exits non-zero with a message naming BACKEND_PORT when it is not a port', async () => {
    const app = startBuiltApi({ ...env.vars, BACKEND_PORT: 'abc' });
    expect(await app.exited).not.toBe(0);
    expect(app.output()).toMatch(/BACKEND_PORT="abc" must be a port number/);
  });

  it('first start with no key: generates secrets (0600), prints the key once, serves API and admin ports', async () => {
    const vars = { ...env.vars };
    delete vars['API_KEY'];
    const [backend, frontend] = [await freePort(), await freePort()];
    const ports = { ...vars, BACKEND_PORT: String(backend), FRONTEND_PORT: String(frontend), HOST: '127.0.0.1' };

    const first = startBuiltApi(ports);
    try {
      await waitForOk(`http://127.0.0.1:${backend}/health`);
      const printed = /Admin API key[^\n]*\n\s*\n\s*(\S+)/.exec(first.output())?.[1];
      expect(printed).toMatch(/^mcp_/);
      expect(statSync(join(vars['DATA_DIR'], 'secrets.json')).mode & 0o777).toBe(0o600);

      const unauthorized = await fetch(`http://127.0.0.1:${backend}/api/services`);
      expect(unauthorized.status).toBe(401);
      const authorized = await fetch(`http://127.0.0.1:${backend}/api/services`, { headers: { 'X-API-Key': printed as string } });
      expect(authorized.status).toBe(200);
      // The admin port is the same app: its API answers there too, same origin for the UI.
      const viaAdminPort = await fetch(`http://127.0.0.1:${frontend}/health`);
      expect(viaAdminPort.status).toBe(200);
      expect(first.output()).not.toMatch(/"level":"(info|warn|error)".*mcp_[A-Za-z0-9_-]{20,}/);
    } finally {
      await first.stop();
    }

    const second = startBuiltApi(ports);
    try {
      await waitForOk(`http://127.0.0.1:${backend}/health`);
      expect(second.output()).not.toContain('Admin API key');
    } finally {
      await second.stop();
    }
    // Two full starts (migrations, the sandbox probe) on a shared, loaded machine.
  }, 60_000);
});
