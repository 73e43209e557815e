import { Module, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../core/config/app-config.service';
import { RawRoutes } from '../core/http/raw-routes';
import { UpgradeRouter } from '../core/http/upgrade-router';
import { ProcessesModule } from '../processes/processes.module';
import { RATE_LIMIT_REDIS, RateLimiter } from './limits/rate-limiter';
import { McpDispatcher } from './mcp-dispatcher';
import { McpHttpHandler } from './mcp-http.handler';
import { RouteTable } from './routing/route-table';
import { SessionStore } from './sessions/session-store';
import { LegacySseTransport } from './transports/legacy-sse.transport';
import { StreamableHttpTransport } from './transports/streamable-http.transport';
import { WebSocketTransport } from './transports/websocket.transport';
import { UpstreamRegistry } from './upstream/upstream-registry';

/** The MCP data plane: plain Node request handling in front of Express, fed by the supervisor. */
@Module({
  imports: [ProcessesModule],
  providers: [
    RouteTable,
    SessionStore,
    UpstreamRegistry,
    McpDispatcher,
    RateLimiter,
    {
      provide: RATE_LIMIT_REDIS,
      inject: [AppConfig],
      useFactory: (config: AppConfig): Redis | null => {
        const url = config.get('REDIS_URL');
        return url ? new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true }) : null;
      },
    },
    StreamableHttpTransport,
    LegacySseTransport,
    WebSocketTransport,
    McpHttpHandler,
  ],
})
export class ProxyModule implements OnModuleInit {
  constructor(
    private readonly handler: McpHttpHandler,
    private readonly rawRoutes: RawRoutes,
    private readonly upgrades: UpgradeRouter,
  ) {}

  onModuleInit(): void {
    this.rawRoutes.register('/mcp', (request, response) => this.handler.handle(request, response));
    this.upgrades.register('/mcp/ws', (request, socket, head) => this.handler.upgrade(request, socket, head));
  }
}
