import { BadRequestException, ConflictException, Injectable, Logger } from '@nestjs/common';
import { CreateServiceDto, MASKED_VALUE } from '@mcp-proxy/shared/dto';
import type {
  ClientConfigEntryView,
  ClientConfigImportView,
  ClientConfigVariableView,
  ImportClientConfigDto,
  ServiceView,
} from '@mcp-proxy/shared/dto';
import { validatePlain } from '../../core/http/validation';
import { ProcessSupervisor } from '../../supervisor/process-supervisor';
import { ServiceCommandCheck } from '../service-command-check';
import { ServicesService } from '../services.service';
import { ClientConfigEntry, ClientConfigError, ClientConfigInput, fillInputs, parseClientConfig } from './client-config-parser';

interface Planned {
  entry: ClientConfigEntry;
  dto: CreateServiceDto;
  problems: string[];
}

/**
 * Turns a client's server list into services: a preview (names, commands, masked variables, what
 * stands in the way) and, when nothing does, every service created at once. If one creation fails
 * the ones already made are removed, so the import is all or nothing; starting follows creation.
 */
@Injectable()
export class ClientConfigImportService {
  private readonly logger = new Logger(ClientConfigImportService.name);

  constructor(
    private readonly services: ServicesService,
    private readonly supervisor: ProcessSupervisor,
    private readonly commandCheck: ServiceCommandCheck,
  ) {}

  async import(request: ImportClientConfigDto): Promise<ClientConfigImportView> {
    const parsed = this.parse(request);
    const values = withDefaults(parsed.inputs, request.values ?? {});
    const variables = variablesOf(parsed.entries, parsed.inputs, values);
    const plans = await this.plan(parsed.entries, values);
    const ready = plans.every((plan) => plan.problems.length === 0) && variables.every((variable) => variable.provided);
    const preview: ClientConfigImportView = {
      dryRun: request.dryRun === true,
      format: parsed.format,
      entries: plans.map(entryView),
      variables,
      ready,
    };
    if (request.dryRun) return preview;
    this.refuseUnready(plans, variables);
    const created = await this.createAll(plans.map((plan) => plan.dto));
    const started = request.start === false ? created : await Promise.all(created.map((service) => this.startQuietly(service)));
    return { ...preview, entries: preview.entries.map((entry, index) => ({ ...entry, service: started[index] })) };
  }

  private parse(request: ImportClientConfigDto): ReturnType<typeof parseClientConfig> {
    try {
      return parseClientConfig(request.config);
    } catch (error) {
      if (error instanceof ClientConfigError) throw new BadRequestException(error.problems);
      throw error;
    }
  }

  private async plan(entries: ClientConfigEntry[], values: Record<string, string>): Promise<Planned[]> {
    const existing = new Set((await this.services.list()).map((service) => service.name));
    const seen = new Map<string, string>();
    const plans: Planned[] = [];
    for (const entry of entries) {
      const dto = serviceDto(entry, values);
      const problems: string[] = [];
      if (existing.has(entry.name)) problems.push(`a service named "${entry.name}" already exists`);
      const twin = seen.get(entry.name);
      if (twin !== undefined) problems.push(`"${entry.name}" is also the name given to "${twin}"`);
      seen.set(entry.name, entry.key);
      problems.push(...validatePlain(CreateServiceDto, dto).problems);
      if (problems.length === 0) problems.push(...(await this.commandProblems(dto)));
      plans.push({ entry, dto, problems });
    }
    return plans;
  }

  private async commandProblems(dto: CreateServiceDto): Promise<string[]> {
    try {
      await this.commandCheck.onCreate(dto);
      return [];
    } catch (error) {
      if (error instanceof BadRequestException) return messagesOf(error);
      throw error;
    }
  }

