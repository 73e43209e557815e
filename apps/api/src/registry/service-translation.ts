import type { CreateServiceDto, RegistryFieldView, RegistryOptionKind, RegistryOptionView } from '@mcp-proxy/shared/dto';
import { RESERVED_SERVICE_NAMES } from '@mcp-proxy/shared/dto';
import { hasSecret, headerSecretVariable, inputFields, Resolution, resolveInput } from './install-fields';
import type { RecordArgument, RecordPackage, RecordTransport, ServerRecord } from './server-record';

/**
 * A registry record's package or remote turned into the service-create request the services API takes:
 * npm → `npx -y <identifier>@<version>`, pypi → `uvx <identifier>==<version>`, oci → `<engine> run -i --rm
 * … <image>`, a remote → a `remote` service with its headers. Arguments and variables come from the
 * user's values; secrets go into the (sealed) environment, never onto a command line. Pure: the container
 * engine found on this host is given.
 */

/** The container engine this host can run images with, or why none. */
export interface ContainerEngineState {
  engine: 'docker' | 'podman' | null;
  reason: string | null;
}

export type ServiceRequest = Pick<CreateServiceDto, 'name' | 'transport' | 'process' | 'remote' | 'environment'>;

export interface Translation {
  service: ServiceRequest;
  /** The values entered that are not secret, kept so an update can fill the same fields again. */
  inputs: Record<string, string>;
  problems: string[];
}

const KNOWN_KINDS: Record<string, RegistryOptionKind> = { npm: 'npm', pypi: 'pypi', oci: 'oci' };
/** Runners each kind may ask for (`runtimeHint`), the first being the default. */
const RUNNERS: Record<string, readonly string[]> = { npm: ['npx'], pypi: ['uvx'], oci: ['docker', 'podman'] };
const REMOTE_PROTOCOLS = ['streamable-http', 'sse'];

/** Every way to install the record, with its fields and whether this host can run it. */
export function describeOptions(record: ServerRecord, engine: ContainerEngineState): RegistryOptionView[] {
  return [
    ...record.packages.map((item, index) => describePackage(item, index, engine)),
    ...record.remotes.map((remote, index) => describeRemote(remote, index)),
  ];
}

function describePackage(item: RecordPackage, index: number, engine: ContainerEngineState): RegistryOptionView {
  const kind = KNOWN_KINDS[item.registryType] ?? 'other';
  const runtime = runnerOf(item, engine);
  const reason = packageProblem(item, kind, runtime, engine);
  const fields = packageFields(item);
  let preview: string | null = null;
  if (reason === null && runtime) {
    const placeholders = Object.fromEntries(fields.map((field) => [field.key, field.default ?? `<${field.label}>`]));
    const command = packageCommand(item, kind, runtime, { values: placeholders, problems: [] }, new Set());
    preview = [runtime, ...command.args].map(shellWord).join(' ');
  }
  return {
    id: `package:${index}`,
    kind,
    registryType: item.registryType,
    identifier: item.identifier,
    version: item.version,
    runtime,
    transport: item.transport.type,
    pinned: kind === 'oci' ? imagePinned(item) : item.version !== null,
    installable: reason === null,
    reason,
    preview,
    fields,
  };
}

function describeRemote(remote: RecordTransport, index: number): RegistryOptionView {
  const reason = remoteProblem(remote);
  return {
    id: `remote:${index}`,
    kind: 'remote',
    registryType: null,
    identifier: remote.url ?? '',
    version: null,
    runtime: null,
    transport: remote.type,
    pinned: false,
    installable: reason === null,
    reason,
    preview: null,
    fields: remoteFields(remote),
  };
}

function runnerOf(item: RecordPackage, engine: ContainerEngineState): string | null {
  const runners = RUNNERS[item.registryType];
  if (!runners) return item.runtimeHint;
  if (item.runtimeHint) return item.runtimeHint;
  return item.registryType === 'oci' ? (engine.engine ?? runners[0]) : runners[0];
}

function packageProblem(
  item: RecordPackage,
  kind: RegistryOptionKind,
  runtime: string | null,
  engine: ContainerEngineState,
): string | null {
  if (kind === 'other') return `${item.registryType} packages cannot be run by this proxy (npm, pypi and oci can)`;
  if (item.transport.type !== 'stdio') {
    return `the package serves ${item.transport.type} itself; this proxy runs stdio packages (install a remote of this entry instead, if it has one)`;
  }
  const runners = RUNNERS[item.registryType];
  if (!runtime || !runners.includes(runtime)) {
    return `its runtime hint "${runtime ?? ''}" is not one this proxy uses for ${item.registryType} packages (${runners.join(', ')})`;
  }
  const secretArgument = [...item.runtimeArguments, ...item.packageArguments].find((argument) => hasSecret(argument));
  if (secretArgument) {
    return `it takes a secret on the command line (${argumentLabel(secretArgument, 0)}), where anyone who may see the service would read it; set it up by hand`;
  }
  if (kind === 'oci') {
    if (!engine.engine) return `no container engine is reachable here: ${engine.reason ?? 'neither docker nor podman answers'}`;
    if (runtime !== engine.engine) return `it asks for ${runtime}, but the container engine reachable here is ${engine.engine}`;
  }
  return null;
}

