/** Where the value in force comes from. */
export type SettingSource = 'environment' | 'runtime' | 'default';

export type SettingValue = string | number | boolean | string[] | null;

export const SETTING_GROUPS = [
  'logging',
  'security',
  'processes',
  'service-defaults',
  'general',
  'network',
  'tls',
  'storage',
  'github',
] as const;
export type SettingGroup = (typeof SETTING_GROUPS)[number];

/** How the value is entered, so a form can offer the right control and check it before sending. */
export type SettingInput =
  | { type: 'integer'; min: number; max: number; unit?: string }
  | { type: 'boolean' }
  | { type: 'choice'; choices: string[] }
  | { type: 'list' }
  | { type: 'text' };

/** One server setting. Secrets (API_KEY, JWT_SECRET, ENCRYPTION_KEY, tokens) are never listed. */
export interface SettingView {
  key: string;
  group: SettingGroup;
  description: string;
  /** Changeable with PATCH /api/settings while the server runs; otherwise set in the environment, restart needed. */
  runtime: boolean;
  input: SettingInput;
  /** The value in force (URLs shown without credentials). */
  value: SettingValue;
  source: SettingSource;
  /** What the environment gives, or the default when it sets nothing: the value after a reset. */
  environmentValue: SettingValue;
  /** The built-in default. */
  defaultValue: SettingValue;
  /** When the value was changed at runtime; null when the environment's value is in force. */
  changedAt: string | null;
}
