import { ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';

const ENV_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const MAX_VALUE_LENGTH = 32 * 1024;

/**
 * Keys that let a value change how the child's runtime loads code or which programs it runs, so a
 * service could run something other than its command (a JVM agent, an npm or git hook, another `node`
 * earlier on PATH). They are refused outright, compared in upper case.
 */
export const FORBIDDEN_ENV_KEYS: readonly string[] = [
  'PATH',
  'NODE_OPTIONS',
  'NODE_PATH',
  'NODE_EXTRA_CA_CERTS',
  'JAVA_TOOL_OPTIONS',
  '_JAVA_OPTIONS',
  'JDK_JAVA_OPTIONS',
  'PYTHONSTARTUP',
  'PYTHONPATH',
  'PYTHONHOME',
  'PERL5OPT',
  'PERL5LIB',
  'PERLLIB',
  'RUBYOPT',
  'RUBYLIB',
  'BASH_ENV',
  'ENV',
  'SHELLOPTS',
  'GCONV_PATH',
];

/** Whole families refused by prefix: the dynamic loader's, npm's configuration, git's (hooks, ssh command, config files), exported bash functions. */
export const FORBIDDEN_ENV_PREFIXES: readonly string[] = ['LD_', 'DYLD_', 'NPM_CONFIG_', 'GIT_', 'BASH_FUNC_'];

/** Whether a service may not set this variable (case-insensitive: several runtimes read either case). */
export function isForbiddenEnvKey(key: string): boolean {
  const upper = key.toUpperCase();
  return FORBIDDEN_ENV_KEYS.includes(upper) || FORBIDDEN_ENV_PREFIXES.some((prefix) => upper.startsWith(prefix));
}

/** Why a service environment is refused, or null when it is acceptable. */
export function environmentProblems(value: unknown): string[] {
  if (value === undefined) return [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return ['environment must be an object of string values'];
  }
  const problems: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (!ENV_KEY_PATTERN.test(key)) problems.push(`environment.${key} is not a valid variable name`);
    else if (isForbiddenEnvKey(key)) {
      problems.push(`environment.${key} is not allowed: it changes how the child loads code`);
    } else if (typeof item !== 'string') problems.push(`environment.${key} must be a string`);
    else if (item.length > MAX_VALUE_LENGTH) problems.push(`environment.${key} is longer than ${MAX_VALUE_LENGTH} characters`);
  }
  return problems;
}

@ValidatorConstraint({ name: 'serviceEnvironment' })
export class ServiceEnvironmentConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return environmentProblems(value).length === 0;
  }

  defaultMessage(args: ValidationArguments): string {
    return environmentProblems(args.value).join('; ');
  }
}
