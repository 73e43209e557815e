import type { SettingGroup, SettingSource, SettingValue, SettingView } from '@mcp-proxy/shared/dto';

/** What a form control holds for a setting: text for numbers and lists (so a half-typed value can be shown), a boolean for switches. */
export type SettingControlValue = string | boolean;

export const GROUP_LABELS: Record<SettingGroup, string> = {
  logging: 'Logging and metrics',
  security: 'Security and sessions',
  processes: 'MCP server processes',
  'service-defaults': 'Defaults for new services',
  general: 'General',
  network: 'Network',
  tls: 'TLS and certificates',
  storage: 'Storage',
  github: 'GitHub and deploys',
};

export const SOURCE_LABELS: Record<SettingSource, string> = {
  runtime: 'changed here',
  environment: 'environment',
  default: 'default',
};

export interface SettingSection {
  group: SettingGroup;
  label: string;
  settings: SettingView[];
}

/** Settings by group, in the order the API lists the groups; runtime ones or read-only ones only. */
export function sectionsOf(settings: SettingView[], runtime: boolean): SettingSection[] {
  const sections = new Map<SettingGroup, SettingSection>();
  for (const setting of settings.filter((item) => item.runtime === runtime)) {
    const section = sections.get(setting.group) ?? {
      group: setting.group,
      label: GROUP_LABELS[setting.group] ?? setting.group,
      settings: [],
    };
    section.settings.push(setting);
    sections.set(setting.group, section);
  }
  return [...sections.values()];
}

/** A value as one line of text: lists comma-separated, nothing as an em dash. */
export function displayValue(value: SettingValue): string {
  if (value === null || value === '') return '—';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(', ');
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return String(value);
}

export function controlValueOf(setting: SettingView): SettingControlValue {
  const { value } = setting;
  if (setting.input.type === 'boolean') return value === true;
  if (Array.isArray(value)) return value.join('\n');
  return value === null ? '' : String(value);
}

export type Parsed = { ok: true; value: SettingValue } | { ok: false; error: string };

/**
 * The form's text back into the typed value the API expects, with the same checks it makes (so most
 * mistakes show before saving); the API still has the last word.
 */
export function parseControlValue(setting: SettingView, raw: SettingControlValue): Parsed {
  const { input } = setting;
  switch (input.type) {
    case 'boolean':
      return { ok: true, value: raw === true };
    case 'integer': {
      const text = String(raw).trim();
      const number = Number(text);
      if (text === '' || !/^-?\d+$/.test(text) || number < input.min || number > input.max) {
        return { ok: false, error: `A whole number from ${input.min} to ${input.max}` };
      }
      return { ok: true, value: number };
    }
    case 'choice':
      return input.choices.includes(String(raw))
        ? { ok: true, value: String(raw) }
        : { ok: false, error: `One of ${input.choices.join(', ')}` };
    case 'list':
      return { ok: true, value: parseList(String(raw)) };
    default:
      return { ok: true, value: String(raw) };
  }
}

/** One entry per line or comma; blanks and repeats dropped. */
export function parseList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\n,]/)
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    ),
  ];
}

export interface Changes {
  body: Record<string, SettingValue>;
  errors: Record<string, string>;
}

/** The settings whose value in the form differs from the one in force, and the fields that do not parse. */
export function changesFrom(settings: SettingView[], values: Record<string, SettingControlValue>): Changes {
  const changes: Changes = { body: {}, errors: {} };
  for (const setting of settings) {
    if (!setting.runtime || !(setting.key in values)) continue;
    const parsed = parseControlValue(setting, values[setting.key]);
    if (!parsed.ok) changes.errors[setting.key] = parsed.error;
    else if (!sameValue(parsed.value, setting.value)) changes.body[setting.key] = parsed.value;
  }
  return changes;
}

/**
 * The API's 400 messages by the setting each names (they start with the key: `API_RATE_LIMIT must be …`);
 * messages that name none are returned under `''`.
 */
export function errorsByKey(messages: string[], keys: string[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const message of messages) {
    const key = keys.find((candidate) => message === candidate || message.startsWith(`${candidate} `)) ?? '';
    errors[key] = errors[key] ? `${errors[key]}; ${message}` : message;
  }
  return errors;
}

function sameValue(a: SettingValue, b: SettingValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Words kept as written in a label made from a variable name. */
const LABEL_WORDS: Record<string, string> = {
  API: 'API',
  URL: 'URL',
  URLS: 'URLs',
  MCP: 'MCP',
  TLS: 'TLS',
  HTTP: 'HTTP',
  HTTPS: 'HTTPS',
  UPNP: 'UPnP',
  OAUTH: 'OAuth',
  OIDC: 'OIDC',
  ACME: 'ACME',
  DNS: 'DNS',
  IP: 'IP',
  CORS: 'CORS',
  SSE: 'SSE',
  TTL: 'TTL',
  ID: 'ID',
  JWT: 'JWT',
  CPU: 'CPU',
  UI: 'UI',
  GITHUB: 'GitHub',
  REDIS: 'Redis',
  NPM: 'npm',
};
const LABEL_UNITS: Record<string, string> = {
  SEC: 's',
  MINUTES: 'min',
  MS: 'ms',
  MB: 'MB',
  KB: 'KB',
  BYTES: 'bytes',
  MIN: 'min',
  HOURS: 'h',
  DAYS: 'days',
};

/** A readable label for a variable name: `HEALTH_CHECK_INTERVAL_SEC` → "Health check interval (s)". */
export function settingLabel(key: string): string {
  const parts = key.split('_').filter(Boolean);
  const unit = parts.length > 1 ? LABEL_UNITS[parts[parts.length - 1]] : undefined;
  const words = (unit ? parts.slice(0, -1) : parts).map((part, index) => {
    const kept = LABEL_WORDS[part];
    if (kept) return kept;
    const lower = part.toLowerCase();
    return index === 0 ? lower[0].toUpperCase() + lower.slice(1) : lower;
  });
  return unit ? `${words.join(' ')} (${unit})` : words.join(' ');
}

/** Whether a setting answers the search box: its label, variable name or description contains every word typed. */
export function settingMatches(setting: SettingView, query: string): boolean {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = `${settingLabel(setting.key)} ${setting.key} ${setting.description}`.toLowerCase();
  return words.every((word) => text.includes(word));
}
