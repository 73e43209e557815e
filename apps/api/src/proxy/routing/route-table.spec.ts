import type { GroupView, ServiceView } from '@mcp-proxy/shared/dto';
import type { Clock } from '../../core/time/clock';
import type { GroupsService } from '../../groups/groups.service';
import type { ServicesService } from '../../services/services.service';
import { MISS_RELOAD_INTERVAL_MS, RouteTable } from './route-table';

/** A registry whose reads are counted: each `list()` is one database query in the real one. */
function registry() {
  const services: ServiceView[] = [];
  const counts = { loads: 0 };
  const fake = {
    list: async () => {
      counts.loads++;
      return [...services];
    },
  };
  return { services, counts, fake: fake as unknown as ServicesService };
}

function serviceView(name: string): ServiceView {
  return {
    id: `id-${name}`,
    name,
    transport: 'stdio',
    proxy: { path: `/mcp/${name}` },
    process: { isolation: 'shared' },
  } as unknown as ServiceView;
}

describe('RouteTable', () => {
  let now: number;
  let registryFake: ReturnType<typeof registry>;
  let table: RouteTable;

  beforeEach(async () => {
    now = 1_000_000;
    registryFake = registry();
    const groups = { list: async (): Promise<GroupView[]> => [] } as unknown as GroupsService;
    const clock = { now: () => now } as unknown as Clock;
    table = new RouteTable(registryFake.fake, groups, clock);
    await table.onModuleInit();
  });

  it('serves a known route from memory, without reading the registry', async () => {
    registryFake.services.push(serviceView('notes'));
    await table.rebuild();
    const loads = registryFake.counts.loads;
    for (let i = 0; i < 100; i++) expect((await table.resolve('notes'))?.name).toBe('notes');
    expect(registryFake.counts.loads).toBe(loads);
  });

  it('finds a service created elsewhere a moment ago: the first miss after the interval reloads', async () => {
    now += MISS_RELOAD_INTERVAL_MS;
    registryFake.services.push(serviceView('fresh'));
    expect((await table.resolve('fresh'))?.id).toBe('id-fresh');
  });

  it('reloads at most once per interval for a stream of unknown names', async () => {
    now += MISS_RELOAD_INTERVAL_MS;
    const loads = registryFake.counts.loads;
    const misses = await Promise.all(Array.from({ length: 50 }, (_, i) => table.resolve(`nope-${i}`)));
    for (let i = 0; i < 50; i++) expect(await table.resolve(`again-${i}`)).toBeUndefined();
    expect(misses.every((route) => route === undefined)).toBe(true);
    expect(registryFake.counts.loads - loads).toBe(1);

    now += MISS_RELOAD_INTERVAL_MS;
    await table.resolve('nope');
    expect(registryFake.counts.loads - loads).toBe(2);
  });

  it('a change on this instance reloads at once, whatever the miss interval', async () => {
    await table.resolve('nope');
    registryFake.services.push(serviceView('created'));
    await table.onServiceChanged();
    expect((await table.resolve('created'))?.name).toBe('created');
  });
});
