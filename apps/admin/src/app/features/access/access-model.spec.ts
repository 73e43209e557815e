import { describeRestriction, parseNameList } from './access-model';

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
});
