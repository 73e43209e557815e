import type Redis from 'ioredis';
import type { PublishedRuntime } from './cluster-status';

/**
 * News one instance gives the others: a service was created, changed or deleted, its owner should
 * restart it, its runtime state changed on its owner (`status`, with the new facts), or its owner gave it up
 * for another instance to take (`handover`, naming that instance).
 */
export interface ClusterMessage {
  from: string;
  serviceId: string;
  kind: 'changed' | 'restart' | 'status' | 'handover';
  /** `handover`: the instance that should take the service now. */
  to?: string;
  runtime?: PublishedRuntime;
}

/**
 * Redis pub/sub between instances (`<prefix>:cluster`). Route tables and the coordinator react to
 * another instance's changes at once instead of at their next poll.
 */
export class ClusterBus {
  private readonly channel: string;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    prefix: string,
    private readonly selfId: string,
  ) {
    this.channel = `${prefix}:cluster`;
  }

  async listen(onMessage: (message: ClusterMessage) => void): Promise<void> {
    this.subscriber.on('message', (channel: string, raw: string) => {
      if (channel !== this.channel) return;
      try {
        const message = JSON.parse(raw) as ClusterMessage;
        if (message.from !== this.selfId && typeof message.serviceId === 'string') onMessage(message);
      } catch {
        // not one of ours
      }
    });
    await this.subscriber.subscribe(this.channel);
  }

  publish(serviceId: string, kind: ClusterMessage['kind'] = 'changed', runtime?: PublishedRuntime, to?: string): void {
    const message: ClusterMessage = { from: this.selfId, serviceId, kind, ...(runtime ? { runtime } : {}), ...(to ? { to } : {}) };
    void this.publisher.publish(this.channel, JSON.stringify(message)).catch(() => undefined);
  }
}
