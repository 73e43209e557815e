import { connect } from 'node:net';
import { EVERYTHING_SERVER } from './support/mcp-clients';
import { registerService, RunningApp, startApp } from './support/running-app';

/**
 * Oversized request bodies, sent the way ordinary clients send them: every one gets its 413 (never a
 * reset connection while the client is still sending), the server stays responsive, and a client
 * that never stops sending is cut off after a bound.
 */
const BIG = Buffer.alloc(20 * 1024 * 1024, 'x');

describe('Oversized request bodies', () => {
  let running: RunningApp;
  const key = (): Record<string, string> => ({
    authorization: `Bearer ${running.env.apiKey}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  });

  /** Sent in 1 MiB pieces without a length (chunked), so the limit is found while the client is sending. */
  function streamed(): ReadableStream<Uint8Array> {
    let offset = 0;
    return new ReadableStream({
      pull(controller) {
        if (offset >= BIG.length) return controller.close();
        controller.enqueue(BIG.subarray(offset, offset + 1024 * 1024));
        offset += 1024 * 1024;
      },
    });
  }

  /** 30 POSTs in a row with Node's fetch: each one's status, or the network error's code. */
  async function postMany(path: string, chunked: boolean): Promise<Array<number | string>> {
    const outcomes: Array<number | string> = [];
    for (let i = 0; i < 30; i++) {
      try {
        // `duplex` is required by Node's fetch for a streamed body (not yet in the DOM typings).
        const init = {
          method: 'POST',
          headers: key(),
          body: chunked ? streamed() : BIG,
          duplex: 'half',
        } as RequestInit;
        const response = await fetch(`${running.baseUrl}${path}`, init);
        await response.arrayBuffer();
        outcomes.push(response.status);
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        outcomes.push(cause?.code ?? cause?.message ?? String(error));
      }
    }
    return outcomes;
  }

  async function stillResponsive(): Promise<void> {
    const response = await fetch(`${running.baseUrl}/api/services`, {
      headers: key(),
    });
    expect(response.status).toBe(200);
  }

  beforeAll(async () => {
    running = await startApp();
    await registerService(running, {
      name: 'everything',
      process: {
        command: process.execPath,
        args: [EVERYTHING_SERVER, 'stdio'],
      },
    });
  }, 60_000);

  afterAll(() => running?.close(), 30_000);

  it.each([
    ['/mcp/everything', false],
    ['/mcp/everything', true],
    ['/api/services', false],
  ])(
    '30 POSTs of 20 MB to %s (chunked: %s) all get 413',
    async (path, chunked) => {
      expect(await postMany(path, chunked)).toEqual(Array(30).fill(413));
      await stillResponsive();
    },
    240_000,
  );

  it.each(['/mcp/everything', '/api/services'])(
    'a client that never stops sending to %s gets its 413 and is cut off after a bound',
    async (path) => {
      const { port } = new URL(running.baseUrl);
      const socket = connect(Number(port), '127.0.0.1');
      let received = '';
      let sent = 0;
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.on('data', (data: Buffer) => (received += data.toString('latin1')));
      socket.on('error', () => undefined);
      socket.once('connect', () => {
        socket.write(
          `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${running.env.apiKey}\r\nContent-Type: application/json\r\nContent-Length: ${1024 ** 4}\r\n\r\n`,
        );
        const pump = (): void => {
          while (!socket.destroyed && socket.write(chunk)) sent += chunk.length;
          if (!socket.destroyed) socket.once('drain', pump);
        };
        pump();
      });
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          closed,
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`still connected after ${sent} bytes`)), 60_000);
          }),
        ]);
      } finally {
        clearTimeout(timer);
        socket.destroy();
      }
      expect(received).toMatch(/^HTTP\/1\.1 413/);
      expect(Date.now() - started).toBeLessThan(60_000);
      await stillResponsive();
    },
    90_000,
  );
});
