import { EventLog } from './event-log';

describe('EventLog', () => {
  it('replays only the named stream, after the given event', () => {
    const log = new EventLog();
    const a = log.newStreamId();
    const b = log.newStreamId();
    const a1 = log.append(a, 'a1');
    log.append(b, 'b1');
    log.append(a, 'a2');
    log.append(a, 'a3');
    expect(log.after(a1)).toEqual({
      streamId: a,
      events: [
        { id: `${a}-2`, data: 'a2' },
        { id: `${a}-3`, data: 'a3' },
      ],
    });
    expect(log.after(`${b}-1`)).toEqual({ streamId: b, events: [] });
  });

  it.each(['', 'nonsense', 's9-1', 's1-x', '-1'])('refuses an id it never issued: %p', (id) => {
    const log = new EventLog();
    log.append(log.newStreamId(), 'x');
    expect(log.after(id)).toBeNull();
  });

  it('forgets the oldest events past its bound', () => {
    const log = new EventLog();
    const stream = log.newStreamId();
    for (let i = 0; i < 1100; i++) log.append(stream, String(i));
    const replay = log.after(`${stream}-1`);
    expect(replay?.events).toHaveLength(1000);
    expect(replay?.events[0].data).toBe('100');
  });

  it('forgets a stream read to its end, and only that one', () => {
    const log = new EventLog();
    const done = log.newStreamId();
    const open = log.newStreamId();
    log.append(done, 'answer');
    log.append(open, 'o1');
    log.append(open, 'o2');
    log.forget(done);
    expect(log.after(`${done}-0`)).toBeNull();
    expect(log.after(`${open}-1`)?.events).toEqual([{ id: `${open}-2`, data: 'o2' }]);
    log.forget(done);
    for (let i = 0; i < 1000; i++) log.append(open, String(i));
    expect(log.after(`${open}-0`)?.events).toHaveLength(1000);
  });
});
