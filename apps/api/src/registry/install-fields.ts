import type { RegistryFieldKind, RegistryFieldView } from '@mcp-proxy/shared/dto';
import type { RecordInput } from './server-record';

/**
 * The values a registry record asks for (an input without a fixed `value`, or the `{variables}` of one
 * with a template) as form fields, and the resolution of an input from what the user entered. Pure.
 */

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_-]{0,63})\}/g;

/** What a secret part of a value becomes in the stored configuration (a `${NAME}` reference for headers; the value itself for variables). */
export type SecretSink = (fieldKey: string, value: string) => string;

export interface Resolution {
  values: Readonly<Record<string, string>>;
  /** One message per value that is missing or not acceptable, each naming its `values.<key>`. */
  problems: string[];
}

/** The fields one input contributes: itself when the user enters it, else the variables its template uses. */
export function inputFields(input: RecordInput, key: string, kind: RegistryFieldKind, label: string): RegistryFieldView[] {
  if (input.value === null) return [field(input, key, kind, label)];
  const used = new Set([...input.value.matchAll(PLACEHOLDER)].map((match) => match[1]));
  return Object.entries(input.variables)
    .filter(([name]) => used.has(name))
    .map(([name, variable]) => field(variable, `${key}.${name}`, kind, `${label} {${name}}`));
}

/** Whether any part of the input is secret (the input itself, or a variable its template uses). */
export function hasSecret(input: RecordInput): boolean {
  return input.isSecret || Object.values(input.variables).some((variable) => variable.isSecret);
}

function field(input: RecordInput, key: string, kind: RegistryFieldKind, label: string): RegistryFieldView {
  return {
    key,
    kind,
    label,
    description: input.description,
    required: input.isRequired,
    secret: input.isSecret,
    default: input.default,
    choices: input.choices,
    format: input.format,
    placeholder: input.placeholder,
  };
}

/**
 * The input's final text: its fixed value with the variables filled in, or what the user entered (else
 * the default). Null when an optional input was left empty. Secret parts go through `secret`.
 */
export function resolveInput(input: RecordInput, key: string, label: string, into: Resolution, secret: SecretSink): string | null {
  if (input.value === null) {
    const given = pick(input, key, label, into);
    return given === null ? null : input.isSecret ? secret(key, given) : given;
  }
  return input.value.replace(PLACEHOLDER, (match: string, name: string) => {
    const variable = input.variables[name];
    // The schema: a placeholder with no variable stays as it is.
    if (!variable) return match;
    const fieldKey = `${key}.${name}`;
    const given = pick(variable, fieldKey, `${label} {${name}}`, into);
    if (given === null) return '';
    return variable.isSecret ? secret(fieldKey, given) : given;
  });
}

function pick(input: RecordInput, key: string, label: string, into: Resolution): string | null {
  const given = into.values[key];
  const value = given !== undefined && given !== '' ? given : input.default;
  if (value === null || value === '') {
    if (input.isRequired) into.problems.push(`values.${key} (${label}) is required`);
    return null;
  }
  const problem = formatProblem(input, value);
  if (problem) {
    into.problems.push(`values.${key} (${label}) ${problem}`);
    return null;
  }
  return value;
}

function formatProblem(input: RecordInput, value: string): string | null {
  if (input.choices && !input.choices.includes(value)) return `must be one of ${input.choices.join(', ')}`;
  if (input.format === 'number' && !/^-?\d+(\.\d+)?$/.test(value)) return 'must be a number';
  if (input.format === 'boolean' && value !== 'true' && value !== 'false') return 'must be true or false';
  if (/[\r\n]/.test(value) && input.format !== 'string') return 'must be one line';
  return null;
}

/** The environment variable that holds a secret header part: `header.Authorization` → `MCP_HEADER_AUTHORIZATION`. */
export function headerSecretVariable(fieldKey: string): string {
  const rest = fieldKey.replace(/^header\./, '');
  return `MCP_HEADER_${rest.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`.slice(0, 128);
}
