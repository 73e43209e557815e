import type { HealthView } from '@mcp-proxy/shared/dto';
import { EVERYTHING_SERVER } from './support/mcp-clients';
import { eventually, registerService, RunningApp, startApp, waitForStatus } from './support/running-app';

const PASSWORD = 'correct horse battery';
const MINE = 'mine-svc';
/** Distinctive, so any trace of it in a body is a leak and not a coincidence. */
const CRASHING = 'zeta-crashing-svc';
/** What the crashing server prints before it dies: log output, which /health must never repeat. */
const STDERR_MARK = 'stderr-tail-7f3a';

// Sign-ins run scrypt: slow on a loaded machine.
jest.setTimeout(90_000);

/**
 * `/health` tells the truth: a service wanted running that crashed makes the gateway `degraded`, with the
 * reason for those allowed to see it (counts only for anonymous callers, own services only for a limited
 * user); stopping the service makes it `ok` again. `/health/ready` answers 200 while the app serves.
 */
describe('/health with a crashing service', () => {
  let running: RunningApp;
  let limitedToken = '';
  let scopedToCrashingToken = '';
  let crashingId = '';

  const health = async (credential?: [string, string]): Promise<{ body: HealthView; text: string }> => {
    const call = running.api().get('/health');
    const response = await (credential ? call.set(...credential) : call).expect(200);
    return { body: response.body as HealthView, text: response.text };
  };
  const asAdmin = (): [string, string] => ['X-API-Key', running.env.apiKey];
  const bearer = (token: string): [string, string] => ['Authorization', `Bearer ${token}`];

  async function login(username: string, services: string[]): Promise<string> {
    await running
      .api()
      .post('/api/users')
      .set(...asAdmin())
      .send({ username, password: PASSWORD, role: 'viewer', services })
      .expect(201);
    const response = await running.api().post('/api/auth/login').send({ username, password: PASSWORD }).expect(201);
    return (response.body as { token: string }).token;
  }

  beforeAll(async () => {
    running = await startApp({ PROCESS_STOP_GRACE_SEC: '2' });
    await registerService(running, {
      name: MINE,
      process: {
        command: process.execPath,
        args: [EVERYTHING_SERVER, 'stdio'],
      },
    });
    // Registered stopped: the first check sees every wanted service running.
    await registerService(running, {
      name: CRASHING,
      process: {
        command: process.execPath,
        args: ['-e', `console.error('${STDERR_MARK}'); process.exit(3)`],
        maxRestarts: 1,
      },
      start: false,
    });
    limitedToken = await login('lim-viewer', [MINE]);
    scopedToCrashingToken = await login('crash-viewer', [CRASHING]);
  }, 90_000);

  afterAll(async () => running?.close(), 30_000);

  it('is ok with every wanted service running, and ready', async () => {
    const anonymous = await health();
    expect(anonymous.body).toMatchObject({
      status: 'ok',
      problemCounts: { service: 0, certificate: 0, upnp: 0, deploy: 0 },
      services: { running: 1, total: 2 },
    });
    expect(anonymous.body.problems).toBeUndefined();
    expect((await health(asAdmin())).body).toMatchObject({
      status: 'ok',
      problems: [],
    });
    const ready = await running.api().get('/health/ready').expect(200);
    expect(ready.body).toEqual({ ready: true, state: 'ready' });
  });

  it('is degraded while a wanted service is crashed: the reason for the admin, counts for anonymous, nothing of it for a user limited to other services', async () => {
    await running
      .api()
      .post(`/api/services/${CRASHING}/start`)
      .set(...asAdmin());
    await waitForStatus(running, CRASHING, 'crashed', 30_000);
    crashingId = String(
      (
        await running
          .api()
          .get(`/api/services/${CRASHING}`)
          .set(...asAdmin())
          .expect(200)
      ).body.id,
    );

    const admin = await health(asAdmin());
    expect(admin.body.status).toBe('degraded');
    expect(admin.body.problemCounts).toEqual({
      service: 1,
      certificate: 0,
      upnp: 0,
      deploy: 0,
    });
    expect(admin.body.problems).toEqual([
      {
        kind: 'service',
        name: CRASHING,
        status: 'crashed',
        reason: expect.stringContaining('exited with code 3'),
      },
    ]);
    expect(admin.body.problems?.[0]?.reason).toContain('gave up after 1 restart');
    expect(admin.text).not.toContain(STDERR_MARK);

    const anonymous = await health();
    expect(anonymous.body).toMatchObject({
      status: 'degraded',
      problemCounts: { service: 1 },
    });
    expect(anonymous.body.problems).toBeUndefined();
    expect(anonymous.text).not.toContain(CRASHING);
    expect(anonymous.text).not.toContain(crashingId);

    // A wrong credential is answered as anonymous, not refused: /health stays 200 for a load balancer with a stale key.
    const wrong = await health(['X-API-Key', 'not-the-key-but-long-enough-0123456789abcdef']);
    expect(wrong.body.problems).toBeUndefined();

    const limited = await health(bearer(limitedToken));
    expect(limited.body).toMatchObject({
      status: 'degraded',
      problemCounts: { service: 1 },
      problems: [],
    });
    expect(limited.text).not.toContain(CRASHING);
    expect(limited.text).not.toContain(crashingId);

    const scoped = await health(bearer(scopedToCrashingToken));
    expect(scoped.body.problems).toEqual([
      expect.objectContaining({
        kind: 'service',
        name: CRASHING,
        status: 'crashed',
      }),
    ]);
  });

  it('is ok again once the crashed service is stopped', async () => {
    await running
      .api()
      .post(`/api/services/${CRASHING}/stop`)
      .set(...asAdmin())
      .expect(200);
    const after = await eventually(async () => {
      const current = await health(asAdmin());
      if (current.body.status !== 'ok') throw new Error(JSON.stringify(current.body.problems));
      return current.body;
    });
    expect(after).toMatchObject({
      status: 'ok',
      problemCounts: { service: 0 },
      problems: [],
    });
  });
});
