/**
 * Ready templates for a first server: the well-known reference servers with the package, command and
 * arguments that run them and the values each needs (a field per variable). Data shared by the API
 * (`GET /api/templates`) and the portal, which turns a filled template into a create request with
 * `serviceFromTemplate`, so both ends build the same service. Imports types only, so the portal can
 * load it through its own entry point (`@mcp-proxy/shared/templates`) without the validators.
 */
import type { CreateServiceDto } from './service.dto';

/** `env`: an environment variable; `arg`: a command-line argument (`argFormat` shapes it, e.g. `--repository={value}`). */
export type TemplateVariableKind = 'env' | 'arg';

export interface TemplateVariable {
  /** The environment variable's name, or the argument's key in the form. */
  key: string;
  kind: TemplateVariableKind;
  label: string;
  description: string;
  required: boolean;
  /** Entered in a masked field and stored sealed. */
  secret: boolean;
  default: string | null;
  placeholder: string | null;
  /** For `arg`: how the value becomes arguments; `{value}` is replaced, each item is one argument. Default `['{value}']`. */
  argFormat?: string[];
}

export type TemplateRuntime = 'npx' | 'uvx';

export interface ServerTemplate {
  /** Also the suggested service name. */
  id: string;
  title: string;
  description: string;
  runtime: TemplateRuntime;
  /** The npm or PyPI package. */
  package: string;
  command: string;
  /** The arguments before those the variables add. */
  args: string[];
  variables: TemplateVariable[];
  /** A tool worth trying first, shown beside the template. */
  tryTool: string | null;
  homepage: string;
}

/** A template as `GET /api/templates` lists it: with whether this host can run its command. */
export interface ServerTemplateView extends ServerTemplate {
  available: boolean;
  /** What to install when it is not (e.g. uv for `uvx`); null when available. */
  unavailableReason: string | null;
}

const variable = (
  fields: Partial<TemplateVariable> & Pick<TemplateVariable, 'key' | 'kind' | 'label' | 'description'>,
): TemplateVariable => ({
  required: false,
  secret: false,
  default: null,
  placeholder: null,
  ...fields,
});

const REFERENCE = 'https://github.com/modelcontextprotocol/servers/tree/main/src';

