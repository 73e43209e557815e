import { DOCUMENT } from '@angular/common';
import { InjectionToken, inject } from '@angular/core';

/** The part of the browser's WebSocket the live client uses; tests provide a fake. */
export interface LiveSocket {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type LiveSocketFactory = (url: string) => LiveSocket;

/** Opens the socket; the browser's WebSocket outside tests. */
export const LIVE_SOCKET_FACTORY = new InjectionToken<LiveSocketFactory>('LIVE_SOCKET_FACTORY', {
  providedIn: 'root',
  factory: () => (url: string) => new WebSocket(url),
});

/** `ws(s)://<this origin>/ws`: the gateway serves the live channel on the admin origin too. */
export const LIVE_URL = new InjectionToken<string>('LIVE_URL', {
  providedIn: 'root',
  factory: () => liveUrlFor(inject(DOCUMENT).defaultView?.location ?? null),
});

export interface ReconnectPolicy {
  /** First delay after a lost connection. */
  readonly initialDelayMs: number;
  /** Delays double up to this. */
  readonly maxDelayMs: number;
  /** How long an unused connection stays open, so moving between pages does not reconnect. */
  readonly idleCloseMs: number;
}

export const LIVE_RECONNECT_POLICY = new InjectionToken<ReconnectPolicy>('LIVE_RECONNECT_POLICY', {
  providedIn: 'root',
  factory: () => ({ initialDelayMs: 1_000, maxDelayMs: 30_000, idleCloseMs: 10_000 }),
});

export function liveUrlFor(location: Pick<Location, 'protocol' | 'host'> | null): string {
  if (!location || !location.host) return 'ws://localhost/ws';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

/** Delay before reconnect attempt `attempt` (0-based): initial, doubled each time, capped. */
export function reconnectDelay(attempt: number, policy: Pick<ReconnectPolicy, 'initialDelayMs' | 'maxDelayMs'>): number {
  const exponent = Math.min(Math.max(attempt, 0), 30);
  return Math.min(policy.initialDelayMs * 2 ** exponent, policy.maxDelayMs);
}
