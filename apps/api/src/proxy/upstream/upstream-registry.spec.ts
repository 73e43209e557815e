import { JsonRpcRequest, MCP_METHODS, SERVER_UNAVAILABLE } from '@mcp-proxy/mcp/protocol';
import type { ServiceStatus } from '@mcp-proxy/shared/dto';
import type { ChildHandle } from '../../supervisor/child-handle';
import type { ProcessSupervisor } from '../../supervisor/process-supervisor';
import { ServiceNotRunningError } from '../../supervisor/supervisor-errors';
import { GroupUpstream } from '../groups/group-upstream';
import type { ProxyMetrics } from '../metrics/proxy-metrics';
import type { RouteTable, ServiceRoute } from '../routing/route-table';
import type { ClientSession, InFlight } from '../sessions/client-session';
import { SessionStore } from '../sessions/session-store';
import { FakeChildHandle, fakeRoute, IDENTITY, RecordingSink, until } from '../testing/fakes';
import { SessionPools } from './session-pools';
import { SharedUpstream } from './shared-upstream';
import { ServiceUnavailable, UpstreamRegistry } from './upstream-registry';

const notes = fakeRoute();
const scratch = fakeRoute({ id: 'svc-2', name: 'scratch', process: { isolation: 'session' } });
const groupOf = (name: string): ServiceRoute =>
  fakeRoute({
    id: `grp-${name}`,
    name,
    kind: 'group',
    group: {
      separator: '_',
      members: [{ serviceId: notes.id, serviceName: notes.name, allow: [], deny: [], renames: {} }],
      allow: [],
      deny: [],
      memberTimeoutMs: 1000,
      toolSearch: false,
    },
  } as Partial<ServiceRoute>);