export const SERVER_TEMPLATES: readonly ServerTemplate[] = [
  {
    id: 'everything',
    title: 'Everything (test server)',
    description: 'The MCP reference test server: tools, resources, prompts, progress, sampling and elicitation to try a client against.',
    runtime: 'npx',
    package: '@modelcontextprotocol/server-everything',
    command: 'npx',
    args: ['-y', '@modelcontextprotocol/server-everything', 'stdio'],
    variables: [],
    tryTool: 'echo',
    homepage: `${REFERENCE}/everything`,
  },
  {
    id: 'filesystem',
    title: 'Filesystem',
    description: 'Read, write, search and move files, only inside the directory you allow.',
    runtime: 'npx',
    package: '@modelcontextprotocol/server-filesystem',
    command: 'npx',
    args: ['-y', '@modelcontextprotocol/server-filesystem'],
    variables: [
      variable({
        key: 'directory',
        kind: 'arg',
        label: 'Allowed directory',
        description: 'The one directory the server may read and write (an absolute path on the proxy host).',
        required: true,
        placeholder: '/srv/shared',
      }),
    ],
    tryTool: 'list_allowed_directories',
    homepage: `${REFERENCE}/filesystem`,
  },
  {
    id: 'memory',
    title: 'Memory',
    description: 'A knowledge graph that persists entities, relations and observations between conversations.',
    runtime: 'npx',
    package: '@modelcontextprotocol/server-memory',
    command: 'npx',
    args: ['-y', '@modelcontextprotocol/server-memory'],
    variables: [
      variable({
        key: 'MEMORY_FILE_PATH',
        kind: 'env',
        label: 'Memory file',
        description: 'Where the graph is kept (a JSON-lines file); empty for the package default.',
        placeholder: '/var/lib/mcp/memory.jsonl',
      }),
    ],
    tryTool: 'read_graph',
    homepage: `${REFERENCE}/memory`,
  },
  {
    id: 'fetch',
    title: 'Fetch',
    description: 'Fetches a web page and returns it as Markdown.',
    runtime: 'uvx',
    package: 'mcp-server-fetch',
    command: 'uvx',
    args: ['mcp-server-fetch'],
    variables: [
      variable({
        key: 'userAgent',
        kind: 'arg',
        label: 'User agent',
        description: 'Sent with every request; empty for the default.',
        argFormat: ['--user-agent={value}'],
      }),
    ],
    tryTool: 'fetch',
    homepage: `${REFERENCE}/fetch`,
  },
  {
    id: 'git',
    title: 'Git',
    description: 'Reads and changes a Git repository: status, log, diff, commit, branches.',
    runtime: 'uvx',
    package: 'mcp-server-git',
    command: 'uvx',
    args: ['mcp-server-git'],
    variables: [
      variable({
        key: 'repository',
        kind: 'arg',
        label: 'Repository path',
        description: 'The repository the server works on (an absolute path on the proxy host).',
        required: true,
        placeholder: '/srv/repos/project',
        argFormat: ['--repository', '{value}'],
      }),
    ],
    tryTool: 'git_status',
    homepage: `${REFERENCE}/git`,
  },
  {
    id: 'sequential-thinking',
    title: 'Sequential thinking',
    description: 'A tool for step-by-step problem solving that revises and branches its thoughts.',
    runtime: 'npx',
    package: '@modelcontextprotocol/server-sequential-thinking',
    command: 'npx',
    args: ['-y', '@modelcontextprotocol/server-sequential-thinking'],
    variables: [
      variable({
        key: 'DISABLE_THOUGHT_LOGGING',
        kind: 'env',
        label: 'Disable thought logging',
        description: '"true" keeps the thoughts out of the service log.',
        placeholder: 'true',
      }),
    ],
    tryTool: 'sequentialthinking',
    homepage: `${REFERENCE}/sequentialthinking`,
  },
  {
    id: 'time',
    title: 'Time',
    description: 'Current time and time-zone conversions.',
    runtime: 'uvx',
    package: 'mcp-server-time',
    command: 'uvx',
    args: ['mcp-server-time'],
    variables: [
      variable({
        key: 'timezone',
        kind: 'arg',
        label: 'Local time zone',
        description: 'An IANA time zone (Europe/Paris); empty to use the host’s.',
        placeholder: 'Europe/Paris',
        argFormat: ['--local-timezone={value}'],
      }),
    ],
    tryTool: 'get_current_time',
    homepage: `${REFERENCE}/time`,
  },
];

export interface TemplateChoices {
  name: string;
  /** By variable key; an empty value leaves an optional variable out. */
  values: Record<string, string>;
  start: boolean;
  /** Working directory of the process; empty for the service's own home directory. */
  cwd?: string;
}

/** The variables still needing a value, by label; empty when the template can be created. */
export function missingTemplateValues(template: ServerTemplate, values: Record<string, string>): string[] {
  return template.variables.filter((item) => item.required && !(values[item.key] ?? '').trim()).map((item) => item.label);
}

/** The create request for a filled template. */
export function serviceFromTemplate(template: ServerTemplate, choices: TemplateChoices): CreateServiceDto {
  const given = (key: string): string => (choices.values[key] ?? '').trim();
  const args = [...template.args];
  const environment: Record<string, string> = {};
  for (const item of template.variables) {
    const value = given(item.key) || item.default || '';
    if (!value) continue;
    if (item.kind === 'env') environment[item.key] = value;
    else args.push(...(item.argFormat ?? ['{value}']).map((part) => part.split('{value}').join(value)));
  }
  const cwd = choices.cwd?.trim();
  return {
    name: choices.name,
    transport: 'stdio',
    process: { command: template.command, args, ...(cwd ? { cwd } : {}) },
    ...(Object.keys(environment).length > 0 ? { environment } : {}),
    start: choices.start,
  };
}
