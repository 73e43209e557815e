import type { IncomingMessage } from 'node:http';
import type { AppConfig } from '../core/config/app-config';
import type { ProcessSupervisor } from '../supervisor/process-supervisor';
import type { ClusterCoordinator } from './cluster-coordinator';
import { ClusterRouter } from './cluster-router';
import { FORWARDED_BY_HEADER, InstanceIdentity } from './instance-identity';
import type { LeaseOwner } from './lease-store';

/** The lease as Redis would hold it, and what this instance (`self`) holds and runs. */
function routerWith(lease: { owner: LeaseOwner | null; adoptWins: boolean; runsHere?: boolean; adopting?: Promise<boolean> }) {
  let held = false;
  const coordinator = {
    holds: () => held,
    ownerOf: async () => lease.owner,
    adoption: async () => void (await lease.adopting),
    handover: async () => undefined,
    track: () => undefined,
    offeredElsewhere: async () => false,
    adopt: async () => {
      if (lease.owner || !lease.adoptWins) {
        // Lost the race: another instance's SET NX came first.
        lease.owner ??= { id: 'other', url: 'http://127.0.0.1:2' };
        return false;
      }
      held = true;
      lease.owner = { id: 'self', url: 'http://127.0.0.1:1' };
      return true;
    },
  };
  const supervisor = { runsHere: () => lease.runsHere ?? held };
  const config = { get: () => 15 };
  const router = new ClusterRouter(
    config as unknown as AppConfig,
    new InstanceIdentity('self', 'http://127.0.0.1:1'),
    coordinator as unknown as ClusterCoordinator,
    supervisor as unknown as ProcessSupervisor,
  );
  return { router, hold: () => (held = true) };
}

const request = (forwarded: boolean) => ({ headers: forwarded ? { [FORWARDED_BY_HEADER]: 'other' } : {} }) as unknown as IncomingMessage;

describe('ClusterRouter.ownerElsewhere', () => {
  it('forwards to the holder of the lease, and handles here what this instance holds', async () => {
    const other = { id: 'other', url: 'http://127.0.0.1:2' };
    expect(await routerWith({ owner: other, adoptWins: false }).router.ownerElsewhere('svc', request(false))).toEqual(other);
    const mine = routerWith({ owner: null, adoptWins: true });
    mine.hold();
    expect(await mine.router.ownerElsewhere('svc', request(false))).toBeNull();
  });

  it('takes a service nobody holds over, and handles the request here', async () => {
    expect(await routerWith({ owner: null, adoptWins: true }).router.ownerElsewhere('svc', request(false))).toBeNull();
  });

  it('sends the request to the instance that won the race for a free lease, instead of answering "stopped" here', async () => {
    const owner = await routerWith({ owner: null, adoptWins: false }).router.ownerElsewhere('svc', request(false));
    expect(owner).toEqual({ id: 'other', url: 'http://127.0.0.1:2' });
  });

  it('answers `moved` to a forwarded request for a service that no longer runs here, so the sender finds the new owner', async () => {
    const router = routerWith({ owner: { id: 'third', url: 'http://127.0.0.1:3' }, adoptWins: false }).router;
    expect(await router.ownerElsewhere('svc', request(true))).toBe('moved');
  });

  it('lets a forwarded request wait for the takeover in progress here, then handles it', async () => {
    let finish: (value: boolean) => void = () => undefined;
    const adopting = new Promise<boolean>((resolve) => (finish = resolve));
    const stand = routerWith({ owner: null, adoptWins: true, adopting });
    const answer = stand.router.ownerElsewhere('svc', request(true));
    stand.hold();
    finish(true);
    expect(await answer).toBeNull();
  });
});
