import type { ServiceView } from '@mcp-proxy/shared/dto';
import type { Repository } from 'typeorm';
import type { InstanceIdentity } from '../cluster/instance-identity';
import { Clock } from '../core/time/clock';
import { ServiceRuntimes } from '../services/service-runtimes';
import { NOT_RUNNING } from '../services/service-view.mapper';
import type { ServiceEventEntity } from './service-event.entity';
import { ServiceEventRecorder } from './service-event-recorder';

function view(status: ServiceView['status'], restarts = 0, statusReason: string | null = null): ServiceView {
  return { id: 'svc-1', name: 'alpha', status, restarts, statusReason, pid: null } as unknown as ServiceView;
}

describe('ServiceEventRecorder', () => {
  let inserted: ServiceEventEntity[];
  let runtimes: ServiceRuntimes;
  let recorder: ServiceEventRecorder;

  beforeEach(() => {
    inserted = [];
    const repository = {
      insert: async (row: ServiceEventEntity) => void inserted.push(row),
      find: async () => [],
      delete: async () => ({ affected: 0 }),
    } as unknown as Repository<ServiceEventEntity>;
    runtimes = new ServiceRuntimes();
    recorder = new ServiceEventRecorder(repository, runtimes, new Clock(), { id: 'instance-1' } as InstanceIdentity);
  });

  it('records news once, in words, and nothing for a repeat or a service first seen stopped', async () => {
    recorder.onStatus(view('stopped'));
    runtimes.set('svc-1', { ...NOT_RUNNING, status: 'running' });
    recorder.onStatus(view('running'));
    recorder.onStatus(view('running'));
    recorder.onStatus(view('restarting', 0, 'restart requested'));
    recorder.onStatus(view('restarting', 1, 'exited with code 1'));
    await recorder.settled();
    expect(inserted.map((row) => [row.instance, row.serviceName, row.kind, row.message])).toEqual([
      ['instance-1', 'alpha', 'running', 'running'],
      ['instance-1', 'alpha', 'restarting', 'restarting on request'],
      ['instance-1', 'alpha', 'restarting', 'restarting on its own after an unexpected exit (automatic restart 1): exited with code 1'],
    ]);
  });

  it("leaves another instance's service to that instance", async () => {
    runtimes.setRemote('svc-1', { ...NOT_RUNNING, status: 'running' });
    recorder.onStatus(view('running'));
    await recorder.settled();
    expect(inserted).toEqual([]);
  });
});
