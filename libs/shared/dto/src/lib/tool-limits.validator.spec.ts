import { toolLimitProblems } from './tool-limits.validator';

describe('toolLimitProblems', () => {
  it.each([
    ['absent', undefined, []],
    ['a glob and a name', { 'write_*': 10, echo: 1 }, []],
    ['an array', ['echo'], ['proxy.toolLimits must be an object of tool name (or glob) → calls per minute']],
    ['null', null, ['proxy.toolLimits must be an object of tool name (or glob) → calls per minute']],
    ['an empty key', { ' ': 3 }, ['proxy.toolLimits keys must be tool names or globs of 1 to 200 characters']],
    ['zero', { echo: 0 }, ['proxy.toolLimits.echo must be a whole number of calls per minute from 1 to 1000000']],
    ['a fraction', { echo: 1.5 }, ['proxy.toolLimits.echo must be a whole number of calls per minute from 1 to 1000000']],
    ['a string', { echo: '10' }, ['proxy.toolLimits.echo must be a whole number of calls per minute from 1 to 1000000']],
  ])('%s', (_, value, problems) => {
    expect(toolLimitProblems(value)).toEqual(problems);
  });

  it('refuses more than 100 entries', () => {
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`tool${i}`, 1]));
    expect(toolLimitProblems(many)).toEqual(['proxy.toolLimits may hold at most 100 entries']);
  });
});