describe('UpstreamRegistry', () => {
  let statuses: Map<string, ServiceStatus>;
  let routes: Map<string, ServiceRoute>;
  let spawned: FakeChildHandle[];
  let handles: FakeChildHandle[];
  let stopped: ChildHandle[];
  let spawnError: Error | null;
  let sessions: SessionStore;
  let registry: UpstreamRegistry;

  beforeEach(() => {
    statuses = new Map();
    routes = new Map([
      [notes.id, notes],
      [scratch.id, scratch],
    ]);
    spawned = [];
    handles = [];
    stopped = [];
    spawnError = null;
    sessions = new SessionStore();
    const supervisor = {
      statusOf: (id: string) => statuses.get(id) ?? 'stopped',
      spawnSessionChild: async (id: string) => {
        if (spawnError) throw spawnError;
        const handle = new FakeChildHandle(id, 'scratch', 1);
        spawned.push(handle);
        return handle;
      },
      stopSessionChild: async (handle: ChildHandle) => void stopped.push(handle),
    } as unknown as ProcessSupervisor;
    const table = {
      byId: (id: string) => routes.get(id),
      onDriftPolicyChanged: () => undefined,
      groupsContaining: (serviceId: string) =>
        [...routes.values()]
          .filter((route) => route.group?.members.some((member) => member.serviceId === serviceId))
          .map((route) => route.id),
    } as unknown as RouteTable;
    registry = new UpstreamRegistry(
      supervisor,
      sessions,
      table,
      { recordCacheLookup: () => undefined } as unknown as ProxyMetrics,
      new SessionPools(supervisor),
    );
  });

  afterEach(() => {
    // Children left waiting for initialize or calls hold timers; ending them ends those.
    for (const handle of [...handles, ...spawned]) handle.child.die();
    sessions.onModuleDestroy();
  });

  /** The supervisor reports a shared child up; the test plays the child. */
  function start(generation = 1): FakeChildHandle {
    statuses.set(notes.id, 'running');
    const handle = new FakeChildHandle(notes.id, notes.name, generation);
    handles.push(handle);
    registry.onStarted(handle);
    return handle;
  }

  async function started(generation = 1): Promise<FakeChildHandle> {
    const handle = start(generation);
    await handle.child.completeInitialize();
    return handle;
  }

  const sessionOf = (route: ServiceRoute) => sessions.create(route.id, 'client:alice', 'streamable-http', '2025-11-25', 60_000);

  /** A call in the session, forwarded as the dispatcher would, its answer on the returned sink. */
  function call(session: ClientSession, id: number) {
    const request: JsonRpcRequest = { jsonrpc: '2.0', id, method: MCP_METHODS.TOOLS_CALL, params: { name: 'echo' } };
    const sink = new RecordingSink();
    registry.of(session)?.forward(session, session.begin(request, sink) as InFlight, request, 1000);
    return sink;
  }

  describe('shared children', () => {
    it('serves a service from its started child once it has answered initialize, and reuses that upstream', async () => {
      await started();
      const upstream = await registry.sharedFor(notes, 100);
      expect(upstream).toBeInstanceOf(SharedUpstream);
      expect(await registry.sharedFor(notes, 100)).toBe(upstream);
      expect(registry.of(sessionOf(notes))).toBe(upstream);
      expect(registry.sharedIdentity(notes.id)).toEqual(IDENTITY);
      expect(registry.size).toBe(1);
    });

    it.each<ServiceStatus>(['stopped', 'crashed', 'failed'])('fails at once for a %s service, naming the status', async (status) => {
      statuses.set(notes.id, status);
      const started = Date.now();
      await expect(registry.sharedFor(notes, 5000)).rejects.toEqual(new ServiceUnavailable(`MCP server "notes" is ${status}`, status));
      expect(Date.now() - started).toBeLessThan(1000);
    });

    it('waits for a starting service and serves it when its child is up', async () => {
      statuses.set(notes.id, 'starting');
      const waiting = registry.sharedFor(notes, 1000);
      const handle = start();
      await handle.child.completeInitialize();
      await expect(waiting).resolves.toBeInstanceOf(SharedUpstream);
    });

    it('gives up on a service that stays starting past the wait', async () => {
      statuses.set(notes.id, 'restarting');
      await expect(registry.sharedFor(notes, 30)).rejects.toThrow('MCP server "notes" is still restarting; try again shortly');
    });

    it('reports a child that refuses initialize as failed', async () => {
      const handle = start();
      const initialize = await handle.child.request(MCP_METHODS.INITIALIZE);
      handle.child.replyError(initialize.id, -32603, 'boom');
      await expect(registry.sharedFor(notes, 1000)).rejects.toEqual(
        new ServiceUnavailable('MCP server "notes" failed to initialize: boom', 'failed'),
      );
    });

    it('reports a child that does not finish initializing in time', async () => {
      start();
      await expect(registry.sharedFor(notes, 30)).rejects.toThrow('MCP server "notes" has not finished initializing');
    });

    it('forgets the upstream when its child exits, and fails pending calls with SERVER_UNAVAILABLE', async () => {
      const handle = await started();
      const sink = call(sessionOf(notes), 1);
      await handle.child.request(MCP_METHODS.TOOLS_CALL);
      statuses.set(notes.id, 'crashed');
      registry.onExited(handle.exit(false));
      expect(await sink.received(1)).toMatchObject([{ id: 1, error: { code: SERVER_UNAVAILABLE } }]);
      await expect(registry.sharedFor(notes, 100)).rejects.toThrow('MCP server "notes" is crashed');
      expect(registry.of(sessionOf(notes))).toBeUndefined();
    });

    it('puts a restarted child in place, and ignores the late exit of the one before', async () => {
      const first = await started(1);
      const second = await started(2);
      registry.onExited(first.exit(true));
      const session = sessionOf(notes);
      expect(registry.of(session)).toBe(await registry.sharedFor(notes, 100));
      call(session, 1);
      await second.child.request(MCP_METHODS.TOOLS_CALL);
      expect(first.child.requests(MCP_METHODS.TOOLS_CALL)).toEqual([]);
    });

    it('cancels a closed session’s calls at the shared child, leaving the child running', async () => {
      const handle = await started();
      const session = sessionOf(notes);
      call(session, 1);
      const toChild = await handle.child.request(MCP_METHODS.TOOLS_CALL);
      sessions.close(session);
      expect(handle.child.notifications(MCP_METHODS.CANCELLED)).toMatchObject([{ params: { requestId: toChild.id } }]);
      expect(await registry.sharedFor(notes, 100)).toBeInstanceOf(SharedUpstream);
    });
  });

  describe('session children', () => {
    it('spawns a child of its own for each session, not shared with anyone', async () => {
      const alice = sessionOf(scratch);
      const bob = sessionOf(scratch);
      const own = await registry.dedicatedFor(scratch, alice);
      await registry.dedicatedFor(scratch, bob);
      expect(spawned).toHaveLength(2);
      expect(registry.of(alice)).toBe(own);
      expect(registry.of(bob)).not.toBe(own);
      call(alice, 1);
      await until(() => spawned[0].child.requests(MCP_METHODS.TOOLS_CALL).length === 1, 'the call at alice’s child');
      expect(spawned[1].child.received).toEqual([]);
    });

    it('puts a session’s own child before any shared child of its service', async () => {
      const shared = new FakeChildHandle(scratch.id, scratch.name, 1);
      handles.push(shared);
      registry.onStarted(shared);
      const session = sessionOf(scratch);
      const own = await registry.dedicatedFor(scratch, session);
      expect(registry.of(session)).toBe(own);
    });

    it('stops the session’s child when the session ends', async () => {
      const session = sessionOf(scratch);
      await registry.dedicatedFor(scratch, session);
      sessions.close(session);
      expect(stopped).toEqual([spawned[0]]);
      expect(registry.of(session)).toBeUndefined();
      expect(registry.size).toBe(0);
    });

    it('closes the session and fails its calls when its child dies', async () => {
      const session = sessionOf(scratch);
      await registry.dedicatedFor(scratch, session);
      const sink = call(session, 7);
      spawned[0].exit(false, 'killed: memory limit 64 MB exceeded');
      expect(await sink.received(1)).toEqual([
        {
          jsonrpc: '2.0',
          id: 7,
          error: { code: SERVER_UNAVAILABLE, message: 'The MCP server of this session exited (killed: memory limit 64 MB exceeded)' },
        },
      ]);
      await until(() => session.closed, 'the session to close');
    });

    it('keeps the session when its child was stopped on purpose', async () => {
      const session = sessionOf(scratch);
      await registry.dedicatedFor(scratch, session);
      spawned[0].exit(true, 'stopped');
      await spawned[0].exited;
      await new Promise((resolve) => setImmediate(resolve));
      expect(session.closed).toBe(false);
    });

    it('turns a refusal to spawn into ServiceUnavailable', async () => {
      spawnError = new ServiceNotRunningError('scratch', 'stopped');
      const refused = registry.dedicatedFor(scratch, sessionOf(scratch));
      await expect(refused).rejects.toBeInstanceOf(ServiceUnavailable);
      await expect(refused).rejects.toMatchObject({ message: 'MCP server "scratch" is stopped', status: 'failed' });
    });
  });

  describe('groups', () => {
    it('serves a group’s sessions from one group upstream per route, made anew when the route is rebuilt', async () => {
      const group = groupOf('team');
      routes.set(group.id, group);
      const session = sessionOf(group);
      const upstream = registry.of(session);
      expect(upstream).toBeInstanceOf(GroupUpstream);
      expect(registry.of(session)).toBe(upstream);
      expect(await registry.sharedFor(group, 0)).toBe(upstream);

      routes.set(group.id, groupOf('team'));
      expect(registry.of(session)).not.toBe(upstream);
    });

    it('tells a group’s sessions to list again when one of its members (re)starts', async () => {
      const group = groupOf('team');
      routes.set(group.id, group);
      const session = sessionOf(group);
      session.standalone = new RecordingSink();
      await started();
      expect(await (session.standalone as RecordingSink).received(3)).toEqual([
        { jsonrpc: '2.0', method: 'notifications/tools/list_changed' },
        { jsonrpc: '2.0', method: 'notifications/prompts/list_changed' },
        { jsonrpc: '2.0', method: 'notifications/resources/list_changed' },
      ]);
    });
  });
});
