import { fromPublished, parsePublished, toPublished } from './cluster-status';

describe('published runtime state', () => {
  const runtime = {
    status: 'running' as const,
    pid: 42,
    restarts: 2,
    startedAt: new Date('2026-11-26T06:00:00Z'),
    lastExitCode: 1,
    statusReason: null,
    lastExitReason: 'exited with code 1',
  };

  it('round-trips through JSON with the owning instance', () => {
    const published = toPublished(runtime, 'a');
    const back = fromPublished(parsePublished(JSON.stringify(published)) ?? published);
    expect(back).toEqual({ ...runtime, instance: 'a' });
  });

  it('names no instance for a stopped service', () => {
    expect(toPublished({ ...runtime, status: 'stopped', pid: null }, 'a').instance).toBeNull();
  });

  it('ignores what is not a published state', () => {
    expect(parsePublished(null)).toBeNull();
    expect(parsePublished('not json')).toBeNull();
    expect(parsePublished('{"status":"running"}')).toBeNull();
  });
});
