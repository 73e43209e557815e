import { compileFilter } from './name-filter';

describe('compileFilter', () => {
  it.each([
    [undefined, 'anything', true],
    [{}, 'anything', true],
    [{ allow: ['everything__echo'] }, 'everything__echo', true],
    [{ allow: ['everything__echo'] }, 'everything__get-sum', false],
    [{ allow: ['everything__*'] }, 'everything__get-sum', true],
    [{ allow: ['everything__*'] }, 'fixture__echo', false],
    [{ deny: ['*__get-env'] }, 'everything__get-env', false],
    [{ deny: ['*__get-env'] }, 'everything__echo', true],
    [{ allow: ['*'], deny: ['*secret*'] }, 'svc__read_secret', false],
    [{ allow: ['get-?um'] }, 'get-sum', true],
    [{ allow: ['a.b'] }, 'axb', false],
  ])('%j lets %s through: %s', (filter, name, expected) => {
    expect(compileFilter(filter)(name)).toBe(expected);
  });
});
