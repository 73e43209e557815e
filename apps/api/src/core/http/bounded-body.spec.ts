import { Agent, createServer, IncomingMessage, request as httpRequest, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BodyTooLargeError, readBody, readBodyPieces } from './bounded-body';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** A loopback server that reads each body with a 1 KiB limit and answers 200 with its size, or 413. */
describe('readBody', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer((request, response) => {
      readBody(request, 1024).then(
        (body) => response.end(String(body.length)),
        (error: unknown) => {
          response.statusCode = error instanceof BodyTooLargeError ? 413 : 500;
          response.end();
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  /** Sends the body in pieces without a length, on one kept-alive connection shared by the calls. */
  function post(agent: Agent, pieces: Buffer[]): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port, method: 'POST', agent }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      request.on('error', reject);
      for (const piece of pieces) request.write(piece);
      request.end();
    });
  }

  it('returns a body within the limit; refuses a larger one with 413 and keeps the connection usable', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await post(agent, [Buffer.alloc(600), Buffer.alloc(400)])).toEqual({ status: 200, body: '1000' });
      expect(
        (
          await post(
            agent,
            Array.from({ length: 64 }, () => Buffer.alloc(64 * 1024)),
          )
        ).status,
      ).toBe(413);
      expect(await post(agent, [Buffer.alloc(10)])).toEqual({
        status: 200,
        body: '10',
      });
    } finally {
      agent.destroy();
    }
  });
});

describe('readBodyPieces', () => {
  it('leaves nothing on the request that keeps the body once it is read (the request lives as long as its call)', async () => {
    let kept: IncomingMessage | null = null;
    let firstPiece: WeakRef<Buffer> | null = null;
    const server = createServer((request, response) => {
      kept = request;
      void readBodyPieces(request, 1024 * 1024).then((pieces) => {
        firstPiece = new WeakRef(pieces[0]);
        response.end(String(pieces.length));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: Buffer.alloc(256 * 1024, 'x') });
      expect(Number(await answer.text())).toBeGreaterThan(0);
      await new Promise(setImmediate);
      collectGarbage();
      expect(kept).not.toBeNull();
      expect((firstPiece as WeakRef<Buffer> | null)?.deref()).toBeUndefined();
      // A late error on the request (the client gone) finds a listener and does not throw.
      expect(() => (kept as IncomingMessage | null)?.emit('error', new Error('aborted'))).not.toThrow();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
