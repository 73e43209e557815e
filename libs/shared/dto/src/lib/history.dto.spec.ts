import 'reflect-metadata';
import { serviceEventFor } from './history.dto';

describe('serviceEventFor', () => {
  const running = { name: 'alpha', status: 'running' as const, restarts: 0 };
  it.each([
    ['a repeat is not news', running, { ...running }, null],
    [
      'a restart asked for says so',
      running,
      { ...running, status: 'restarting' as const, statusReason: 'restart requested' },
      'restarting on request',
    ],
    [
      'an automatic restart says why',
      running,
      { ...running, status: 'restarting' as const, restarts: 2, statusReason: 'exited with code 1\nstack' },
      'restarting on its own after an unexpected exit (automatic restart 2): exited with code 1',
    ],
    [
      'a crash counts its restarts',
      running,
      { ...running, status: 'crashed' as const, restarts: 1, statusReason: 'boom' },
      'crashed after 1 restart: boom',
    ],
    [
      'a stop with a reason gives it',
      running,
      { ...running, status: 'stopped' as const, statusReason: 'runs on another instance' },
      'stopped: runs on another instance',
    ],
    ['starting alone is not news', undefined, { ...running, status: 'starting' as const }, null],
  ])('%s', (_, previous, next, message) => {
    expect(serviceEventFor(previous, next)?.message ?? null).toBe(message);
  });
});
