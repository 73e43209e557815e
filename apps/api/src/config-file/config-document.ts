import { CreateGroupDto, CreateServiceDto } from '@mcp-proxy/shared/dto';
import { BadRequestException } from '@nestjs/common';
import { parse } from 'yaml';
import { validatePlain } from '../core/http/validation';

/** The whole configuration as a file: services (secrets as `${env:NAME}` references, unless exported with them), groups and the settings changed at runtime. */
export interface ConfigDocument {
  version: 1;
  services: CreateServiceDto[];
  groups: CreateGroupDto[];
  /** Runtime settings by key (as PATCH /api/settings takes them); each is checked by the settings' own rules when applied. */
  settings: Record<string, unknown>;
}

/** `${env:NAME}`: a value taken from the proxy's environment when the file is applied, never written out. */
export const ENV_REFERENCE = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;

/**
 * Parses and checks a configuration file with the same rules as the API (every service as a
 * CreateServiceDto, every group as a CreateGroupDto); problems name their place (`services[1].name …`).
 */
export function parseConfigDocument(text: string): ConfigDocument {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new BadRequestException([`The file is not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  const document = (raw ?? {}) as { version?: unknown; services?: unknown; groups?: unknown; settings?: unknown };
  const problems: string[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new BadRequestException(['The file must be a mapping with services and groups']);
  if (document.version !== undefined && document.version !== 1) problems.push('version must be 1');
  for (const key of Object.keys(raw)) {
    if (!['version', 'services', 'groups', 'settings'].includes(key)) problems.push(`${key}: property ${key} should not exist`);
  }
  const services = checkList(document.services, 'services', CreateServiceDto, problems);
  const groups = checkList(document.groups, 'groups', CreateGroupDto, problems);
  const settings = document.settings ?? {};
  if (typeof settings !== 'object' || Array.isArray(settings)) problems.push('settings must be a mapping of setting names to values');
  const seen = new Set<string>();
  services.forEach((service, index) => {
    if (seen.has(service.name)) problems.push(`services[${index}].name "${service.name}" appears twice`);
    seen.add(service.name);
  });
  if (problems.length > 0) throw new BadRequestException(problems);
  return {
    version: 1,
    services,
    groups,
    settings: typeof settings === 'object' && !Array.isArray(settings) ? (settings as Record<string, unknown>) : {},
  };
}

function checkList<T extends object>(value: unknown, key: string, type: new () => T, problems: string[]): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push(`${key} must be a list`);
    return [];
  }
  return value.map((item, index) => {
    const checked = validatePlain(type, item, `${key}[${index}]`);
    problems.push(...checked.problems);
    return checked.instance;
  });
}
