import { ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';

const ENV_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const MAX_VALUE_LENGTH = 32 * 1024;

/**
 * Keys that let a value change how the child's runtime loads code, so a service
 * could run something other than its command. They are refused outright.
 */
export const FORBIDDEN_ENV_KEYS: readonly string[] = [
  'NODE_OPTIONS',
  'NODE_PATH',
  'NODE_EXTRA_CA_CERTS',
  'LD_PRELOAD',
  'LD_LIBRARY_PATH',
  'LD_AUDIT',
  'DYLD_INSERT_LIBRARIES',
  'DYLD_LIBRARY_PATH',
  'PYTHONSTARTUP',
  'PYTHONPATH',
  'PERL5OPT',
  'RUBYOPT',
  'BASH_ENV',
  'ENV',
];

/** Why a service environment is refused, or null when it is acceptable. */
export function environmentProblems(value: unknown): string[] {
  if (value === undefined) return [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return ['environment must be an object of string values'];
  }
  const problems: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (!ENV_KEY_PATTERN.test(key)) problems.push(`environment.${key} is not a valid variable name`);
    else if (FORBIDDEN_ENV_KEYS.includes(key.toUpperCase())) {
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
