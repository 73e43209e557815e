import { ServiceRuntimes } from './service-runtimes';
import { NOT_RUNNING, ServiceRuntime } from './service-view.mapper';

const running = (pid: number, instance?: string): ServiceRuntime => ({
  status: 'running',
  pid,
  restarts: 0,
  startedAt: new Date('2026-11-26T06:00:00Z'),
  lastExitCode: null,
  statusReason: null,
  ...(instance ? { instance } : {}),
});

describe('ServiceRuntimes', () => {
  it('alone: shows what the supervisor set, with no instance', () => {
    const runtimes = new ServiceRuntimes();
    expect(runtimes.get('s1')).toBe(NOT_RUNNING);
    runtimes.set('s1', running(42));
    expect(runtimes.get('s1')).toEqual(running(42));
    expect(runtimes.get('s1').instance).toBeUndefined();
    expect(runtimes.countRunning()).toBe(1);
  });

  it("in a cluster: shows the owner's state while nothing runs here, and its own once it runs the service", () => {
    const runtimes = new ServiceRuntimes();
    runtimes.identifyAs('b');
    runtimes.set('s1', { ...NOT_RUNNING, statusReason: 'runs on another instance' });
    runtimes.setRemote('s1', running(42, 'a'));
    expect(runtimes.get('s1')).toMatchObject({ status: 'running', pid: 42, instance: 'a' });
    expect(runtimes.local('s1').pid).toBeNull();
    expect(runtimes.countRunning()).toBe(1);

    runtimes.set('s1', running(77));
    expect(runtimes.get('s1')).toMatchObject({ status: 'running', pid: 77, instance: 'b' });

    runtimes.set('s1', NOT_RUNNING);
    runtimes.setRemote('s1', null);
    expect(runtimes.get('s1')).toMatchObject({ status: 'stopped', pid: null });
    expect(runtimes.countRunning()).toBe(0);
  });

  it('forgets the remote state of a deleted service', () => {
    const runtimes = new ServiceRuntimes();
    runtimes.setRemote('s1', running(42, 'a'));
    runtimes.delete('s1');
    expect(runtimes.get('s1')).toBe(NOT_RUNNING);
    expect(runtimes.remoteIds()).toEqual([]);
  });
});
