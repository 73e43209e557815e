import { connectClient, EVERYTHING_SERVER, textOf } from './support/mcp-clients';
import { registerService, RunningApp, startApp } from './support/running-app';

/**
 * A normal start logs no error: server-everything asks for the client's roots right after initialize, when
 * the proxy itself is its client and no remote client caused the request; the proxy answers what it declared
 * (it shares no roots) instead of refusing.
 */
describe('a shared server started by the proxy', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp();
    await registerService(running, {
      name: 'everything',
      process: { command: process.execPath, args: [EVERYTHING_SERVER] },
    });
  }, 60_000);

  afterAll(async () => running?.close(), 30_000);

  it('gets an empty roots list from the proxy, so its log holds no error about roots', async () => {
    const client = await connectClient(running.baseUrl, 'everything', running.env.apiKey, 'streamable');
    try {
      // The server kept the proxy's answer from its start-up request; the tool shows it without asking again.
      const roots = textOf(await client.callTool({ name: 'get-roots-list', arguments: {} }));
      expect(roots).toMatch(/no roots|0 root/i);
    } finally {
      await client.close();
    }
    const logs = await running.api().get('/api/services/everything/logs?tail=500').set('X-API-Key', running.env.apiKey).expect(200);
    const text = (logs.body.lines as { text: string }[]).map((line) => line.text).join('\n');
    expect(text).not.toMatch(/Failed to request roots/);
  }, 60_000);
});
