import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { ProcessSupervisor } from '../supervisor/process-supervisor';
import { ClusterBalancer } from './cluster-balancer';
import type { ClusterBus } from './cluster-bus';
import { LeaseStore } from './lease-store';

/**
 * Two instances on the local Redis: `a` runs three services, `b` just joined with none. The supervisor and the
 * bus are stand-ins that record what the balancer asked of them.
 */
describe('ClusterBalancer', () => {
  const url = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const prefix = `balancer-spec-${randomUUID()}`;
  const ttlMs = 3000;
  let redis: Redis;

  beforeAll(() => (redis = new Redis(url, { maxRetriesPerRequest: 1 })));
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  function instance(id: string) {
    const leases = new LeaseStore(redis, prefix, { id, url: `http://${id}.local:8437` }, ttlMs);
    const events: string[] = [];
    const supervisor = {
      runsHere: (serviceId: string) => leases.holds(serviceId),
      relinquish: async (serviceId: string) => {
        events.push(`stopped ${serviceId}`);
        await leases.release(serviceId);
      },
    };
    const bus = {
      publish: (serviceId: string, kind: string, _runtime: unknown, to: string) => events.push(`${kind} ${serviceId} to ${to}`),
    };
    const balancer = new ClusterBalancer(leases, bus as unknown as ClusterBus, supervisor as unknown as ProcessSupervisor, id, ttlMs);
    return { leases, balancer, events };
  }

  it('gives one service to an instance that runs two fewer, after the calls in progress here are answered', async () => {
    const services = [randomUUID(), randomUUID(), randomUUID()];
    const [a, b] = [instance('a'), instance('b')];
    for (const id of services) expect(await a.leases.acquire(id)).toBe(true);
    await b.balancer.balance(services); // b beats: it counts as live

    // A call in progress on a's first service: the handover waits for it.
    const call = new EventEmitter() as unknown as ServerResponse;
    a.balancer.track(services[0], call);
    await a.balancer.balance(services);
    const handover = a.balancer.handover(services[0]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(a.events).toEqual([]);
    expect(await b.balancer.offeredElsewhere(services[0])).toBe(false);

    call.emit('close');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(a.events).toEqual([`stopped ${services[0]}`, `handover ${services[0]} to b`]);
    // Only the taker may take it: any other instance leaves it alone while the offer stands.
    expect(await a.balancer.offeredElsewhere(services[0])).toBe(true);
    expect(await b.balancer.offeredElsewhere(services[0])).toBe(false);
    expect(await b.leases.acquire(services[0])).toBe(true);
    await handover; // over once the taker holds the lease
    expect((await a.leases.holders(services)).get(services[0])).toBe('b');

    // Two against one now: nothing more moves.
    await a.balancer.balance(services);
    await a.balancer.handover(services[1]);
    expect(a.events).toHaveLength(2);
  });

  it('does nothing alone, or when the others run about as many', async () => {
    const services = [randomUUID(), randomUUID()];
    const [c, d] = [instance('c'), instance('d')];
    expect(await c.leases.acquire(services[0])).toBe(true);
    expect(await d.leases.acquire(services[1])).toBe(true);
    await c.balancer.balance(services);
    await d.balancer.balance(services);
    await c.balancer.balance(services);
    expect([...c.events, ...d.events]).toEqual([]);
  });
});
