import { metricsView, serviceView } from '../../testing/fixtures';
import { dashboardTotals, eventFor } from './dashboard-model';

describe('dashboardTotals', () => {
  it('adds up requests, errors, memory and CPU of running services', () => {
    const totals = dashboardTotals([
      { service: serviceView({ id: 'a', status: 'running' }), metrics: metricsView('a') },
      {
        service: serviceView({ id: 'b', status: 'running' }),
        metrics: metricsView('b', { rssBytes: 10 * 1024 * 1024, cpuPercent: 1.5 }, { requests: 100, errors: 15, requestsPerMinute: 3 }),
      },
      {
        service: serviceView({ id: 'c', status: 'stopped' }),
        metrics: metricsView('c', { rssBytes: 999, cpuPercent: 99 }, { requests: 0, errors: 0, requestsPerMinute: 0 }),
      },
    ]);
    expect(totals).toEqual({
      total: 3,
      running: 2,
      requestsPerMinute: 15,
      requests: 200,
      errors: 20,
      errorRate: 0.1,
      rssBytes: 60 * 1024 * 1024,
      cpuPercent: 3.5,
    });
  });

  it('says "unknown" rather than zero when nothing was measured', () => {
    const totals = dashboardTotals([{ service: serviceView({ status: 'stopped' }), metrics: null }]);
    expect(totals.errorRate).toBeNull();
    expect(totals.rssBytes).toBeNull();
    expect(totals.cpuPercent).toBeNull();
  });
});

describe('eventFor', () => {
  const running = serviceView({ status: 'running', restarts: 0 });
  it.each([
    [running, serviceView({ status: 'running', restarts: 0 }), null],
    [
      running,
      serviceView({ status: 'restarting', restarts: 1, statusReason: 'exited with code 1\nstack…' }),
      { kind: 'restarting', message: 'restarting on its own after an unexpected exit (automatic restart 1): exited with code 1' },
    ],
    [
      running,
      serviceView({ status: 'restarting', restarts: 0, statusReason: 'restart requested' }),
      { kind: 'restarting', message: 'restarting on request' },
    ],
    [
      running,
      serviceView({ status: 'crashed', restarts: 5, statusReason: 'boom' }),
      { kind: 'crashed', message: 'crashed after 5 restarts: boom' },
    ],
    [
      serviceView({ status: 'starting' }),
      serviceView({ status: 'failed', statusReason: 'spawn nope ENOENT' }),
      { kind: 'failed', message: 'failed to start: spawn nope ENOENT' },
    ],
    [
      serviceView({ status: 'starting', pid: null }),
      serviceView({ status: 'running', pid: 77 }),
      { kind: 'running', message: 'running, pid 77' },
    ],
    [running, serviceView({ status: 'stopped', pid: null }), { kind: 'stopped', message: 'stopped' }],
    [serviceView({ status: 'stopped' }), serviceView({ status: 'starting' }), null],
  ])('%#', (previous, next, expected) => {
    const event = eventFor(previous, next);
    if (expected === null) expect(event).toBeNull();
    else expect(event).toEqual({ service: 'everything', ...expected });
  });
});
