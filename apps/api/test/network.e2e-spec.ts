import type { CheckPortsView, NetworkStatusView } from '@mcp-proxy/shared/dto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createServer, Server } from 'node:http';
import { AddressInfo, connect, Socket } from 'node:net';
import request from 'supertest';
import { createApp } from '../src/app.factory';
import { freePort } from './support/built-app';
import { applyEnv, makeTestEnv, TestEnv } from './support/test-env';

/**
 * The network module without a gateway (UPnP off, so nothing is sent beyond loopback): address
 * detection and overrides, "what is my IP" endpoints, and port checks against a checker on loopback.
 * The UPnP side runs against a real miniupnpd in network-upnp.e2e-spec.ts.
 */

interface Stub {
  url: string;
  asked: string[];
  close: () => Promise<void>;
}

/**
 * "What is my IP" at /ip, and a checker at /check that really connects to host:port as an external one
 * would, for loopback hosts (any other host is answered "not reachable" without sending a packet).
 */
async function startInternetStub(publicIp: string): Promise<Stub> {
  const asked: string[] = [];
  const server: Server = createServer((incoming, response) => {
    const url = new URL(incoming.url ?? '/', 'http://stub');
    asked.push(url.pathname + url.search);
    if (url.pathname === '/ip') return void response.end(`${publicIp}\n`);
    if (url.pathname === '/broken') {
      response.statusCode = 500;
      return void response.end('checker down');
    }
    if (url.pathname !== '/check') {
      response.statusCode = 404;
      return void response.end();
    }
    const answer = (reachable: boolean, socket?: Socket): void => {
      socket?.destroy();
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ reachable }));
    };
    // Only loopback is really tried: a test must not send anything off this machine.
    const host = url.searchParams.get('h') ?? '';
    if (!host.startsWith('127.')) return answer(false);
    const socket = connect({ host, port: Number(url.searchParams.get('p')) });
    socket.setTimeout(1000, () => answer(false, socket));
    socket.once('connect', () => answer(true, socket));
    socket.once('error', () => answer(false, socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, asked, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

interface App {
  app: NestExpressApplication;
  env: TestEnv;
  backendPort: number;
  frontendPort: number;
  close: () => Promise<void>;
}

/** The real app, listening on BACKEND_PORT itself so "listening locally" can be seen. */
async function startOnOwnPort(vars: Record<string, string>): Promise<App> {
  const [backendPort, frontendPort, httpsPort] = [await freePort(), await freePort(), await freePort()];
  const env = makeTestEnv({
    BACKEND_PORT: String(backendPort),
    FRONTEND_PORT: String(frontendPort),
    HTTPS_PORT: String(httpsPort),
    HOST: '127.0.0.1',
    ...vars,
  });
  const restore = applyEnv(env.vars);
  const app = await createApp();
  await app.listen(backendPort, '127.0.0.1');
  return {
    app,
    env,
    backendPort,
    frontendPort,
    close: async () => {
      await app.close();
      restore();
      env.cleanup();
    },
  };
}

/** A loopback port nothing listens on: requests to it fail at once. */
async function deadUrl(path: string): Promise<string> {
  return `http://127.0.0.1:${await freePort()}${path}`;
}

describe('network status and port checks (UPnP off)', () => {
  let stub: Stub;
  beforeAll(async () => (stub = await startInternetStub('203.0.113.50')));
  afterAll(() => stub.close());

  const api = (target: App) => request(target.app.getHttpServer());
  const asAdmin = (target: App, call: request.Test) => call.set('X-API-Key', target.env.apiKey);

  describe('with detection', () => {
    let target: App;
    beforeAll(async () => {
      target = await startOnOwnPort({
        PUBLIC_IP_URLS: `${await deadUrl('/ip')},${stub.url}/ip`,
        PORT_CHECK_URLS: `${stub.url}/check?h={host}&p={port}`,
      });
    });
    afterAll(() => target.close());

    it('finds the private IP on the default route and the public IP from the first "what is my IP" endpoint that answers', async () => {
      const response = await asAdmin(target, api(target).get('/api/network/status')).expect(200);
      const status = response.body as NetworkStatusView;
      expect(status).toMatchObject({ publicIp: '203.0.113.50', publicIpSource: 'http', publicIpReason: null });
      expect(status.privateIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(['default-route', 'interface']).toContain(status.privateIpSource);
      expect(status.upnp).toMatchObject({ enabled: false, autoMap: false, state: 'disabled', gateway: null, mappings: [] });
      expect(status.ports.map(({ name, port, mapped, reachable }) => ({ name, port, mapped, reachable }))).toEqual([
        { name: 'api', port: target.backendPort, mapped: false, reachable: 'unknown' },
        { name: 'admin', port: target.frontendPort, mapped: false, reachable: 'unknown' },
        { name: 'https', port: expect.any(Number), mapped: false, reachable: 'unknown' },
      ]);

      // UPnP is off: the manual steps, one TCP rule per port to this machine.
      expect(status.portForwarding?.reason).toMatch(/UPnP is off \(ENABLE_UPNP=false\)/);
      expect(status.portForwarding?.rules).toEqual(
        status.ports.map((port) => ({
          name: expect.stringMatching(/^MCP Reverse Proxy /),
          externalPort: port.port,
          internalIp: status.privateIp,
          internalPort: port.port,
          protocol: 'TCP',
        })),
      );
      expect(status.portForwarding?.steps.join('\n')).toMatch(/port forwarding/i);

      // Looked up once, then cached.
      await asAdmin(target, api(target).get('/api/network/status')).expect(200);
      expect(stub.asked.filter((path) => path === '/ip')).toHaveLength(1);
    });

    it('checks each port: listening here, not mapped, open or closed as the checker sees it', async () => {
      const response = await asAdmin(target, api(target).post('/api/network/check-ports').send({})).expect(200);
      const check = response.body as CheckPortsView;
      expect(check.publicIp).toBe('203.0.113.50');
      // The stub checker finds 203.0.113.50 (TEST-NET-3) closed, and the proxy adds the likeliest cause.
      expect(check.ports.map((port) => port.reachable)).toEqual(['closed', 'closed', 'closed']);
      expect(check.ports[0]).toMatchObject({ port: target.backendPort, name: 'api', listening: true, mapped: false });
      expect(check.ports[0].detail).toMatch(/could not connect to 203\.0\.113\.50:\d+: forward it on the router/);
      expect(check.ports[1]).toMatchObject({ port: target.frontendPort, listening: false });
      expect(check.ports[1].detail).toMatch(/nothing listens on it here/);
      expect(check.portForwarding?.reason).toMatch(/UPnP is off/);
    }, 15_000);

    it('refuses map and unmap while UPnP is off, and bad bodies with a 400 naming the field', async () => {
      const map = await asAdmin(target, api(target).post('/api/network/upnp/map').send({})).expect(409);
      expect(map.body.message).toMatch(/UPnP is off: set ENABLE_UPNP=true/);
      await asAdmin(
        target,
        api(target)
          .post('/api/network/upnp/unmap')
          .send({ ports: [target.backendPort] }),
      ).expect(409);
      const bad = await asAdmin(
        target,
        api(target)
          .post('/api/network/check-ports')
          .send({ ports: [0, 'x'] }),
      ).expect(400);
      expect(bad.body.message.join(' ')).toMatch(/ports/);
      await api(target).get('/api/network/status').expect(401);
    });
  });

  describe('with a checker on loopback (PUBLIC_IP=127.0.0.1)', () => {
    let target: App;
    beforeAll(async () => {
      target = await startOnOwnPort({
        PUBLIC_IP: '127.0.0.1',
        PRIVATE_IP: '192.168.50.10',
        PUBLIC_IP_URLS: `${stub.url}/ip`,
        PORT_CHECK_URLS: `${await deadUrl('/check')},${stub.url}/check?h={host}&p={port}`,
      });
    });
    afterAll(() => target.close());

    it('takes PUBLIC_IP and PRIVATE_IP as given, without asking anyone', async () => {
      const asked = stub.asked.length;
      const response = await asAdmin(target, api(target).get('/api/network/status')).expect(200);
      expect(response.body).toMatchObject({
        publicIp: '127.0.0.1',
        publicIpSource: 'override',
        privateIp: '192.168.50.10',
        privateIpSource: 'override',
      });
      expect(stub.asked.length).toBe(asked);
    });

    it('reports open for a listening port and closed for one that is not, from the first checker that answers', async () => {
      const response = await asAdmin(
        target,
        api(target)
          .post('/api/network/check-ports')
          .send({ ports: [target.backendPort, target.frontendPort] }),
      ).expect(200);
      const check = response.body as CheckPortsView;
      expect(check.checker).toBe(stub.url);
      expect(check.ports).toEqual([
        {
          port: target.backendPort,
          name: 'api',
          protocol: 'TCP',
          listening: true,
          mapped: false,
          reachable: 'open',
          detail: `${stub.url} connected to 127.0.0.1:${target.backendPort}`,
        },
        expect.objectContaining({ port: target.frontendPort, name: 'admin', listening: false, reachable: 'closed' }),
      ]);
      const status = (await asAdmin(target, api(target).get('/api/network/status')).expect(200)).body as NetworkStatusView;
      expect(status.ports.slice(0, 2).map((port) => port.reachable)).toEqual(['open', 'closed']);
      expect(status.ports[0].checkedAt).toBe(check.checkedAt);
    });
  });

  describe('when no checker can answer', () => {
    let target: App;
    beforeAll(async () => {
      target = await startOnOwnPort({ PUBLIC_IP: '198.51.100.9', PORT_CHECK_URLS: `${await deadUrl('/check')},${stub.url}/broken` });
    });
    afterAll(() => target.close());

    it('says unknown, not closed, with what each checker did', async () => {
      const response = await asAdmin(
        target,
        api(target)
          .post('/api/network/check-ports')
          .send({ ports: [target.backendPort] }),
      ).expect(200);
      const [port] = (response.body as CheckPortsView).ports;
      expect(port).toMatchObject({ listening: true, reachable: 'unknown' });
      expect(port.detail).toMatch(
        /^no external checker answered \(http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED; http:\/\/127\.0\.0\.1:\d+: HTTP 500\)$/,
      );
      expect((response.body as CheckPortsView).checker).toBeNull();
    });
  });

  describe('with no checker configured', () => {
    let target: App;
    beforeAll(async () => (target = await startOnOwnPort({ PUBLIC_IP: '198.51.100.9' })));
    afterAll(() => target.close());

    it('says unknown and names the setting', async () => {
      const response = await asAdmin(target, api(target).post('/api/network/check-ports').send({})).expect(200);
      for (const port of (response.body as CheckPortsView).ports) {
        expect(port).toMatchObject({ reachable: 'unknown', detail: 'no external checker is configured (PORT_CHECK_URLS)' });
      }
    });
  });
});