function remoteProblem(remote: RecordTransport): string | null {
  if (!REMOTE_PROTOCOLS.includes(remote.type))
    return `remote transport "${remote.type}" is not one this proxy speaks (streamable-http, sse)`;
  if (!remote.url) return 'the remote has no URL';
  const secretVariable = Object.entries(remote.variables).find(([, variable]) => variable.isSecret);
  if (secretVariable) return `its URL holds a secret ({${secretVariable[0]}}), which would be shown with the service; set it up by hand`;
  return null;
}

function argumentLabel(argument: RecordArgument, index: number): string {
  return argument.type === 'named' ? (argument.name ?? `argument ${index + 1}`) : (argument.valueHint ?? `argument ${index + 1}`);
}

function packageFields(item: RecordPackage): RegistryFieldView[] {
  return [
    ...item.environmentVariables.flatMap((variable) => inputFields(variable, `env.${variable.name}`, 'environment', variable.name)),
    ...item.runtimeArguments.flatMap((argument, index) =>
      inputFields(argument, `arg.runtime.${index}`, 'argument', argumentLabel(argument, index)),
    ),
    ...item.packageArguments.flatMap((argument, index) =>
      inputFields(argument, `arg.package.${index}`, 'argument', argumentLabel(argument, index)),
    ),
  ];
}

function remoteFields(remote: RecordTransport): RegistryFieldView[] {
  const used = new Set([...(remote.url ?? '').matchAll(/\{([A-Za-z_][A-Za-z0-9_-]{0,63})\}/g)].map((match) => match[1]));
  return [
    ...Object.entries(remote.variables)
      .filter(([name]) => used.has(name))
      .flatMap(([name, variable]) => inputFields(variable, `url.${name}`, 'url-variable', name)),
    ...remote.headers.flatMap((header) => inputFields(header, `header.${header.name}`, 'header', header.name)),
  ];
}

/** The fields of one option of the record (`package:0`, `remote:1`), or null when it has no such option. */
export function optionFields(record: ServerRecord, optionId: string): RegistryFieldView[] | null {
  const [where, index] = optionId.split(':');
  const item = where === 'package' ? record.packages[Number(index)] : record.remotes[Number(index)];
  if (!item) return null;
  return where === 'package' ? packageFields(item as RecordPackage) : remoteFields(item as RecordTransport);
}

/**
 * The service request for one option, with the user's values. `problems` lists what is missing or wrong
 * (each naming `values.<key>`, or the option); the request is only usable when it is empty.
 */
export function translate(
  record: ServerRecord,
  optionId: string,
  name: string,
  values: Record<string, string>,
  engine: ContainerEngineState,
): Translation {
  const option = describeOptions(record, engine).find((candidate) => candidate.id === optionId);
  if (!option) return { service: { name }, inputs: {}, problems: [`option ${optionId} is not one of ${record.name}'s`] };
  if (!option.installable) return { service: { name }, inputs: {}, problems: [`option ${optionId} cannot be installed: ${option.reason}`] };
  const inputs = Object.fromEntries(
    option.fields.filter((field) => !field.secret && values[field.key] !== undefined).map((field) => [field.key, values[field.key]]),
  );
  const into: Resolution = { values, problems: [] };
  const index = Number(optionId.split(':')[1]);
  const service = optionId.startsWith('package:')
    ? packageService(record.packages[index], option, name, into)
    : remoteService(record.remotes[index], name, into);
  return { service, inputs, problems: into.problems };
}

function packageService(item: RecordPackage, option: RegistryOptionView, name: string, into: Resolution): ServiceRequest {
  const environment: Record<string, string> = {};
  for (const variable of item.environmentVariables) {
    const value = resolveInput(variable, `env.${variable.name}`, variable.name, into, (_key, raw) => raw);
    if (value !== null) environment[variable.name] = value;
  }
  const runtime = option.runtime ?? '';
  const { args } = packageCommand(item, option.kind, runtime, into, new Set(Object.keys(environment)));
  return { name, transport: 'stdio', process: { command: runtime, args }, environment };
}

