import { isErrorResponse, JsonRpcPeer, REQUEST_TIMEOUT } from '@mcp-proxy/mcp/protocol';
import { connect, Socket } from 'node:net';
import type { ChildHandle } from '../child-handle';

/** Resolves true when the child answered in time. Any answer counts, even an error: the server is alive. */
export type Probe = () => Promise<boolean>;

export interface HealthCheckOptions {
  intervalMs: number;
  /** Consecutive unanswered probes before the child is declared unresponsive. */
  failuresBeforeAction: number;
  probe: Probe;
  onUnresponsive: (failures: number) => void;
}

export const DEFAULT_FAILURES_BEFORE_RESTART = 3;

/**
 * Probes one child at a fixed interval, never two probes at once, and reports it once when it has
 * missed `failuresBeforeAction` probes in a row. Stops itself after reporting.
 */
export class HealthCheck {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;
  private stopped = false;

  constructor(private readonly options: HealthCheckOptions) {}

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const answered = await this.options.probe().catch(() => false);
    if (this.stopped) return;
    this.failures = answered ? 0 : this.failures + 1;
    if (this.failures >= this.options.failuresBeforeAction) {
      this.stop();
      this.options.onUnresponsive(this.failures);
      return;
    }
    this.schedule();
  }
}

/** MCP `ping` through the child's peer; only silence fails (a closed peer means the exit is already being handled). */
export function pingProbe(peer: JsonRpcPeer, timeoutMs: number): Probe {
  return async () => {
    const response = await peer.request('ping', undefined, { timeoutMs }).response;
    return !(isErrorResponse(response) && response.error.code === REQUEST_TIMEOUT);
  };
}

/** `http` services: a TCP connection to the port within the time-out. */
export function tcpProbe(port: number, timeoutMs: number, open: (port: number, host: string) => Socket = connect): Probe {
  return () =>
    new Promise((resolve) => {
      const socket = open(port, '127.0.0.1');
      const finish = (ok: boolean): void => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(timeoutMs, () => finish(false));
      socket.once('connect', () => finish(true));
      socket.once('error', () => finish(false));
    });
}

export interface HealthSettings {
  /** 0 turns the check off. */
  intervalSec: number;
  timeoutMs: number;
  failuresBeforeAction: number;
}

/**
 * The check for one child: MCP ping through its peer (`stdio`) or a TCP connect to its port (`http`).
 * Null when checks are off. `onUnresponsive` gets the sentence to log and to show as the exit reason.
 */
export function healthCheckFor(child: ChildHandle, settings: HealthSettings, onUnresponsive: (reason: string) => void): HealthCheck | null {
  const { intervalSec, failuresBeforeAction } = settings;
  if (!intervalSec) return null;
  // `settings.timeoutMs` is read at each probe: HEALTH_CHECK_TIMEOUT_SEC can change while the child runs.
  const { peer, port } = child;
  const probe: Probe | null = peer ? () => pingProbe(peer, settings.timeoutMs)() : port ? () => tcpProbe(port, settings.timeoutMs)() : null;
  if (!probe) return null;
  return new HealthCheck({
    intervalMs: intervalSec * 1000,
    failuresBeforeAction,
    probe,
    onUnresponsive: (failures) =>
      onUnresponsive(
        child.peer
          ? `unresponsive: no reply to ping in ${settings.timeoutMs / 1000} s, ${failures} times in a row`
          : `unresponsive: port ${child.port} refused connections ${failures} times in a row`,
      ),
  });
}
