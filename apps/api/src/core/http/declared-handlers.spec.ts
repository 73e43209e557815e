import { Injectable, Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { AppConfig } from '../config/app-config';
import { DeclaredHandlers } from './declared-handlers';
import { DrainsOnShutdown, GracefulShutdown } from './graceful-shutdown';
import { RawRoute, RawRoutes } from './raw-routes';
import { UpgradeRoute, UpgradeRouter } from './upgrade-router';

@Injectable()
class McpLike {
  @RawRoute('/mcp')
  handle(_request: IncomingMessage, response: ServerResponse): void {
    response.end('mcp');
  }

  @UpgradeRoute({ prefix: '/mcp/' })
  upgrade(_request: IncomingMessage, socket: Duplex): void {
    socket.end('mcp prefix');
  }
}

@Injectable()
class AcmeLike {
  @RawRoute('/.well-known/acme-challenge', { when: (config) => config.get('SSL_ENABLED') })
  handle(_request: IncomingMessage, response: ServerResponse): void {
    response.end('acme');
  }
}

@Injectable()
class ExactUpgrade {
  @UpgradeRoute({ path: '/mcp/exact' })
  upgrade(_request: IncomingMessage, socket: Duplex): void {
    socket.end('exact');
  }
}

@Injectable()
class Shadowing {
  @RawRoute('/mcp/inner')
  handle(_request: IncomingMessage, response: ServerResponse): void {
    response.end('inner');
  }
}

@Injectable()
@DrainsOnShutdown()
class Draining {
  readonly name = 'test';
  drained = 0;

  async drain(): Promise<void> {
    this.drained++;
  }
}

async function platform(providers: Type[], sslEnabled = false) {
  const config = { get: (key: string) => (key === 'SSL_ENABLED' ? sslEnabled : undefined) };
  const module = await Test.createTestingModule({
    imports: [DiscoveryModule],
    providers: [DeclaredHandlers, RawRoutes, UpgradeRouter, GracefulShutdown, { provide: AppConfig, useValue: config }, ...providers],
  }).compile();
  await module.init();
  return module;
}

/** What a listener with the raw lanes installed answers at `path` (the app itself answers `app`). */
async function answerAt(routes: RawRoutes, path: string): Promise<string> {
  const app = (_request: IncomingMessage, response: ServerResponse): void => void response.end('app');
  const server: Server = createServer(app);
  routes.install(server, app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`)).text();
  } finally {
    server.close();
  }
}

function upgradeAnswer(router: UpgradeRouter, url: string): string {
  let written = '';
  const socket = { end: (text: string) => (written = text) } as unknown as Duplex;
  router.handle({ url } as IncomingMessage, socket, Buffer.alloc(0));
  return written;
}

describe('handlers declared with @RawRoute, @UpgradeRoute and @DrainsOnShutdown', () => {
  it.each([
    ['/mcp', 'mcp'],
    ['/mcp/everything', 'mcp'],
    ['/mcp?x=1', 'mcp'],
    ['/mcpx', 'app'],
    ['/api/services', 'app'],
    ['/.well-known/acme-challenge/token', 'app'],
  ])('a raw lane takes %s only at or under its prefix (answer: %s)', async (path, answer) => {
    const module = await platform([McpLike, AcmeLike]);
    expect(await answerAt(module.get(RawRoutes), path)).toBe(answer);
    await module.close();
  });

  it('opens a lane with a condition only when the configuration says so (ACME with SSL_ENABLED)', async () => {
    const module = await platform([McpLike, AcmeLike], true);
    expect(await answerAt(module.get(RawRoutes), '/.well-known/acme-challenge/token')).toBe('acme');
    await module.close();
  });

  it('refuses at start-up a lane that would take part of another', async () => {
    await expect(platform([McpLike, Shadowing])).rejects.toThrow("@RawRoute('/mcp/inner') on Shadowing.handle overlaps the lane '/mcp'");
  });

  it('hands an upgrade to the exact path first, then to a prefix, and answers 404 elsewhere', async () => {
    const module = await platform([McpLike, ExactUpgrade]);
    const router = module.get(UpgradeRouter);
    expect(upgradeAnswer(router, '/mcp/exact?token=1')).toBe('exact');
    expect(upgradeAnswer(router, '/mcp/ws')).toBe('mcp prefix');
    expect(upgradeAnswer(router, '/ws')).toMatch(/^HTTP\/1\.1 404 Not Found/);
    await module.close();
  });

  it('waits for every provider marked @DrainsOnShutdown in a graceful stop', async () => {
    const module = await platform([Draining]);
    await module.get(GracefulShutdown).drain(1000);
    expect(module.get(Draining).drained).toBe(1);
    await module.close();
  });
});
