import { BURST_BYTES, BURST_QUIET_MS, BurstCollector, fullCollection } from './burst-collector';

describe('BurstCollector', () => {
  let bytes: number;
  let now: number;
  let collections: number;
  let collector: BurstCollector;

  beforeEach(() => {
    bytes = 0;
    now = 0;
    collections = 0;
    collector = new BurstCollector(
      () => bytes,
      () => collections++,
      () => now,
    );
  });

  /** Seconds of checks, one a second, with `perSecond` bytes of large messages each. */
  function run(seconds: number, perSecond = 0): void {
    for (let second = 0; second < seconds; second++) {
      bytes += perSecond;
      now += 1000;
      collector.check();
    }
  }

  it('collects once after a burst, when no large message has come for a while', () => {
    run(4, BURST_BYTES / 4);
    expect(collections).toBe(0);
    run(BURST_QUIET_MS / 1000 - 1);
    expect(collections).toBe(0);
    run(2);
    expect(collections).toBe(1);
    run(60);
    expect(collections).toBe(1);
  });

  it('does not collect while large messages keep coming, nor after a trickle', () => {
    run(30, BURST_BYTES / 4);
    expect(collections).toBe(0);
    run(10);
    expect(collections).toBe(1);
    run(5, BURST_BYTES / 16);
    run(30);
    expect(collections).toBe(1);
  });

  it('runs a real full collection', () => {
    expect(() => fullCollection()()).not.toThrow();
  });
});
