import { Injectable } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export type RawRequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Lanes that bypass Express and Nest entirely (the MCP data plane): a request whose path starts
 * with a registered prefix goes straight to its handler; everything else goes to the app.
 */
@Injectable()
export class RawRoutes {
  private readonly lanes: { prefix: string; handler: RawRequestHandler }[] = [];

  register(prefix: string, handler: RawRequestHandler): void {
    this.lanes.push({ prefix, handler });
  }

  /** Puts the lanes in front of the server's existing request listener (the Express app). */
  install(server: Server, app: RawRequestHandler): void {
    server.removeListener('request', app);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const url = request.url ?? '/';
      for (const lane of this.lanes) {
        if (url.startsWith(lane.prefix) && (url.length === lane.prefix.length || '/?'.includes(url[lane.prefix.length]))) {
          return lane.handler(request, response);
        }
      }
      app(request, response);
    });
  }
}
