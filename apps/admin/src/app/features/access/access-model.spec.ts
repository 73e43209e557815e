import { describeRestriction, parseNameList, tokenTargets } from './access-model';

describe('access model', () => {
  it.each([
    ['', undefined],
    ['  ,  ', undefined],
    ['echo', ['echo']],
    ['echo, get-sum,echo', ['echo', 'get-sum']],
    ['a\nb', ['a', 'b']],
  ])('parses %j as %j', (text, expected) => {
    expect(parseNameList(text)).toEqual(expected);
  });

  it('describes restrictions', () => {
    expect(describeRestriction(null)).toBe('all');
    expect(describeRestriction([])).toBe('none');
    expect(describeRestriction(['echo', 'g/pair'])).toBe('echo, g/pair');
  });

  it('offers each service, each group and the all-services endpoint as token targets', () => {
    expect(tokenTargets([{ name: 'everything' }], [{ name: 'team' }])).toEqual([
      { value: 'everything', label: 'everything' },
      { value: 'g/team', label: 'Group team' },
      { value: 'g/all', label: 'All services endpoint (/mcp)' },
    ]);
  });
});
