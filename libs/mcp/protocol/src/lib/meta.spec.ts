import { notifiedProgressToken, progressTokenOf, requestMeta, withNotifiedProgressToken, withProgressToken } from './meta';

describe('requestMeta', () => {
  it.each([
    ['an object _meta', { _meta: { a: 1 } }, { a: 1 }],
    ['no params', undefined, undefined],
    ['array params', [{ _meta: { a: 1 } }], undefined],
    ['no _meta', { name: 'x' }, undefined],
    ['_meta null', { _meta: null }, undefined],
    ['_meta an array', { _meta: [1] }, undefined],
    ['_meta a string', { _meta: 'x' }, undefined],
  ])('%s', (_name, params, expected) => {
    expect(requestMeta({ params })).toEqual(expected);
  });
});

describe('progressTokenOf (params._meta.progressToken)', () => {
  it.each([
    ['a string token', { _meta: { progressToken: 'abc' } }, 'abc'],
    ['a number token', { _meta: { progressToken: 7 } }, 7],
    ['zero', { _meta: { progressToken: 0 } }, 0],
    ['the empty string', { _meta: { progressToken: '' } }, ''],
    ['null', { _meta: { progressToken: null } }, undefined],
    ['an object', { _meta: { progressToken: { a: 1 } } }, undefined],
    ['an array', { _meta: { progressToken: ['p1'] } }, undefined],
    ['a boolean', { _meta: { progressToken: true } }, undefined],
    ['no _meta', { progressToken: 'abc' }, undefined],
    ['no params', undefined, undefined],
  ])('%s', (_name, params, expected) => {
    expect(progressTokenOf({ params })).toEqual(expected);
  });
});

describe('withProgressToken', () => {
  it.each([
    [
      'replaces the token and keeps the rest',
      { name: 't', _meta: { progressToken: 1, other: 'x' } },
      { name: 't', _meta: { progressToken: 'p1', other: 'x' } },
    ],
    ['adds _meta where there was none', { name: 't' }, { name: 't', _meta: { progressToken: 'p1' } }],
    ['replaces a _meta that is not an object', { _meta: 'x' }, { _meta: { progressToken: 'p1' } }],
  ])('%s', (_name, params, expected) => {
    const before = JSON.stringify(params);
    expect(withProgressToken(params, 'p1')).toEqual(expected);
    expect(JSON.stringify(params)).toBe(before);
  });
});

describe('notifiedProgressToken (params.progressToken of notifications/progress)', () => {
  it.each([
    ['a string token', { progressToken: 'p3', progress: 1 }, 'p3'],
    ['a number token', { progressToken: 3 }, 3],
    ['null', { progressToken: null }, undefined],
    ['an object', { progressToken: {} }, undefined],
    ['only in _meta', { _meta: { progressToken: 'p3' } }, undefined],
    ['array params', ['p3'], undefined],
    ['no params', undefined, undefined],
  ])('%s', (_name, params, expected) => {
    expect(notifiedProgressToken({ params })).toEqual(expected);
  });
});

describe('withNotifiedProgressToken', () => {
  it.each([
    ['replaces the token and keeps the rest', { progressToken: 'p3', progress: 2, total: 5 }, { progressToken: 9, progress: 2, total: 5 }],
    ['sets it where params are missing', undefined, { progressToken: 9 }],
  ])('%s', (_name, params, expected) => {
    expect(withNotifiedProgressToken(params, 9)).toEqual(expected);
  });
});
