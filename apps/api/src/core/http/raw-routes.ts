import { Injectable, OnModuleInit } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { AppConfig } from '../config/app-config';
import { DeclaredHandlers } from './declared-handlers';

export type RawRequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

export interface RawRouteOptions {
  /** Whether the lane exists in this configuration (read once at start-up); without it the path is the app's like any other. */
  when?: (config: AppConfig) => boolean;
}

interface RawRouteDeclaration extends Required<RawRouteOptions> {
  prefixes: readonly string[];
}

const RAW_ROUTE = Symbol('raw-route');

/**
 * Serves every request whose path is one of `prefixes` or lies under it (`/mcp`, `/mcp/…`, `/mcp?…`) with the
 * decorated method, in front of Express: no Nest guard, pipe, interceptor or body parser runs. The handler
 * does its own checks.
 */
export function RawRoute(prefixes: string | readonly string[], options: RawRouteOptions = {}) {
  const declaration: RawRouteDeclaration = {
    prefixes: typeof prefixes === 'string' ? [prefixes] : prefixes,
    when: options.when ?? (() => true),
  };
  return (_target: object, _method: string | symbol, descriptor: { value?: RawRequestHandler }): void => {
    if (descriptor.value) Reflect.defineMetadata(RAW_ROUTE, declaration, descriptor.value);
  };
}

/** Whether a lane for `prefix` takes a request for `url`. */
function laneTakes(prefix: string, url: string): boolean {
  return url.startsWith(prefix) && (url.length === prefix.length || '/?'.includes(url[prefix.length]));
}

/**
 * Lanes that bypass Express and Nest entirely (the MCP data plane, OAuth's public endpoints, ACME HTTP-01):
 * a request whose path starts with a lane's prefix goes straight to its handler; everything else goes to
 * the app. The lanes are what providers declare with `@RawRoute`, collected once at start-up. No lane may
 * take another's prefix, so the order they are found in never decides who answers.
 */
@Injectable()
export class RawRoutes implements OnModuleInit {
  private readonly lanes: { prefix: string; handler: RawRequestHandler }[] = [];

  constructor(
    private readonly declared: DeclaredHandlers,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    for (const { declaration, owner, call } of this.declared.methods<RawRouteDeclaration, RawRequestHandler>(RAW_ROUTE)) {
      if (declaration.when(this.config)) for (const prefix of declaration.prefixes) this.add(prefix, call, owner);
    }
  }

  /** Puts the lanes in front of the server's existing request listener (the Express app). */
  install(server: Server, app: RawRequestHandler): void {
    server.removeListener('request', app);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const url = request.url ?? '/';
      for (const lane of this.lanes) if (laneTakes(lane.prefix, url)) return lane.handler(request, response);
      app(request, response);
    });
  }

  private add(prefix: string, handler: RawRequestHandler, owner: string): void {
    const clash = this.lanes.find((lane) => laneTakes(lane.prefix, prefix) || laneTakes(prefix, lane.prefix));
    if (clash) throw new Error(`@RawRoute('${prefix}') on ${owner} overlaps the lane '${clash.prefix}'`);
    this.lanes.push({ prefix, handler });
  }
}
