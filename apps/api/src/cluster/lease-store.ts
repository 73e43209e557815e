import type Redis from 'ioredis';

/** Who holds a lease: the instance's id and the address to forward its requests to. */
export interface LeaseOwner {
  id: string;
  url: string;
}

/** Extends the lease only if it is still ours (value unchanged). */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
/** Deletes the lease only if it is still ours. */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * One lease per service in Redis (`<prefix>:lease:<serviceId>` = `<instance id> <url>`, with a TTL):
 * the instance holding it runs the service's children. Taken with SET NX, renewed and released only
 * by its holder, so an owner that dies loses it when the TTL runs out and another one takes it.
 */
export class LeaseStore {
  private readonly mine: string;
  private readonly held = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly self: LeaseOwner,
    private readonly ttlMs: number,
  ) {
    this.mine = `${self.id} ${self.url}`;
  }

  /** Takes the lease if it is free (or already ours, then renewed). */
  async acquire(serviceId: string): Promise<boolean> {
    const key = this.key(serviceId);
    const taken = await this.redis.set(key, this.mine, 'PX', this.ttlMs, 'NX');
    if (taken === 'OK' || (await this.redis.eval(RENEW, 1, key, this.mine, this.ttlMs)) === 1) {
      this.held.add(serviceId);
      return true;
    }
    this.held.delete(serviceId);
    return false;
  }

  /** Renews every lease held; returns those that were lost (expired and taken, or deleted). */
  async renewAll(): Promise<string[]> {
    const ids = [...this.held];
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.eval(RENEW, 1, this.key(id), this.mine, this.ttlMs);
    const results = (await pipeline.exec()) ?? [];
    const lost = ids.filter((_, index) => results[index]?.[1] !== 1);
    lost.forEach((id) => this.held.delete(id));
    return lost;
  }

  async release(serviceId: string): Promise<void> {
    this.held.delete(serviceId);
    await this.redis.eval(RELEASE, 1, this.key(serviceId), this.mine);
  }

  async ownerOf(serviceId: string): Promise<LeaseOwner | null> {
    const value = await this.redis.get(this.key(serviceId));
    if (!value) return null;
    const space = value.indexOf(' ');
    return { id: value.slice(0, space), url: value.slice(space + 1) };
  }

  /** Holders of each service's lease (instance id, null when free), in one round trip. */
  async holders(serviceIds: string[]): Promise<Map<string, string | null>> {
    const values = serviceIds.length ? await this.redis.mget(serviceIds.map((id) => this.key(id))) : [];
    return new Map(serviceIds.map((id, index) => [id, values[index]?.split(' ')[0] ?? null]));
  }

  /**
   * Says this instance is alive, for `ttlMs`: the others count it when they share services out. Its own
   * key expires on Redis's clock; the set of ids lets the others find it without KEYS, which walks the
   * whole keyspace of a Redis that other data shares.
   */
  async heartbeat(ttlMs: number): Promise<void> {
    await this.redis.multi().set(this.instanceKey(this.self.id), this.self.url, 'PX', ttlMs).sadd(this.instancesKey(), this.self.id).exec();
  }

  /** Ids of the instances whose heartbeat has not run out (this one included once it has beaten). */
  async liveInstances(): Promise<string[]> {
    const ids = await this.redis.smembers(this.instancesKey());
    if (!ids.length) return [];
    const beats = await this.redis.mget(ids.map((id) => this.instanceKey(id)));
    const gone = ids.filter((_id, index) => beats[index] === null);
    // An instance that stopped beating is forgotten; one that comes back adds itself again.
    if (gone.length) await this.redis.srem(this.instancesKey(), ...gone);
    return ids.filter((_id, index) => beats[index] !== null);
  }

  async leave(): Promise<void> {
    await this.redis.multi().del(this.instanceKey(this.self.id)).srem(this.instancesKey(), this.self.id).exec();
  }

  /** Names the instance that should take a service this one gives up; the others leave it alone until `ttlMs`. */
  async offer(serviceId: string, toInstance: string): Promise<void> {
    await this.redis.set(`${this.prefix}:handover:${serviceId}`, toInstance, 'PX', this.ttlMs);
  }

  /** The instance a service was offered to, if the offer stands. */
  offeredTo(serviceId: string): Promise<string | null> {
    return this.redis.get(`${this.prefix}:handover:${serviceId}`);
  }

  async withdrawOffer(serviceId: string): Promise<void> {
    await this.redis.del(`${this.prefix}:handover:${serviceId}`);
  }

  private instanceKey(id: string): string {
    return `${this.prefix}:instance:${id}`;
  }

  private instancesKey(): string {
    return `${this.prefix}:instances`;
  }

  holds(serviceId: string): boolean {
    return this.held.has(serviceId);
  }

  heldIds(): string[] {
    return [...this.held];
  }

  private key(serviceId: string): string {
    return `${this.prefix}:lease:${serviceId}`;
  }
}
