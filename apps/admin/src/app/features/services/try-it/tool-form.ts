import type { JsonSchema } from './mcp-types';

export type ToolFieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'json';

/** One input of the generated form. Values are kept as text (booleans as booleans) and converted on call. */
export interface ToolField {
  name: string;
  label: string;
  kind: ToolFieldKind;
  required: boolean;
  description: string | null;
  /** `enum`: the allowed values, as in the schema. */
  options: unknown[];
  /** The schema's `default`, when it has one. */
  defaultValue: unknown;
  /** `json`: the schema of the value, shown to help write it. */
  schema: JsonSchema;
}

export type ToolFieldValue = string | boolean;

export interface ToolFormPlan {
  fields: ToolField[];
  /**
   * The input schema is not an object with properties the form understands as a whole (e.g. a
   * top-level `oneOf`): arguments are entered as one JSON object.
   */
  jsonOnly: boolean;
}

/** Reads a tool's input schema into form fields; anything beyond the simple kinds gets a JSON box. */
export function planToolForm(schema: JsonSchema | undefined): ToolFormPlan {
  if (!schema || !isObjectSchema(schema)) return { fields: [], jsonOnly: true };
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const properties = schema.properties ?? {};
  const fields = Object.entries(properties).map(
    ([name, property]): ToolField => ({
      name,
      label: typeof property.title === 'string' && property.title ? property.title : name,
      kind: fieldKind(property),
      required: required.has(name),
      description: typeof property.description === 'string' ? property.description : null,
      options: enumOptions(property) ?? [],
      defaultValue: property.default,
      schema: property,
    }),
  );
  return { fields, jsonOnly: false };
}

function isObjectSchema(schema: JsonSchema): boolean {
  const types = typeList(schema);
  if (types.length > 0 && !types.includes('object')) return false;
  if (schema['oneOf'] !== undefined || schema['anyOf'] !== undefined || schema['allOf'] !== undefined) return false;
  return types.includes('object') || schema.properties !== undefined;
}

function typeList(schema: JsonSchema): string[] {
  if (typeof schema.type === 'string') return [schema.type];
  return Array.isArray(schema.type) ? schema.type.filter((type) => typeof type === 'string') : [];
}

function enumOptions(schema: JsonSchema): unknown[] | null {
  if (Array.isArray(schema.enum) && schema.enum.length > 0 && schema.enum.every(isPrimitive)) return schema.enum;
  if (schema.const !== undefined && isPrimitive(schema.const)) return [schema.const];
  return null;
}

function isPrimitive(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function fieldKind(schema: JsonSchema): ToolFieldKind {
  if (enumOptions(schema)) return 'enum';
  if (schema['oneOf'] !== undefined || schema['anyOf'] !== undefined || schema['allOf'] !== undefined) return 'json';
  // `["string", "null"]` is a string that may be left out.
  const types = typeList(schema).filter((type) => type !== 'null');
  if (types.length !== 1) return 'json';
  const [type] = types;
  return type === 'string' || type === 'number' || type === 'integer' || type === 'boolean' ? type : 'json';
}

/** The text (or boolean) a field starts with: the schema's default, else empty. */
export function initialValue(field: ToolField): ToolFieldValue {
  const value = field.defaultValue;
  switch (field.kind) {
    case 'boolean':
      return value === true;
    case 'enum':
      return value === undefined ? '' : JSON.stringify(value);
    case 'json':
      return value === undefined ? '' : JSON.stringify(value, null, 2);
    default:
      return value === undefined || value === null ? '' : String(value);
  }
}

/** The value an enum option is stored as in the form. */
export function enumKey(option: unknown): string {
  return JSON.stringify(option);
}

export type BuiltArguments = { ok: true; arguments: Record<string, unknown> } | { ok: false; errors: Record<string, string> };

/**
 * The `arguments` of `tools/call` from the form. Empty optional fields are left out (the server's
 * defaults apply); an optional checkbox without a default is sent only when ticked.
 */
export function buildArguments(fields: readonly ToolField[], values: Readonly<Record<string, ToolFieldValue>>): BuiltArguments {
  const args: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const raw = values[field.name];
    if (field.kind === 'boolean') {
      const checked = raw === true;
      const fallback = field.defaultValue === true;
      if (field.required || checked !== fallback) args[field.name] = checked;
      continue;
    }
    const text = typeof raw === 'string' ? raw : '';
    if (text.trim() === '') {
      if (field.required) errors[field.name] = 'Required';
      continue;
    }
    const converted = convert(field, text);
    if ('error' in converted) errors[field.name] = converted.error;
    else args[field.name] = converted.value;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, arguments: args };
}

function convert(field: ToolField, text: string): { value: unknown } | { error: string } {
  switch (field.kind) {
    case 'string':
      return { value: text };
    case 'number':
    case 'integer': {
      const value = Number(text.trim());
      if (!Number.isFinite(value)) return { error: 'Not a number' };
      if (field.kind === 'integer' && !Number.isInteger(value)) return { error: 'Must be a whole number' };
      return { value };
    }
    case 'enum':
      return { value: JSON.parse(text) };
    default:
      try {
        return { value: JSON.parse(text) };
      } catch (error) {
        return { error: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
      }
  }
}

/** The whole `arguments` object typed as JSON (the fallback for schemas the form cannot follow). */
export function parseArgumentsJson(text: string): BuiltArguments {
  if (text.trim() === '') return { ok: true, arguments: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: { json: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` } };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, errors: { json: 'Arguments must be a JSON object, like {"message": "hi"}' } };
  }
  return { ok: true, arguments: value as Record<string, unknown> };
}
