import { environmentProblems, isForbiddenEnvKey } from './environment.validator';

describe('forbidden service environment keys', () => {
  it.each([
    ['NODE_OPTIONS', true],
    ['JAVA_TOOL_OPTIONS', true],
    ['_JAVA_OPTIONS', true],
    ['JDK_JAVA_OPTIONS', true],
    ['npm_config_registry', true],
    ['NPM_CONFIG_GLOBALCONFIG', true],
    ['GIT_SSH_COMMAND', true],
    ['git_config_global', true],
    ['GIT_EXEC_PATH', true],
    ['PATH', true],
    ['path', true],
    ['PYTHONPATH', true],
    ['PYTHONSTARTUP', true],
    ['PYTHONHOME', true],
    ['PERL5OPT', true],
    ['PERL5LIB', true],
    ['RUBYOPT', true],
    ['RUBYLIB', true],
    ['BASH_ENV', true],
    ['ENV', true],
    ['LD_PRELOAD', true],
    ['LD_BIND_NOW', true],
    ['DYLD_FRAMEWORK_PATH', true],
    ['GITHUB_TOKEN', false],
    ['NPM_TOKEN', false],
    ['PATHNAME', false],
    ['ENVIRONMENT', false],
    ['MY_PATH', false],
    ['JAVA_HOME', false],
    ['DIGIT_COUNT', false],
  ])('%s forbidden: %p', (key, forbidden) => {
    expect(isForbiddenEnvKey(key)).toBe(forbidden);
    expect(environmentProblems({ [key]: 'x' })).toEqual(
      forbidden ? [`environment.${key} is not allowed: it changes how the child loads code`] : [],
    );
  });
});

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
