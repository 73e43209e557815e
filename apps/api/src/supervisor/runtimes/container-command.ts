import type { ContainerEngine } from './host-runtimes';
import { RuntimeUnavailableError } from './runtime-errors';

/** The service limits an engine can enforce on a container; 0 = none. */
export interface ContainerLimits {
  memoryMb: number;
  cpuPercent: number;
  maxProcesses: number;
  maxOpenFiles: number;
}

/** One stdio MCP server in a container: what to run and how the proxy knows it again. */
export interface ContainerRunSpec {
  engine: ContainerEngine;
  /** An OCI image reference (`mcp/fetch`, `ghcr.io/org/server:1.2`, `…@sha256:…`). */
  image: string;
  /** Given to the image's entry point. */
  args?: readonly string[];
  /** Variables passed into the container by name (`-e NAME`): the values come from the CLI's environment, never the command line. */
  env?: readonly string[];
  /** The container's name, which stop and kill use. */
  name: string;
  limits?: Partial<ContainerLimits>;
  /** More `run` options, before the image (a user's own `-v`, `--network`…). */
  options?: readonly string[];
}

const IMAGE_REFERENCE = /^[a-z0-9][a-z0-9._/:@+-]*$/i;

/**
 * `docker run -i --rm --name <name> [limits] [-e NAME…] [options] <image> [args]`: stdin open for the
 * proxy's messages, no TTY (it would mangle them), removed once it stops, named so the proxy can stop
 * it, and the service's limits given to the engine, which is what enforces them on a container. Limits
 * the options set already are left to them. Also what an install of an `oci` package from a registry
 * turns into.
 */
export function containerCommand(spec: ContainerRunSpec): { command: ContainerEngine; args: string[] } {
  if (!IMAGE_REFERENCE.test(spec.image)) throw new RuntimeUnavailableError(`"${spec.image}" is not an image reference`);
  const options = [...(spec.options ?? [])];
  const env = (spec.env ?? []).flatMap((name) => ['-e', name]);
  return {
    command: spec.engine,
    args: [
      'run',
      '-i',
      '--rm',
      '--name',
      spec.name,
      ...limitOptions(spec.limits ?? {}, options),
      ...env,
      ...options,
      spec.image,
      ...(spec.args ?? []),
    ],
  };
}

