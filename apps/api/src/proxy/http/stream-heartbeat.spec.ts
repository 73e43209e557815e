import { StreamHeartbeat } from './stream-heartbeat';

describe('StreamHeartbeat', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const counter = () => {
    const stream = { beats: 0, beat: () => stream.beats++ };
    return stream;
  };

  it('beats every stream once per interval, for an hour of idle', () => {
    const heartbeat = new StreamHeartbeat(15_000);
    const streams = Array.from({ length: 100 }, counter);
    for (const stream of streams) heartbeat.add(stream);

    jest.advanceTimersByTime(60 * 60 * 1000);

    // 240 intervals in an hour; a stream's first beat may come before a whole interval has passed.
    for (const stream of streams) expect(stream.beats).toBeGreaterThanOrEqual(240);
    for (const stream of streams) expect(stream.beats).toBeLessThanOrEqual(241);
  });

  it('spreads the streams over the interval: a tick beats a few, not all of them', () => {
    const heartbeat = new StreamHeartbeat(16_000);
    const streams = Array.from({ length: 1600 }, counter);
    for (const stream of streams) heartbeat.add(stream);

    jest.advanceTimersByTime(20);
    expect(streams.filter((stream) => stream.beats > 0)).toHaveLength(2);
    jest.advanceTimersByTime(1000);
    expect(streams.filter((stream) => stream.beats > 0)).toHaveLength(102);
  });

  it('stops beating a removed stream, and runs no timer once none is left', () => {
    const heartbeat = new StreamHeartbeat(1600);
    const kept = counter();
    const removed = counter();
    heartbeat.add(kept);
    const remove = heartbeat.add(removed);

    remove();
    remove();
    jest.advanceTimersByTime(16_000);

    expect(removed.beats).toBe(0);
    expect(kept.beats).toBe(10);
    expect(heartbeat.count).toBe(1);
    expect(jest.getTimerCount()).toBe(1);
  });

  it('holds no timer while no stream is open', () => {
    const heartbeat = new StreamHeartbeat(1000);
    heartbeat.add(counter())();

    expect(jest.getTimerCount()).toBe(0);
    expect(heartbeat.count).toBe(0);
  });
});
