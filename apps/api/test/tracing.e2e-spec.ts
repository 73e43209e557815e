import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { randomBytes } from 'node:crypto';
import { freePort } from './support/built-app';
import { EVERYTHING_SERVER, textOf } from './support/mcp-clients';
import { OtlpCollector, ReceivedSpan, startOtlpCollector } from './support/otlp-collector';
import { RecordingFront, RemoteEverything, startRecordingFront, startRemoteEverything } from './support/remote-mcp';
import { eventually, registerService, RunningApp, startApp } from './support/running-app';

const SERVER = 2;
const CLIENT = 3;
const STATUS_ERROR = 2;

/** Tracing: a span per MCP call, exported over OTLP/HTTP to a collector, continuing the client's trace. */
describe('OpenTelemetry tracing of MCP calls', () => {
  // Spans are exported in batches and the servers are real: allow for a busy machine.
  let running: RunningApp;
  let collector: OtlpCollector;
  let remote: RemoteEverything;
  let front: RecordingFront;
  let mcp: Client;
  const clientTraceId = randomBytes(16).toString('hex');
  const clientSpanId = randomBytes(8).toString('hex');

  async function connect(service: string): Promise<Client> {
    const client = new Client({ name: 'traced-client', version: '1.0.0' });
    const headers = { Authorization: `Bearer ${running.env.apiKey}`, traceparent: `00-${clientTraceId}-${clientSpanId}-01` };
    await client.connect(new StreamableHTTPClientTransport(new URL(`${running.baseUrl}/mcp/${service}`), { requestInit: { headers } }));
    return client;
  }

  const spanNamed = (name: string, kind: number, service: string): Promise<ReceivedSpan> =>
    eventually(async () => {
      const span = collector.spans.find(
        (each) => each.name === name && each.kind === kind && each.attributes['mcp.service.name'] === service,
      );
      if (!span) throw new Error(`no ${name} span of ${service} yet (have ${collector.spans.map((each) => each.name).join(', ')})`);
      return span;
    }, 10_000);

  beforeAll(async () => {
    collector = await startOtlpCollector();
    remote = await startRemoteEverything('streamableHttp', await freePort());
    front = await startRecordingFront(remote.port);
    running = await startApp({
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_SERVICE_NAME: 'proxy-under-test',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });
    await registerService(running, { name: 'local', process: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] } });
    await registerService(running, { name: 'far', transport: 'remote', remote: { url: `${front.url}/mcp` } });
    mcp = await connect('local');
  }, 60_000);

  afterAll(async () => {
    await mcp?.close().catch(() => undefined);
    await running?.close();
    await Promise.allSettled([collector?.close(), remote?.stop(), front?.close()]);
  }, 30_000);

  it('exports a server span per call with method, service, tool, id and outcome, continuing the client trace, with the upstream leg as its child', async () => {
    await mcp.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 2 } });
    const server = await spanNamed('tools/call trigger-long-running-operation', SERVER, 'local');
    const leg = await spanNamed('tools/call trigger-long-running-operation upstream', CLIENT, 'local');

    expect(collector.contentTypes.every((type) => type.startsWith('application/json'))).toBe(true);
    expect(server.resource['service.name']).toBe('proxy-under-test');
    expect(server.traceId).toBe(clientTraceId);
    expect(server.parentSpanId).toBe(clientSpanId);
    expect(server.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'trigger-long-running-operation',
      'mcp.service.name': 'local',
      'mcp.transport': 'streamable-http',
      'mcp.outcome': 'ok',
    });
    expect(server.attributes['jsonrpc.request.id']).toMatch(/^\d+$/);
    expect(leg.traceId).toBe(clientTraceId);
    expect(leg.parentSpanId).toBe(server.spanId);
    expect(leg.attributes['mcp.upstream.kind']).toBe('stdio');
    // The operation takes 300 ms in the server: both spans cover it, the leg inside the call.
    const serverMs = Number(server.endNs - server.startNs) / 1e6;
    const legMs = Number(leg.endNs - leg.startNs) / 1e6;
    expect(legMs).toBeGreaterThanOrEqual(290);
    expect(serverMs).toBeGreaterThanOrEqual(legMs);
    expect(serverMs).toBeLessThan(5000);
  });

  it('marks a call answered with a JSON-RPC error as failed, with its code', async () => {
    await expect(mcp.getPrompt({ name: 'no-such-prompt' })).rejects.toThrow();
    const span = await spanNamed('prompts/get', SERVER, 'local');
    expect(span.attributes['mcp.outcome']).toBe('error');
    expect(typeof span.attributes['rpc.jsonrpc.error_code']).toBe('number');
    expect(span.status.code).toBe(STATUS_ERROR);
  });

  it('sends the upstream leg as traceparent to a remote upstream, so its spans join the trace', async () => {
    const far = await connect('far');
    try {
      expect(textOf(await far.callTool({ name: 'echo', arguments: { message: 'traced' } }))).toBe('Echo: traced');
      const leg = await spanNamed('tools/call echo upstream', CLIENT, 'far');
      expect(leg.attributes['mcp.upstream.kind']).toBe('remote');
      const propagated = front.seen.map((seen) => seen.headers['traceparent']).filter(Boolean);
      expect(propagated).toContain(`00-${clientTraceId}-${leg.spanId}-01`);
    } finally {
      await far.close();
    }
  });
});
