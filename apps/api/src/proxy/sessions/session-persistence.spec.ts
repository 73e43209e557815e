import { DataSource } from 'typeorm';
import type { Principal } from '../../core/auth/principal';
import { SQLITE_MIGRATIONS } from '../../core/database/migrations/sqlite';
import { SQLITE_DRIVER } from '../../core/database/data-source-options';
import { PersistedSessionEntity } from './persisted-session.entity';
import { SessionPersistence } from './session-persistence';
import { SessionStore, SHARED_SESSION_IDLE_MS } from './session-store';

/** Two stores on one migrated SQLite database stand for the proxy before and after a restart. */
describe('persisted sessions', () => {
  let database: DataSource;
  let persistence: SessionPersistence;
  const stores: SessionStore[] = [];
  const owner = (id: string, tools?: string[]): Principal => ({ kind: 'client', id, role: 'viewer', scope: tools ? { tools } : {} });
  const newStore = (): SessionStore => {
    const store = new SessionStore(persistence);
    stores.push(store);
    return store;
  };

  beforeEach(async () => {
    database = await new DataSource({
      type: 'sqlite',
      driver: SQLITE_DRIVER,
      database: ':memory:',
      entities: [PersistedSessionEntity],
      migrations: SQLITE_MIGRATIONS,
    }).initialize();
    await database.runMigrations();
    persistence = new SessionPersistence(database.getRepository(PersistedSessionEntity));
  });

  afterEach(async () => {
    stores.splice(0).forEach((store) => store.onModuleDestroy());
    await persistence.flush();
    await database.destroy();
  });

  it('re-creates a persisted session with the same id and what the client negotiated, for its owner and service only', async () => {
    const before = newStore();
    const session = before.create('svc-1', 'alice', 'streamable-http', '2025-06-18', 1000);
    session.clientCapabilities = { sampling: {} };
    session.clientInfo = { name: 'client', version: '1.0' };
    before.persist(session);
    before.onModuleDestroy();
    await persistence.flush();

    const after = newStore();
    expect(await after.revive(session.id, owner('mallory'), 'svc-1')).toBeUndefined();
    expect(await after.revive(session.id, owner('alice'), 'svc-2')).toBeUndefined();
    const [first, second] = await Promise.all([
      after.revive(session.id, owner('alice'), 'svc-1'),
      after.revive(session.id, owner('alice'), 'svc-1'),
    ]);
    expect(first).toBe(second);
    expect(first).toMatchObject({
      id: session.id,
      serviceId: 'svc-1',
      principalId: 'alice',
      protocolVersion: '2025-06-18',
      transport: 'streamable-http',
      durable: true,
    });
    expect(first?.clientCapabilities).toEqual({ sampling: {} });
    expect(first?.clientInfo).toEqual({ name: 'client', version: '1.0' });
    expect(await after.revive('never-issued', owner('alice'), 'svc-1')).toBeUndefined();
  });

  it("brings a session back with the tool limits it was opened with, narrowed by the owner's current ones", async () => {
    const before = newStore();
    const session = before.create('svc-1', 'client-token:1', 'streamable-http', '2025-06-18', 1000);
    session.limitTo({ services: ['svc-1'], tools: ['echo', 'get-*'] });
    before.persist(session);
    before.onModuleDestroy();
    await persistence.flush();

    // The owner presents no list now: the one the session was opened with still holds.
    const revived = await newStore().revive(session.id, owner('client-token:1'), 'svc-1');
    expect(revived?.scope).toEqual({ services: ['svc-1'], tools: ['echo', 'get-*'] });
    expect(['echo', 'get-sum', 'get-env', 'delete-all'].filter((name) => revived?.toolAllowList?.(name))).toEqual([
      'echo',
      'get-sum',
      'get-env',
    ]);

    const narrowed = await newStore().revive(session.id, owner('client-token:1', ['get-sum', 'delete-all']), 'svc-1');
    expect(['echo', 'get-sum', 'get-env', 'delete-all'].filter((name) => narrowed?.toolAllowList?.(name))).toEqual(['get-sum']);
  });

  it("a viewer's session stays list-only when revived, and a session whose owner became a viewer becomes so", async () => {
    const user = (role: Principal['role']): Principal => ({ kind: 'user', id: 'user:vera', role });
    const before = newStore();
    const viewers = before.create('svc-1', 'user:vera', 'streamable-http', '2025-06-18', 1000);
    viewers.limitTo({ listOnly: true });
    const operators = before.create('svc-1', 'user:vera', 'streamable-http', '2025-06-18', 1000);
    operators.limitTo({});
    before.persist(viewers);
    before.persist(operators);
    before.onModuleDestroy();
    await persistence.flush();

    // Limits only narrow: a role raised later does not lift the list-only session it opened as a viewer.
    expect((await newStore().revive(viewers.id, user('operator'), 'svc-1'))?.listOnly).toBe(true);
    expect((await newStore().revive(operators.id, user('operator'), 'svc-1'))?.listOnly).toBe(false);
    expect((await newStore().revive(operators.id, user('viewer'), 'svc-1'))?.listOnly).toBe(true);
  });

  it('a session closed right after it was created cannot be revived, even before the writes landed', async () => {
    const store = newStore();
    const session = store.create('svc-1', 'alice', 'streamable-http', '2025-06-18', 1000);
    store.persist(session);
    store.close(session);
    expect(await store.revive(session.id, owner('alice'), 'svc-1')).toBeUndefined();
    await persistence.flush();
    expect(await database.getRepository(PersistedSessionEntity).count()).toBe(0);
  });

  it('forgets a session closed by its client, but keeps one closed by a shutdown', async () => {
    const store = newStore();
    const deleted = store.create('svc-1', 'alice', 'streamable-http', '2025-06-18', 1000);
    const kept = store.create('svc-1', 'alice', 'streamable-http', '2025-06-18', 1000);
    store.persist(deleted);
    store.persist(kept);
    await persistence.flush();
    store.close(deleted);
    store.onModuleDestroy();
    await persistence.flush();
    expect((await database.getRepository(PersistedSessionEntity).find()).map((row) => row.id)).toEqual([kept.id]);
  });

  it('purges rows nobody used for the idle limit (a client gone while the proxy was down), and keeps used ones fresh', async () => {
    const previous = newStore();
    const abandoned = previous.create('svc-1', 'alice', 'streamable-http', '2025-06-18', SHARED_SESSION_IDLE_MS);
    previous.persist(abandoned);
    previous.onModuleDestroy();
    const store = newStore();
    const used = store.create('svc-1', 'alice', 'streamable-http', '2025-06-18', SHARED_SESSION_IDLE_MS);
    store.persist(used);
    await persistence.flush();

    const later = Date.now() + SHARED_SESSION_IDLE_MS + 1000;
    used.lastActivity = later;
    store.reapIdle(later);
    await persistence.flush();
    const rows = await database.getRepository(PersistedSessionEntity).find();
    expect(rows.map((row) => [row.id, row.lastSeenAt])).toEqual([[used.id, later]]);
  });

  it('purges only after the sessions in use were marked, however long marking them takes', async () => {
    const store = newStore();
    const used = store.create('svc-1', 'alice', 'streamable-http', '2025-06-18', SHARED_SESSION_IDLE_MS);
    store.persist(used);
    await persistence.flush();
    const repository = database.getRepository(PersistedSessionEntity);
    const update = repository.update.bind(repository);
    jest.spyOn(repository, 'update').mockImplementation(async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return update(...args);
    });

    const later = Date.now() + SHARED_SESSION_IDLE_MS + 1000;
    used.lastActivity = later;
    store.reapIdle(later);
    await persistence.flush();
    expect((await repository.find()).map((row) => row.id)).toEqual([used.id]);
  });

  it('keeps fresh more sessions in use than one statement can name (SQLite binds at most 32,766 values)', async () => {
    const rows = database.getRepository(PersistedSessionEntity);
    const ids = Array.from({ length: 33_000 }, (_, i) => `session-${i}`);
    for (let start = 0; start < ids.length; start += 500) {
      await rows.insert(
        ids.slice(start, start + 500).map((id) => ({
          id,
          serviceId: 'svc-1',
          principalId: 'alice',
          protocolVersion: '2025-06-18',
          clientCapabilities: {},
          clientInfo: null,
          scope: {},
          createdAt: 1,
          lastSeenAt: 1,
        })),
      );
    }

    persistence.touch(ids, 2);
    await persistence.flush();

    expect(await rows.countBy({ lastSeenAt: 2 })).toBe(33_000);
  }, 60_000);
});
