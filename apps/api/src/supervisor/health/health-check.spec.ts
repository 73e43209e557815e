import { JsonRpcPeer } from '@mcp-proxy/mcp/protocol';
import { createServer, Server } from 'node:net';
import { HealthCheck, pingProbe, tcpProbe } from './health-check';

describe('HealthCheck', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  async function tick(ms: number): Promise<void> {
    await jest.advanceTimersByTimeAsync(ms);
  }

  it('reports once after N unanswered probes in a row, and stops probing', async () => {
    const answers = [false, true, false, false, false, false];
    const probe = jest.fn(async () => answers.shift() ?? false);
    const onUnresponsive = jest.fn();
    new HealthCheck({ intervalMs: 1000, failuresBeforeAction: 3, probe, onUnresponsive }).start();

    await tick(4000); // fail, ok (resets), fail, fail
    expect(onUnresponsive).not.toHaveBeenCalled();
    await tick(1000); // third failure in a row
    expect(onUnresponsive).toHaveBeenCalledWith(3);
    await tick(10_000);
    expect(probe).toHaveBeenCalledTimes(5);
    expect(onUnresponsive).toHaveBeenCalledTimes(1);
  });

  it('never runs two probes at once: the next waits for the previous answer', async () => {
    let inFlight = 0;
    let most = 0;
    const probe = async (): Promise<boolean> => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      inFlight--;
      return true;
    };
    const check = new HealthCheck({ intervalMs: 1000, failuresBeforeAction: 3, probe, onUnresponsive: jest.fn() });
    check.start();
    await tick(10_000);
    check.stop();
    expect(most).toBe(1);
  });

  it('counts a probe that throws as unanswered, and does nothing once stopped', async () => {
    const onUnresponsive = jest.fn();
    const check = new HealthCheck({
      intervalMs: 100,
      failuresBeforeAction: 1,
      probe: () => Promise.reject(new Error('x')),
      onUnresponsive,
    });
    check.start();
    check.stop();
    await tick(1000);
    expect(onUnresponsive).not.toHaveBeenCalled();
  });
});

describe('pingProbe', () => {
  it.each([
    ['a result', { jsonrpc: '2.0', id: 1, result: {} }, true],
    [
      'an error reply (the server is alive, just does not know ping)',
      { jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'no' } },
      true,
    ],
  ])('counts %s as answered', async (_title, reply, expected) => {
    const peer: JsonRpcPeer = new JsonRpcPeer({ send: () => (setImmediate(() => peer.receiveMessage(reply as never)), true) });
    await expect(pingProbe(peer, 1000)()).resolves.toBe(expected);
  });

  it('counts silence past the time-out as unanswered', async () => {
    const peer = new JsonRpcPeer({ send: () => true });
    await expect(pingProbe(peer, 20)()).resolves.toBe(false);
  });
});

describe('tcpProbe', () => {
  let server: Server;
  afterEach(() => server?.close());

  it('answers true when the port accepts a connection and false when nothing listens', async () => {
    server = createServer((socket) => socket.destroy());
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    );
    await expect(tcpProbe(port, 1000)()).resolves.toBe(true);
    await new Promise((resolve) => server.close(resolve));
    await expect(tcpProbe(port, 1000)()).resolves.toBe(false);
  });
});
