import { settingView, settingsList } from '../../testing/fixtures';
import {
  changesFrom,
  controlValueOf,
  displayValue,
  errorsByKey,
  parseControlValue,
  parseList,
  sectionsOf,
  settingLabel,
  settingMatches,
} from './settings-form.model';

describe('sectionsOf', () => {
  it('groups runtime settings apart from environment-only ones, in the order the API lists them', () => {
    const editable = sectionsOf(settingsList(), true);
    expect(editable.map((section) => [section.label, section.settings.map((setting) => setting.key)])).toEqual([
      ['Logging and metrics', ['LOG_LEVEL']],
      ['Security and sessions', ['API_RATE_LIMIT', 'ALLOWED_HOSTS']],
      ['Defaults for new services', ['SERVICE_DEFAULT_CACHE']],
    ]);
    expect(sectionsOf(settingsList(), false).map((section) => section.group)).toEqual(['general', 'storage']);
  });
});

describe('form values', () => {
  it.each([
    [settingView({ value: 600 }), '600'],
    [settingView({ input: { type: 'list' }, value: ['a.example', 'b.example'] }), 'a.example\nb.example'],
    [settingView({ input: { type: 'boolean' }, value: false }), false],
    [settingView({ input: { type: 'text' }, value: null }), ''],
  ])('shows %j in its control as %j', (setting, expected) => expect(controlValueOf(setting)).toEqual(expected));

  it.each([
    [null, '—'],
    ['', '—'],
    [[], 'none'],
    [['a', 'b'], 'a, b'],
    [true, 'on'],
    [8437, '8437'],
  ])('displays %j as %s', (value, expected) => expect(displayValue(value)).toBe(expected));
});

describe('parseControlValue', () => {
  const integer = settingView({ input: { type: 'integer', min: 1, max: 100 } });
  const choice = settingView({ input: { type: 'choice', choices: ['info', 'debug'] } });

  it.each([
    [integer, '42', { ok: true, value: 42 }],
    [integer, ' 100 ', { ok: true, value: 100 }],
    [integer, '0', { ok: false, error: 'A whole number from 1 to 100' }],
    [integer, '101', { ok: false, error: 'A whole number from 1 to 100' }],
    [integer, '2.5', { ok: false, error: 'A whole number from 1 to 100' }],
    [integer, '', { ok: false, error: 'A whole number from 1 to 100' }],
    [integer, 'ten', { ok: false, error: 'A whole number from 1 to 100' }],
    [choice, 'debug', { ok: true, value: 'debug' }],
    [choice, 'loud', { ok: false, error: 'One of info, debug' }],
    [settingView({ input: { type: 'list' } }), 'a.example\n b.example, a.example\n\n', { ok: true, value: ['a.example', 'b.example'] }],
    [settingView({ input: { type: 'boolean' } }), true, { ok: true, value: true }],
  ] as const)('%#: %j → %j', (setting, raw, expected) => expect(parseControlValue(setting, raw)).toEqual(expected));

  it('splits lists on lines and commas', () => expect(parseList(' x ,y\n\nz ')).toEqual(['x', 'y', 'z']));
});

describe('changesFrom', () => {
  it('sends only runtime settings whose value differs from the one in force, typed', () => {
    const settings = settingsList();
    const changes = changesFrom(settings, {
      LOG_LEVEL: 'debug',
      API_RATE_LIMIT: '300',
      ALLOWED_HOSTS: 'mcp.example.com',
      SERVICE_DEFAULT_CACHE: true,
      BACKEND_PORT: '9000',
    });
    expect(changes).toEqual({ body: { API_RATE_LIMIT: 300, ALLOWED_HOSTS: ['mcp.example.com'] }, errors: {} });
  });

  it('reports fields that do not parse instead of sending them', () => {
    expect(changesFrom(settingsList(), { API_RATE_LIMIT: '0', LOG_LEVEL: 'warn-ish' })).toEqual({
      body: {},
      errors: { API_RATE_LIMIT: 'A whole number from 1 to 1000000', LOG_LEVEL: 'One of error, warn, info, debug' },
    });
  });
});

describe('errorsByKey', () => {
  it('files each API message under the setting it starts with, the rest under ""', () => {
    expect(
      errorsByKey(
        [
          'API_RATE_LIMIT must be a whole number from 1 to 1000000',
          'API_RATE_LIMIT_X is not a setting',
          'the body must be an object of settings',
        ],
        ['API_RATE_LIMIT', 'LOG_LEVEL'],
      ),
    ).toEqual({
      API_RATE_LIMIT: 'API_RATE_LIMIT must be a whole number from 1 to 1000000',
      '': 'API_RATE_LIMIT_X is not a setting; the body must be an object of settings',
    });
  });
});

describe('settingLabel', () => {
  it.each([
    ['API_RATE_LIMIT', 'API rate limit'],
    ['HEALTH_CHECK_INTERVAL_SEC', 'Health check interval (s)'],
    ['SERVICE_DEFAULT_RATE_LIMIT', 'Service default rate limit'],
    ['UPNP_ENABLED', 'UPnP enabled'],
    ['GITHUB_WEBHOOK_SECRET', 'GitHub webhook secret'],
    ['LOG_LEVEL', 'Log level'],
  ])('reads %s as "%s"', (key, label) => expect(settingLabel(key)).toBe(label));
});

describe('settingMatches', () => {
  it('finds a setting by its label, its variable name or its description, every word typed', () => {
    const setting = settingView({ key: 'API_RATE_LIMIT', description: 'Requests per minute to the management API' });
    expect(settingMatches(setting, '')).toBe(true);
    expect(settingMatches(setting, 'rate limit')).toBe(true);
    expect(settingMatches(setting, 'api_rate')).toBe(true);
    expect(settingMatches(setting, 'minute management')).toBe(true);
    expect(settingMatches(setting, 'rate certificates')).toBe(false);
  });
});
