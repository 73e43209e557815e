import type { RegistryFieldView, RegistryOptionView, RegistryServerView } from '@mcp-proxy/shared/dto';
import { defaultOption, installValues, missingRequired, optionLabel, suggestedName } from './install-form.model';

const field = (key: string, extra: Partial<RegistryFieldView> = {}): RegistryFieldView => ({
  key,
  kind: 'environment',
  label: key.replace(/^env\./, ''),
  description: null,
  required: false,
  secret: false,
  default: null,
  choices: null,
  format: 'string',
  placeholder: null,
  ...extra,
});

const option = (id: string, installable: boolean, extra: Partial<RegistryOptionView> = {}): RegistryOptionView => ({
  id,
  kind: 'npm',
  registryType: 'npm',
  identifier: '@example/server',
  version: '1.0.0',
  runtime: 'npx',
  transport: 'stdio',
  pinned: true,
  installable,
  reason: installable ? null : 'no container engine is reachable here',
  preview: null,
  fields: [],
  ...extra,
});

const server = (options: RegistryOptionView[]): RegistryServerView => ({
  name: 'io.github.example/Weather_Server',
  title: null,
  description: 'Weather',
  version: '1.0.0',
  status: 'active',
  statusMessage: null,
  publishedAt: null,
  updatedAt: null,
  isLatest: true,
  websiteUrl: null,
  repositoryUrl: null,
  options,
  installedAs: [],
});

describe('the install form', () => {
  const fields = [
    field('env.TOKEN', { required: true, secret: true }),
    field('env.REGION', { required: true, default: 'eu' }),
    field('env.EXTRA'),
  ];

  it('asks for required fields without a default only', () => {
    expect(missingRequired(fields, {})).toEqual(['TOKEN']);
    expect(missingRequired(fields, { 'env.TOKEN': '  ' })).toEqual(['TOKEN']);
    expect(missingRequired(fields, { 'env.TOKEN': 'secret' })).toEqual([]);
  });

  it('sends only the fields given a value', () => {
    expect(installValues(fields, { 'env.TOKEN': 'secret', 'env.REGION': '', 'env.EXTRA': 'x', 'env.OTHER': 'y' })).toEqual({
      'env.TOKEN': 'secret',
      'env.EXTRA': 'x',
    });
  });

  it('offers the first installable option, else the first', () => {
    expect(defaultOption(server([option('package:0', false), option('remote:0', true)]))?.id).toBe('remote:0');
    expect(defaultOption(server([option('package:0', false)]))?.id).toBe('package:0');
    expect(defaultOption(server([]))).toBeNull();
  });

  it('names the service and the option in a few words', () => {
    expect(suggestedName(server([]))).toBe('weather-server');
    expect(optionLabel(option('package:0', true))).toBe('npm · npx · @example/server@1.0.0');
    expect(optionLabel(option('remote:0', true, { kind: 'remote', transport: 'sse', identifier: 'https://x.example/sse' }))).toBe(
      'remote · sse · https://x.example/sse',
    );
  });
});
