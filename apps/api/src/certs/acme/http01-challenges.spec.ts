import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Http01Challenges } from './http01-challenges';

describe('Http01Challenges', () => {
  const challenges = new Http01Challenges();
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((request, response) => challenges.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/acme-challenge`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('answers a pending token with its key authorization, as plain text, and forgets it once removed', async () => {
    challenges.add('tok_EN-1', 'tok_EN-1.thumbprint');
    const response = await fetch(`${base}/tok_EN-1`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(await response.text()).toBe('tok_EN-1.thumbprint');

    challenges.remove('tok_EN-1');
    expect((await fetch(`${base}/tok_EN-1`)).status).toBe(404);
  });

  it.each([
    ['GET', '/unknown', 404],
    ['GET', '/../../etc/passwd', 404],
    ['GET', '', 404],
    ['POST', '/tok', 405],
  ])('%s %s → %i', async (method, path, status) => {
    challenges.add('tok', 'tok.thumbprint');
    expect((await fetch(`${base}${path}`, { method })).status).toBe(status);
  });
});
