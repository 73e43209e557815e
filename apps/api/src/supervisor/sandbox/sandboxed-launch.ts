import type { SandboxStatusView } from '@mcp-proxy/shared/dto';
import type { SpawnSpec } from '../spawn/child-spawner';

/** A child's sandbox, from before it starts until after it is gone. */
export interface SandboxedLaunch {
  /** The command line to spawn: the server wrapped in its layers. */
  spec: SpawnSpec;
  status: SandboxStatusView;
  /** Why the child died when one of its limits explains it ("killed by memory limit 256 MB"); null otherwise. */
  explainExit(code: number | null, signal: NodeJS.Signals | null): string | null;
  /** While the child lives, calls `onBreach` once if a limit is hit without killing it (a fork refused, a grandchild OOM-killed). */
  watch(onBreach: (reason: string) => void): void;
  /** After the child is gone: stops watching, kills leftovers in its cgroups and removes them. */
  release(): void;
}