/** `mcp-proxy-<service>-<suffix>`: a valid container name, unique per child, that says whose it is. */
export function containerName(serviceName: string, suffix: string): string {
  return `mcp-proxy-${serviceName}-${suffix}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

/** Asks the engine to stop the container: SIGTERM, then SIGKILL after `graceSec`. */
export function containerStopArgs(name: string, graceSec: number): string[] {
  return ['stop', '--time', String(Math.max(0, Math.round(graceSec))), name];
}

/** Kills and removes it at once (the proxy is exiting and cannot wait). */
export function containerKillArgs(name: string): string[] {
  return ['rm', '--force', name];
}

/** A user's `docker run …` (or podman's) taken apart: their options, the image, the image's arguments. */
export interface ParsedContainerRun {
  options: string[];
  image: string;
  args: string[];
}

/** `run` options that take a value (the rest are flags): needed to tell an option's value from the image. */
const VALUE_OPTIONS = new Set(
  [
    'add-host',
    'annotation',
    'attach',
    'blkio-weight',
    'blkio-weight-device',
    'cap-add',
    'cap-drop',
    'cgroup-parent',
    'cgroupns',
    'cidfile',
    'cpu-period',
    'cpu-quota',
    'cpu-rt-period',
    'cpu-rt-runtime',
    'cpu-shares',
    'cpus',
    'cpuset-cpus',
    'cpuset-mems',
    'detach-keys',
    'device',
    'device-cgroup-rule',
    'device-read-bps',
    'device-read-iops',
    'device-write-bps',
    'device-write-iops',
    'dns',
    'dns-option',
    'dns-search',
    'domainname',
    'entrypoint',
    'env',
    'env-file',
    'expose',
    'gpus',
    'group-add',
    'health-cmd',
    'health-interval',
    'health-retries',
    'health-start-interval',
    'health-start-period',
    'health-timeout',
    'hostname',
    'ip',
    'ip6',
    'ipc',
    'isolation',
    'kernel-memory',
    'label',
    'label-file',
    'link',
    'link-local-ip',
    'log-driver',
    'log-opt',
    'mac-address',
    'memory',
    'memory-reservation',
    'memory-swap',
    'memory-swappiness',
    'mount',
    'name',
    'network',
    'net',
    'network-alias',
    'oom-score-adj',
    'pid',
    'pids-limit',
    'platform',
    'publish',
    'pull',
    'restart',
    'runtime',
    'security-opt',
    'shm-size',
    'stop-signal',
    'stop-timeout',
    'storage-opt',
    'sysctl',
    'tmpfs',
    'ulimit',
    'user',
    'userns',
    'uts',
    'volume',
    'volume-driver',
    'volumes-from',
    'workdir',
    // Podman's own.
    'arch',
    'os',
    'variant',
    'secret',
    'pod',
    'uidmap',
    'gidmap',
    'subuidname',
    'subgidname',
    'requires',
    'pidfile',
    'tz',
    'umask',
    'authfile',
    'cert-dir',
    'creds',
    'decryption-key',
    'seccomp-policy',
    'image-volume',
    'init-path',
    'cgroups',
    'cgroup-conf',
    'personality',
    'preserve-fds',
    'timeout',
    'unsetenv',
    'sdnotify',
    'passwd-entry',
    'group-entry',
    'chrootdirs',
    'env-merge',
  ].map((name) => `--${name}`),
);
const SHORT_VALUE_FLAGS = new Set(['a', 'c', 'e', 'h', 'l', 'm', 'p', 'u', 'v', 'w']);
const SHORT_LONG: Record<string, string> = { i: '--interactive', t: '--tty', d: '--detach' };

/**
 * Reads `run <options> <image> [args]`, refusing what cannot work under the proxy: a TTY (`-t`), a
 * detached container (`-d`), and a `--name` of the user's (the proxy names each container so it can
 * stop it, and two children of a service need two names). `-i` and `--rm` are dropped: always added.
 */
export function parseContainerRun(engine: ContainerEngine, args: readonly string[]): ParsedContainerRun {
  if (args[0] !== 'run')
    throw new RuntimeUnavailableError(`only "${engine} run …" commands can be services (got "${engine} ${args[0] ?? ''}")`);
  const options: string[] = [];
  const refuse = (flag: string): never => {
    if (flag === '--tty') throw new RuntimeUnavailableError(`${engine} run -t: a TTY mangles the JSON-RPC stream; use -i alone`);
    if (flag === '--detach')
      throw new RuntimeUnavailableError(`${engine} run -d: the proxy talks to the server over its stdin and stdout; leave -d out`);
    throw new RuntimeUnavailableError(`${engine} run --name: the proxy names each container itself (to stop it); leave --name out`);
  };
  let index = 1;
  for (; index < args.length; index++) {
    const arg = args[index];
    if (arg === '--') {
      index++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    if (arg.startsWith('--')) {
      const [flag] = arg.split('=', 1);
      if (flag === '--tty' || flag === '--detach' || flag === '--name') refuse(flag);
      if (flag === '--interactive' || flag === '--rm') continue;
      options.push(arg);
      if (VALUE_OPTIONS.has(flag) && !arg.includes('=')) {
        const value = args[++index];
        if (value === undefined) throw new RuntimeUnavailableError(`${engine} run ${flag} needs a value`);
        options.push(value);
      }
      continue;
    }
    // A cluster of short flags (`-it`, `-eKEY=value`): a flag that takes a value takes the rest (or the next argument).
    const kept: string[] = [];
    for (let at = 1; at < arg.length; at++) {
      const letter = arg[at];
      if (SHORT_LONG[letter] && SHORT_LONG[letter] !== '--interactive') refuse(SHORT_LONG[letter]);
      if (letter === 'i') continue;
      if (!SHORT_VALUE_FLAGS.has(letter)) {
        kept.push(`-${letter}`);
        continue;
      }
      const rest = arg.slice(at + 1).replace(/^=/, '');
      const value = rest !== '' ? rest : args[++index];
      if (value === undefined) throw new RuntimeUnavailableError(`${engine} run -${letter} needs a value`);
      kept.push(`-${letter}`, value);
      break;
    }
    options.push(...kept);
  }
  const image = args[index];
  if (image === undefined) throw new RuntimeUnavailableError(`${engine} run needs an image: ${engine} run -i --rm <image> [arguments]`);
  return { options, image, args: args.slice(index + 1) };
}

/** The limits as engine options, except those the user's options set already. */
function limitOptions(limits: Partial<ContainerLimits>, options: readonly string[]): string[] {
  const has = (...flags: string[]): boolean =>
    options.some((option) => flags.some((flag) => option === flag || option.startsWith(`${flag}=`)));
  const ulimits = options
    .filter((_, at) => at > 0 && options[at - 1] === '--ulimit')
    .concat(options.filter((option) => option.startsWith('--ulimit=')));
  const result: string[] = [];
  if ((limits.memoryMb ?? 0) > 0 && !has('-m', '--memory')) result.push('--memory', `${limits.memoryMb}m`);
  if ((limits.cpuPercent ?? 0) > 0 && !has('--cpus', '--cpu-quota')) result.push('--cpus', formatCpus(limits.cpuPercent ?? 0));
  if ((limits.maxProcesses ?? 0) > 0 && !has('--pids-limit')) result.push('--pids-limit', String(limits.maxProcesses));
  if ((limits.maxOpenFiles ?? 0) > 0 && !ulimits.some((value) => value.replace('--ulimit=', '').startsWith('nofile=')))
    result.push('--ulimit', `nofile=${limits.maxOpenFiles}:${limits.maxOpenFiles}`);
  return result;
}

/** 50 % of one core → `0.5`; 250 → `2.5`. */
function formatCpus(percent: number): string {
  return String(Math.round(percent) / 100);
}
