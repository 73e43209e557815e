import { Inject, Logger, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CallsModule } from '../calls/calls.module';
import { ClusterModule } from '../cluster/cluster.module';
import { AppConfig } from '../core/config/app-config';
import { GroupsModule } from '../groups/groups.module';
import { SupervisorModule } from '../supervisor/supervisor.module';
import { UpstreamAuthModule } from '../upstream-auth/upstream-auth.module';
import { ElicitationCompletions } from './upstream/elicitation-completions';
import { PrincipalUpstreams } from './upstream/principal-upstreams';
import { ToolPinsModule } from '../tool-pins/tool-pins.module';
import { GroupMappingController } from './groups/group-mapping.controller';
import { RATE_LIMIT_REDIS, RateLimiter, sharedRateLimitRedis } from './limits/rate-limiter';
import { McpDispatcher } from './mcp-dispatcher';
import { CALL_RECORDER, finishedCallOf, outcomeOf, type CallRecorder } from './metrics/call-record';
import { ProxyMetrics } from './metrics/proxy-metrics';
import { ToolMetrics } from './metrics/tool-metrics';
import { ProcessSupervisor } from '../supervisor/process-supervisor';
import { McpHttpHandler } from './mcp-http.handler';
import { ProxyDrainer } from './proxy-drainer';
import { RouteTable } from './routing/route-table';
import { PersistedSessionEntity } from './sessions/persisted-session.entity';
import { SessionPersistence } from './sessions/session-persistence';
import { SessionStore } from './sessions/session-store';
import type { ClientSession, InFlight } from './sessions/client-session';
import { framedMessageBytes, type JsonRpcMessage } from '@mcp-proxy/mcp/protocol';
import { HttpServiceTransport } from './transports/http-service.transport';
import { LegacySseTransport } from './transports/legacy-sse.transport';
import { StreamableHttpTransport } from './transports/streamable-http.transport';
import { WebSocketTransport } from './transports/websocket.transport';
import { SessionPools } from './upstream/session-pools';
import { UpstreamRegistry } from './upstream/upstream-registry';
import { StreamHeartbeat } from './http/stream-heartbeat';
import { largeBodyBudget } from './http/incoming-rpc';
import { BurstCollector, fullCollection } from './http/burst-collector';
import { BodyBudget } from '../core/http/body-budget';

/** The MCP data plane: plain Node request handling in front of Express, fed by the supervisor. */
@Module({
  imports: [
    SupervisorModule,
    GroupsModule,
    ClusterModule,
    CallsModule,
    ToolPinsModule,
    UpstreamAuthModule,
    TypeOrmModule.forFeature([PersistedSessionEntity]),
  ],
  controllers: [GroupMappingController],
  providers: [
    RouteTable,
    SessionStore,
    SessionPersistence,
    UpstreamRegistry,
    SessionPools,
    PrincipalUpstreams,
    ElicitationCompletions,
    McpDispatcher,
    RateLimiter,
    ProxyMetrics,
    ToolMetrics,
    { provide: RATE_LIMIT_REDIS, inject: [AppConfig], useFactory: sharedRateLimitRedis },
    {
      provide: StreamHeartbeat,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new StreamHeartbeat(config.get('STREAM_HEARTBEAT_MS')),
    },
    { provide: BodyBudget, useFactory: largeBodyBudget },
    { provide: BurstCollector, useFactory: () => new BurstCollector(framedMessageBytes, fullCollection()) },
    StreamableHttpTransport,
    LegacySseTransport,
    WebSocketTransport,
    HttpServiceTransport,
    McpHttpHandler,
    ProxyDrainer,
  ],
  exports: [ProxyMetrics],
})
export class ProxyModule implements OnModuleInit {
  constructor(
    private readonly metrics: ProxyMetrics,
    private readonly toolMetrics: ToolMetrics,
    private readonly sessions: SessionStore,
    private readonly upstreams: UpstreamRegistry,
    private readonly routes: RouteTable,
    private readonly supervisor: ProcessSupervisor,
    @Inject(CALL_RECORDER) private readonly calls: CallRecorder,
  ) {}

  onModuleInit(): void {
    this.sessions.observe({
      answered: (session, entry, response) => {
        const name = this.routes.byId(session.serviceId)?.name ?? session.serviceId;
        // A tool result with `isError: true` failed too, though it travels as a JSON-RPC result.
        const failed = outcomeOf(response).outcome !== 'ok';
        this.metrics.record(session.serviceId, name, entry.method, performance.now() - entry.startedAtMs, failed);
      },
    });
    if (this.toolMetrics.enabled) {
      const count = (session: ClientSession, entry: InFlight, response: JsonRpcMessage | null): void => {
        if (entry.method !== 'tools/call' || entry.target === undefined) return;
        const service = entry.member?.serviceName ?? this.routes.byId(session.serviceId)?.name ?? session.serviceId;
        const seconds = (performance.now() - entry.startedAtMs) / 1000;
        this.toolMetrics.record(service, entry.member?.target ?? entry.target, outcomeOf(response).outcome, seconds);
      };
      this.sessions.observe({ answered: count, dropped: (session, entry) => count(session, entry, null) });
    }
    if (this.calls.enabled) {
      const logger = new Logger('CallLog');
      const record = (session: ClientSession, entry: InFlight, response: JsonRpcMessage | null): void => {
        // On the answer's way to the client: only references are taken here, the row is made off the path.
        try {
          const endpoint = this.routes.byId(session.serviceId) ?? { id: session.serviceId, name: session.serviceId };
          const payloads = this.calls.storesPayloads(entry.member?.serviceId ?? session.serviceId);
          const call = finishedCallOf(session, entry, response, endpoint, payloads);
          if (call) this.calls.record(call);
        } catch (error) {
          logger.warn(`Could not record ${entry.method}: ${error instanceof Error ? error.message : String(error)}`);
        }
      };
      this.sessions.observe({ answered: record, dropped: (session, entry) => record(session, entry, null), keepsArguments: true });
    }
    this.metrics.attach({ inflight: (id) => this.upstreams.inflightOf(id), sessions: (id) => this.sessions.countOf(id) });
    this.supervisor.contributeProxyMetrics((id) => this.metrics.view(id));
  }
}
