import { Injectable, OnModuleInit } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { DeclaredHandlers } from './declared-handlers';

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** One exact path (`/ws`), or every path under a prefix (`/mcp/`: WebSockets of reverse-proxied services too). */
export type UpgradeRouteDeclaration = { path: string } | { prefix: string };

const UPGRADE_ROUTE = Symbol('upgrade-route');

/**
 * Hands WebSocket upgrades of `route` to the decorated method, on every listener (API, admin and HTTPS
 * ports). Like a raw route, no Nest guard runs: the handler authenticates the upgrade itself.
 */
export function UpgradeRoute(route: UpgradeRouteDeclaration) {
  return (_target: object, _method: string | symbol, descriptor: { value?: UpgradeHandler }): void => {
    if (descriptor.value) Reflect.defineMetadata(UPGRADE_ROUTE, route, descriptor.value);
  };
}

/**
 * Both listeners (API port and admin port) hand WebSocket upgrades here; each feature declares the path
 * it serves with `@UpgradeRoute` (`/ws` live data, `/mcp/…` MCP), collected once at start-up. Exact
 * paths win over prefixes; unknown paths get a 404.
 */
@Injectable()
export class UpgradeRouter implements OnModuleInit {
  private readonly handlers = new Map<string, UpgradeHandler>();
  private readonly prefixes: { prefix: string; handler: UpgradeHandler }[] = [];

  constructor(private readonly declared: DeclaredHandlers) {}

  onModuleInit(): void {
    for (const { declaration, owner, call } of this.declared.methods<UpgradeRouteDeclaration, UpgradeHandler>(UPGRADE_ROUTE)) {
      if ('path' in declaration) this.addPath(declaration.path, call, owner);
      else this.addPrefix(declaration.prefix, call, owner);
    }
  }

  handle(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (request.url ?? '/').split('?')[0];
    const handler = this.handlers.get(path) ?? this.prefixes.find((entry) => path.startsWith(entry.prefix))?.handler;
    if (handler) return handler(request, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  }

  private addPath(path: string, handler: UpgradeHandler, owner: string): void {
    if (this.handlers.has(path)) throw new Error(`@UpgradeRoute({ path: '${path}' }) on ${owner}: that path has a handler already`);
    this.handlers.set(path, handler);
  }

  /** No prefix may lie under another, so the order they are found in never decides who answers. */
  private addPrefix(prefix: string, handler: UpgradeHandler, owner: string): void {
    const clash = this.prefixes.find((entry) => entry.prefix.startsWith(prefix) || prefix.startsWith(entry.prefix));
    if (clash) throw new Error(`@UpgradeRoute({ prefix: '${prefix}' }) on ${owner} overlaps the prefix '${clash.prefix}'`);
    this.prefixes.push({ prefix, handler });
  }
}
