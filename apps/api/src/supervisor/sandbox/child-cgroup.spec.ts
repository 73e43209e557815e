import { keyedNumber } from './child-cgroup';

describe('keyedNumber', () => {
  it.each([
    ['oom_kill_disable 0\nunder_oom 0\noom_kill 3\n', 'oom_kill', 3],
    ['max 12\n', 'max', 12],
    ['oom_kill_disable 0\n', 'oom_kill', 0],
    ['', 'max', 0],
  ])('%j %s → %d', (text, key, expected) => {
    expect(keyedNumber(text, key)).toBe(expected);
  });
});
