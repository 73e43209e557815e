import { SERVER_UNAVAILABLE } from '@mcp-proxy/mcp/protocol';
import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppConfig } from '../core/config/app-config';
import { readMessageBody, sendRpcError } from '../core/http/http-io';
import { ProcessSupervisor } from '../supervisor/process-supervisor';
import { ClusterCoordinator } from './cluster-coordinator';
import { FORWARDED_BY_HEADER, InstanceIdentity } from './instance-identity';
import type { LeaseOwner } from './lease-store';
import { forwardOnce, forwardUpgrade } from './owner-forwarder';

const OWNER_POLL_MS = 200;
/** Beyond the lease time: how long the new owner may take to start the service. */
const TAKEOVER_START_MS = 20_000;

/**
 * The data plane's question in a cluster: does this request belong to another instance (the holder
 * of the service's lease)? If so it is passed there whole; when that owner is down, the request waits
 * for the lease to move (here or elsewhere) and goes to the new owner, so only calls that had reached
 * the dead owner fail.
 */
@Injectable()
export class ClusterRouter {
  private readonly leaseMs: number;

  constructor(
    config: AppConfig,
    private readonly identity: InstanceIdentity,
    private readonly coordinator: ClusterCoordinator,
    private readonly supervisor: ProcessSupervisor,
  ) {
    this.leaseMs = config.get('LEASE_TTL_SEC') * 1000;
  }

  get enabled(): boolean {
    return this.coordinator.enabled;
  }

  /**
   * The owner to forward to, or null to handle the request here (owner, or nobody runs it), or `moved` for a
   * request another instance forwarded here although the service no longer runs here (its lease moved): that
   * instance then sends it to the new owner.
   */
  async ownerElsewhere(serviceId: string, request: IncomingMessage, response?: ServerResponse): Promise<LeaseOwner | null | 'moved'> {
    // Taking the service over right now: the request waits for its start here rather than finding it stopped.
    await this.coordinator.adoption(serviceId);
    // Handing it over to another instance: the request waits, then goes to the new owner.
    await this.coordinator.handover(serviceId);
    const here = (): null => {
      if (response && request.method === 'POST') this.coordinator.track(serviceId, response);
      return null;
    };
    if (this.coordinator.holds(serviceId)) return here();
    if (request.headers[FORWARDED_BY_HEADER] !== undefined) return this.supervisor.runsHere(serviceId) ? here() : 'moved';
    const owner = await this.coordinator.ownerOf(serviceId);
    if (owner) return owner.id === this.identity.id ? here() : owner;
    // Nobody runs it: a wanted service is taken over here, now (its owner died and the lease ran out).
    if (await this.coordinator.adopt(serviceId)) return here();
    // Another instance took the lease first, or is about to (it was offered the service): the request goes there.
    const deadline = Date.now() + this.leaseMs;
    for (;;) {
      const winner = await this.coordinator.ownerOf(serviceId);
      if (winner) return winner.id === this.identity.id ? here() : winner;
      // Null: the service is not wanted running (answered here as such), or the offer ran out.
      if (Date.now() > deadline || !(await this.coordinator.offeredElsewhere(serviceId))) return null;
      await new Promise((resolve) => setTimeout(resolve, OWNER_POLL_MS));
    }
  }

  async forward(request: IncomingMessage, response: ServerResponse, serviceId: string, owner: LeaseOwner): Promise<void> {
    let body: Buffer | null = null;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      // Kept whole so it can be sent again if the first owner is gone; the same bound and 413 as a message served here.
      body = await readMessageBody(request, response);
      if (!body) return;
    }
    const deadline = Date.now() + this.leaseMs + TAKEOVER_START_MS;
    let target: LeaseOwner | null = owner;
    while (target) {
      if ((await forwardOnce(request, response, target.url, body, this.identity.id)) === 'done') return;
      target = await this.nextOwner(serviceId, target.id, deadline);
    }
    sendRpcError(response, 503, SERVER_UNAVAILABLE, 'No instance runs this service right now; try again shortly', null, {
      'retry-after': '1',
    });
  }

  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, owner: LeaseOwner): void {
    forwardUpgrade(request, socket, head, owner.url, this.identity.id);
  }

  /** Waits until someone other than the dead owner holds the lease (taking it here when it is free). */
  private async nextOwner(serviceId: string, deadId: string, deadline: number): Promise<LeaseOwner | null> {
    while (Date.now() < deadline) {
      const owner = await this.coordinator.ownerOf(serviceId);
      if (owner && owner.id !== deadId) {
        if (owner.id !== this.identity.id || this.supervisor.runsHere(serviceId)) return owner;
      } else if (!owner && (await this.coordinator.adopt(serviceId))) {
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, OWNER_POLL_MS));
    }
    return null;
  }
}
