import type { SandboxStatusView } from '@mcp-proxy/shared/dto';
import type { ChildExit, ChildHandle } from '../child-handle';
import type { ExitFacts, StopRequest } from './supervised-child';

/**
 * What the supervisor runs as a service's shared server: a local process (SupervisedChild) or a
 * connection to a remote MCP server (RemoteChild). Both end with an exit the restart policy judges.
 */
export interface RunningChild extends ChildHandle {
  readonly startedAt: number;
  readonly isRunning: boolean;
  /** For the service log: "pid 1234" or "https://mcp.example.com/mcp". */
  readonly description: string;
  /** The sandbox and limits a local process runs in; remote connections have none. */
  readonly sandbox?: SandboxStatusView | null;
  stop(request?: StopRequest): Promise<ChildExit>;
  /** Last resort when the proxy itself is exiting and cannot wait. */
  killNow(): void;
}

export type RunningChildExit = (child: RunningChild, facts: ExitFacts) => void;