function packageCommand(
  item: RecordPackage,
  kind: RegistryOptionKind,
  runtime: string,
  into: Resolution,
  environmentNames: Set<string>,
): { args: string[] } {
  const runtimeArgs = argumentWords(item.runtimeArguments, 'runtime', into);
  const packageArgs = argumentWords(item.packageArguments, 'package', into);
  if (kind === 'npm') {
    const spec = item.version ? `${item.identifier}@${item.version}` : item.identifier;
    const yes = runtimeArgs.some((word) => word === '-y' || word === '--yes') ? [] : ['-y'];
    return { args: [...yes, ...runtimeArgs, spec, ...packageArgs] };
  }
  if (kind === 'pypi') {
    const spec = item.version ? `${item.identifier}==${item.version}` : item.identifier;
    return { args: [...runtimeArgs, spec, ...packageArgs] };
  }
  // A container sees only the variables named with -e (their values come from the child's environment, never argv).
  const passed = [...environmentNames].flatMap((variable) => ['-e', variable]);
  return { args: ['run', '-i', '--rm', ...runtimeArgs, ...passed, imageReference(item), ...packageArgs] };
}

/** Argument words in order: a positional's value; a named one's flag and value (a boolean flag alone when true). */
function argumentWords(list: RecordArgument[], where: 'runtime' | 'package', into: Resolution): string[] {
  const words: string[] = [];
  list.forEach((argument, index) => {
    const key = `arg.${where}.${index}`;
    const label = argumentLabel(argument, index);
    const raw = resolveInput(argument, key, label, into, (_key, value) => value);
    if (raw === null) return;
    // A repeatable argument entered by the user: one occurrence per line.
    const occurrences = argument.isRepeated && argument.value === null ? raw.split(/\r?\n/).filter((line) => line !== '') : [raw];
    for (const value of occurrences) {
      if (argument.type === 'positional') {
        if (value !== '') words.push(value);
      } else if (argument.format === 'boolean' && argument.value === null) {
        if (value === 'true') words.push(argument.name ?? '');
      } else {
        words.push(...(value === '' ? [argument.name ?? ''] : [argument.name ?? '', value]));
      }
    }
  });
  return words;
}

function remoteService(remote: RecordTransport, name: string, into: Resolution): ServiceRequest {
  const environment: Record<string, string> = {};
  const url = resolveInput(
    { ...emptyInput(), value: remote.url, variables: remote.variables, isRequired: true },
    'url',
    'url',
    into,
    (_key, value) => value,
  );
  const headers: Record<string, string> = {};
  for (const header of remote.headers) {
    // A secret (or a secret part) lives in the sealed environment; the header refers to it.
    const value = resolveInput(header, `header.${header.name}`, header.name, into, (fieldKey, raw) => {
      const variable = headerSecretVariable(fieldKey);
      environment[variable] = raw;
      return `\${${variable}}`;
    });
    if (value !== null) headers[header.name] = value;
  }
  return {
    name,
    transport: 'remote',
    remote: { url: url ?? '', protocol: remote.type === 'sse' ? 'sse' : 'streamable-http', headers },
    environment,
  };
}

function emptyInput(): Parameters<typeof resolveInput>[0] {
  return {
    description: null,
    isRequired: false,
    isSecret: false,
    format: 'string',
    value: null,
    default: null,
    placeholder: null,
    choices: null,
    variables: {},
  };
}

/** An image reference with its tag: the identifier's own, else `:<version>` when the record gives one. */
function imageReference(item: RecordPackage): string {
  if (hasTagOrDigest(item.identifier) || !item.version) return item.identifier;
  return `${item.identifier}:${item.version}`;
}

function hasTagOrDigest(reference: string): boolean {
  const lastPart = reference.slice(reference.lastIndexOf('/') + 1);
  return reference.includes('@sha256:') || lastPart.includes(':');
}

function imagePinned(item: RecordPackage): boolean {
  if (item.identifier.includes('@sha256:')) return true;
  const reference = imageReference(item);
  const lastPart = reference.slice(reference.lastIndexOf('/') + 1);
  const tag = lastPart.includes(':') ? lastPart.slice(lastPart.indexOf(':') + 1) : null;
  return tag !== null && tag !== 'latest';
}

/** A word as a shell would need it, for the preview only (the proxy itself never runs a shell). */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A service name from the entry's name: `io.github.owner/weather-server` → `weather-server`. */
export function defaultServiceName(recordName: string): string {
  const base = (recordName.split('/').pop() ?? recordName)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  if (base === '' || (RESERVED_SERVICE_NAMES as readonly string[]).includes(base)) return `mcp-${base || 'server'}`.slice(0, 63);
  return base;
}
