import { environmentProblems } from './environment.validator';

describe('environmentProblems', () => {
  it.each([
    [undefined, []],
    [{}, []],
    [{ API_KEY: 'value', lower_case: 'ok', _UNDERSCORE: '' }, []],
    [null, ['environment must be an object of string values']],
    [['A=1'], ['environment must be an object of string values']],
    ['A=1', ['environment must be an object of string values']],
    [{ '1BAD': 'x' }, ['environment.1BAD is not a valid variable name']],
    [{ 'WITH-DASH': 'x' }, ['environment.WITH-DASH is not a valid variable name']],
    [{ NUM: 5 }, ['environment.NUM must be a string']],
    [{ NODE_OPTIONS: '--require x' }, ['environment.NODE_OPTIONS is not allowed: it changes how the child loads code']],
    [{ ld_preload: '/x.so' }, ['environment.ld_preload is not allowed: it changes how the child loads code']],
    [{ BIG: 'x'.repeat(32 * 1024 + 1) }, ['environment.BIG is longer than 32768 characters']],
  ])('%p → %p', (value, expected) => {
    expect(environmentProblems(value)).toEqual(expected);
  });
});
