import type { DeclaredHandlers } from './declared-handlers';
import { GracefulShutdown } from './graceful-shutdown';
import { Readiness } from './readiness';

const NOTHING_DECLARED = { classes: () => [], methods: () => [] } as unknown as DeclaredHandlers;

describe('Readiness', () => {
  it('is starting until a listener opens, ready while it serves, draining once a graceful stop began', async () => {
    const shutdown = new GracefulShutdown(NOTHING_DECLARED);
    const readiness = new Readiness(shutdown);
    expect(readiness.state).toBe('starting');
    readiness.markListening();
    expect(readiness.state).toBe('ready');
    await shutdown.drain(10);
    expect(readiness.state).toBe('draining');
  });

  it('is draining when a stop begins before the app ever listened', async () => {
    const shutdown = new GracefulShutdown(NOTHING_DECLARED);
    const readiness = new Readiness(shutdown);
    await shutdown.drain(10);
    expect(readiness.state).toBe('draining');
  });
});
