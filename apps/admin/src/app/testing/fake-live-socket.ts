import type { LiveClientMessage, LiveServerMessage } from '@mcp-proxy/shared/dto';
import {
  LIVE_RECONNECT_POLICY,
  LIVE_SOCKET_FACTORY,
  LIVE_URL,
  type LiveSocket,
  type LiveSocketFactory,
} from '../core/live/live-socket.tokens';

/** A scriptable stand-in for the browser WebSocket. */
export class FakeLiveSocket implements LiveSocket {
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  readonly sent: LiveClientMessage[] = [];
  closedWith: { code?: number; reason?: string } | null = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(JSON.parse(data) as LiveClientMessage);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }

  /** The server accepted the connection. */
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  /** The server sent a message. */
  receive(message: LiveServerMessage): void {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(message) }));
  }

  /** The connection ended (server side or network). */
  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason, wasClean: code === 1000 } as CloseEvent);
  }

  /** Opens and authenticates: what a healthy gateway does. */
  accept(): void {
    this.open();
    this.receive({ type: 'ready' });
  }
}

/** Records every socket the service opens. */
export function fakeSocketFactory(): { factory: LiveSocketFactory; sockets: FakeLiveSocket[]; last: () => FakeLiveSocket } {
  const sockets: FakeLiveSocket[] = [];
  return {
    factory: (url: string) => {
      const socket = new FakeLiveSocket(url);
      sockets.push(socket);
      return socket;
    },
    sockets,
    last: () => {
      const socket = sockets.at(-1);
      if (!socket) throw new Error('no socket was opened');
      return socket;
    },
  };
}

/** Providers that give LiveSocketService fake sockets (and no reconnect delays worth waiting for). */
export function provideFakeLive(): {
  providers: { provide: unknown; useValue: unknown }[];
  sockets: ReturnType<typeof fakeSocketFactory>;
} {
  const sockets = fakeSocketFactory();
  return {
    sockets,
    providers: [
      { provide: LIVE_SOCKET_FACTORY, useValue: sockets.factory },
      { provide: LIVE_URL, useValue: 'ws://gateway.test/ws' },
      { provide: LIVE_RECONNECT_POLICY, useValue: { initialDelayMs: 1_000, maxDelayMs: 30_000, idleCloseMs: 1_000 } },
    ],
  };
}
