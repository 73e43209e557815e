import type { RegistryFieldView, RegistryOptionView, RegistryServerView } from '@mcp-proxy/shared/dto';

/**
 * The install dialog's rules, apart from Angular: which option to offer first, which fields still lack a
 * value, and the `values` to send (empty fields left out, so the record's defaults apply on the server).
 */

/** The first option this proxy can install, else the first one (shown with its reason). */
export function defaultOption(server: RegistryServerView): RegistryOptionView | null {
  return server.options.find((option) => option.installable) ?? server.options[0] ?? null;
}

/** Labels of required fields that are empty and have no default. */
export function missingRequired(fields: readonly RegistryFieldView[], entered: Readonly<Record<string, string>>): string[] {
  return fields.filter((field) => field.required && !field.default && !(entered[field.key] ?? '').trim()).map((field) => field.label);
}

/** What to send: only the fields given a value. */
export function installValues(fields: readonly RegistryFieldView[], entered: Readonly<Record<string, string>>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of fields) {
    const value = entered[field.key] ?? '';
    if (value.trim() !== '') values[field.key] = value;
  }
  return values;
}

/** A service name from the entry's name, as the API makes it when none is given. */
export function suggestedName(server: RegistryServerView): string {
  return (server.name.split('/').pop() ?? server.name)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
}

/** "npm · npx", "remote · streamable-http": what the option runs with, in a few words. */
export function optionLabel(option: RegistryOptionView): string {
  if (option.kind === 'remote') return `remote · ${option.transport} · ${option.identifier}`;
  const version = option.version ? `@${option.version}` : '';
  return `${option.registryType ?? option.kind} · ${option.runtime ?? '?'} · ${option.identifier}${version}`;
}
