import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Both listeners (API port and admin port) hand WebSocket upgrades here, and each feature
 * registers the path it serves (`/ws` live data, `/mcp/ws` MCP). Unknown paths get a 404.
 */
@Injectable()
export class UpgradeRouter {
  private readonly handlers = new Map<string, UpgradeHandler>();
  private readonly prefixes: { prefix: string; handler: UpgradeHandler }[] = [];

  register(path: string, handler: UpgradeHandler): void {
    if (this.handlers.has(path)) throw new Error(`An upgrade handler for ${path} already exists`);
    this.handlers.set(path, handler);
  }

  /** Upgrades anywhere under a prefix (WebSockets of reverse-proxied services); exact paths win. */
  registerPrefix(prefix: string, handler: UpgradeHandler): void {
    this.prefixes.push({ prefix, handler });
  }

  handle(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (request.url ?? '/').split('?')[0];
    const handler = this.handlers.get(path) ?? this.prefixes.find((entry) => path.startsWith(entry.prefix))?.handler;
    if (handler) return handler(request, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  }
}