  /** 409 when only name clashes stand in the way, 400 otherwise; every message names the entry. */
  private refuseUnready(plans: Planned[], variables: ClientConfigVariableView[]): void {
    const missing = variables.filter((variable) => !variable.provided).map((variable) => `values.${variable.id} is required`);
    const problems = plans.flatMap((plan) => plan.problems.map((problem) => `config.${plan.entry.path}: ${problem}`));
    if (missing.length === 0 && problems.length === 0) return;
    const onlyClashes =
      missing.length === 0 && plans.every((plan) => plan.problems.every((problem) => / already exists$|is also the name/.test(problem)));
    throw onlyClashes ? new ConflictException(problems) : new BadRequestException([...missing, ...problems]);
  }

  private async createAll(dtos: CreateServiceDto[]): Promise<ServiceView[]> {
    const created: ServiceView[] = [];
    try {
      for (const dto of dtos) created.push(await this.services.create({ ...dto, start: undefined }));
      return created;
    } catch (error) {
      for (const service of created) await this.services.remove(service.id).catch(() => undefined);
      throw error;
    }
  }

  /** A service that fails to start stays created and shows why, like one started from its page. */
  private async startQuietly(service: ServiceView): Promise<ServiceView> {
    try {
      return await this.supervisor.start(service.id);
    } catch (error) {
      this.logger.warn({ service: service.name, err: error }, 'Imported service did not start');
      return this.services.get(service.id);
    }
  }
}

function serviceDto(entry: ClientConfigEntry, values: Record<string, string>): CreateServiceDto {
  const fill = (text: string): string => fillInputs(text, values);
  const fillMap = (map: Record<string, string>): Record<string, string> =>
    Object.fromEntries(Object.entries(map).map(([key, value]) => [key, fill(value)]));
  const environment = Object.keys(entry.env).length > 0 ? { environment: fillMap(entry.env) } : {};
  if (entry.transport === 'remote') {
    const headers = Object.keys(entry.headers).length > 0 ? { headers: fillMap(entry.headers) } : {};
    return {
      name: entry.name,
      transport: 'remote',
      remote: { url: fill(entry.url ?? ''), protocol: entry.protocol, ...headers },
      ...environment,
    };
  }
  const cwd = entry.cwd ? { cwd: fill(entry.cwd) } : {};
  return {
    name: entry.name,
    transport: 'stdio',
    process: { command: fill(entry.command ?? ''), args: entry.args.map(fill), ...cwd },
    ...environment,
  };
}

/** The preview shows what the file says, values masked; placeholders in commands and arguments stay as written. */
function entryView(plan: Planned): ClientConfigEntryView {
  const { entry } = plan;
  const mask = (map: Record<string, string>): Record<string, string> =>
    Object.fromEntries(Object.keys(map).map((key) => [key, MASKED_VALUE]));
  return {
    key: entry.key,
    name: entry.name,
    transport: entry.transport,
    command: entry.command,
    args: entry.args,
    url: entry.url,
    environment: mask(entry.env),
    headers: mask(entry.headers),
    variables: entry.variables,
    problems: plan.problems,
  };
}

function withDefaults(inputs: ClientConfigInput[], given: Record<string, string>): Record<string, string> {
  const defaults = Object.fromEntries(inputs.filter((input) => input.default !== null).map((input) => [input.id, input.default as string]));
  return { ...defaults, ...Object.fromEntries(Object.entries(given).filter(([, value]) => value !== '')) };
}

/** Every placeholder used, described by its input when the file has one. */
function variablesOf(
  entries: ClientConfigEntry[],
  inputs: ClientConfigInput[],
  values: Record<string, string>,
): ClientConfigVariableView[] {
  const ids = [...new Set(entries.flatMap((entry) => entry.variables))];
  return ids.map((id) => {
    const input = inputs.find((item) => item.id === id);
    return { id, description: input?.description ?? null, secret: input?.secret ?? true, provided: values[id] !== undefined };
  });
}

function messagesOf(error: BadRequestException): string[] {
  const payload = error.getResponse();
  const message = typeof payload === 'string' ? payload : (payload as { message?: string | string[] }).message;
  return Array.isArray(message) ? message : [message ?? error.message];
}
