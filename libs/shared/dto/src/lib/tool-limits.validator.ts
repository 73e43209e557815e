import { ValidatorConstraint, ValidatorConstraintInterface, ValidationArguments } from 'class-validator';

/**
 * `proxy.toolLimits`: tool name or glob (`*`, `?`) → calls per minute per client. A map of
 * user-chosen keys cannot be a nested DTO, so its shape is checked here, naming each bad entry.
 */
export const MAX_TOOL_LIMITS = 100;
export const MAX_TOOL_LIMIT_PATTERN_LENGTH = 200;
export const MAX_PER_MINUTE = 1_000_000;

export function toolLimitProblems(value: unknown): string[] {
  if (value === undefined) return [];
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return ['proxy.toolLimits must be an object of tool name (or glob) → calls per minute'];
  const entries = Object.entries(value);
  if (entries.length > MAX_TOOL_LIMITS) return [`proxy.toolLimits may hold at most ${MAX_TOOL_LIMITS} entries`];
  const problems: string[] = [];
  for (const [pattern, perMinute] of entries) {
    if (pattern.trim() === '' || pattern.length > MAX_TOOL_LIMIT_PATTERN_LENGTH) {
      problems.push(`proxy.toolLimits keys must be tool names or globs of 1 to ${MAX_TOOL_LIMIT_PATTERN_LENGTH} characters`);
    } else if (typeof perMinute !== 'number' || !Number.isInteger(perMinute) || perMinute < 1 || perMinute > MAX_PER_MINUTE) {
      problems.push(`proxy.toolLimits.${pattern} must be a whole number of calls per minute from 1 to ${MAX_PER_MINUTE}`);
    }
  }
  return problems;
}

@ValidatorConstraint({ name: 'toolLimits' })
export class ToolLimitsConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return toolLimitProblems(value).length === 0;
  }

  defaultMessage(args: ValidationArguments): string {
    return toolLimitProblems(args.value).join('; ');
  }
}
