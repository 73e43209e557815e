import { Injectable } from '@nestjs/common';
import type { BuildSandboxView, SandboxStatusView } from '@mcp-proxy/shared/dto';
import { ChildSandbox } from '../../supervisor/sandbox/child-sandbox';
import type { ServiceEntity } from '../../services/service.entity';
import type { CommandSpec } from './command-runner';

/** A build command wrapped in its sandbox, and what to do once it has exited. */
export interface ConfinedCommand {
  spec: CommandSpec;
  /** Removes the command's cgroups (and kills what is left in them). */
  release(): void;
}

/** Puts one install or build command of a deployment into the service's sandbox. */
export type Confiner = (spec: CommandSpec) => ConfinedCommand;

/**
 * A repository's install scripts and build are third-party code, as much as the server they build:
 * each of their commands runs in the sandbox the service's server gets (its own user, bubblewrap
 * without the proxy's files and processes, cgroup and rlimit caps), never as the proxy with its keys.
 * What this host could not apply is told once per deployment, through `onFirst`.
 */
@Injectable()
export class BuildSandbox {
  constructor(private readonly sandbox: ChildSandbox) {}

  confinerFor(service: ServiceEntity, onFirst: (view: BuildSandboxView) => void): Confiner {
    let told = false;
    return (spec) => {
      const launch = this.sandbox.prepare({
        entity: service,
        spec: {
          command: spec.command,
          args: spec.args,
          cwd: spec.cwd,
          env: spec.env,
        },
        defaultCwd: false,
      });
      if (!told) {
        told = true;
        onFirst(buildSandboxView(launch.status));
      }
      const { command, args, cwd, env } = launch.spec;
      return {
        spec: {
          ...spec,
          command,
          args,
          cwd,
          env,
          label: spec.label ?? [spec.command, ...spec.args].join(' '),
        },
        release: launch.release,
      };
    };
  }
}

/** Isolated when the steps cannot reach the proxy's keys: a user of the service's own, or a filesystem view without them. */
export function buildSandboxView(status: SandboxStatusView): BuildSandboxView {
  return {
    isolated: status.user !== null || status.filesystem === 'bubblewrap',
    applied: [...status.applied],
    notApplied: [...status.notApplied],
  };
}

/** The deploy log's line about it: plain words when the build is not confined. */
export function describeBuildSandbox(view: BuildSandboxView): string {
  const missing = view.notApplied.length > 0 ? ` (not applied: ${view.notApplied.join('; ')})` : '';
  if (!view.isolated) return `NOT SANDBOXED: install and build run with the proxy's own user and can read its keys and data${missing}`;
  return `install and build run in the service's sandbox: ${view.applied.join(', ')}${missing}`;
}
