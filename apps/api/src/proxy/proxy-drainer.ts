import { Injectable } from '@nestjs/common';
import { Drainer, DrainsOnShutdown } from '../core/http/graceful-shutdown';
import { McpHttpHandler } from './mcp-http.handler';
import type { ClientSession } from './sessions/client-session';
import { SessionPersistence } from './sessions/session-persistence';
import { SessionStore } from './sessions/session-store';

/** What a client waits before reconnecting a stream the proxy ended because it restarts. */
const RECONNECT_AFTER_MS = 1000;
const POLL_MS = 20;

/**
 * The data plane's part of a graceful stop: Streamable HTTP GET streams are told to reconnect (they
 * carry no answers; the session comes back from its persisted copy), calls in progress are answered,
 * then legacy SSE streams and WebSockets (which carry those answers) are told to reconnect.
 */
@Injectable()
@DrainsOnShutdown()
export class ProxyDrainer implements Drainer {
  readonly name = 'mcp';

  constructor(
    private readonly handler: McpHttpHandler,
    private readonly sessions: SessionStore,
    private readonly persistence: SessionPersistence,
  ) {}

  async drain(deadline: number): Promise<void> {
    this.reconnectStreams((session) => session.transport === 'streamable-http');
    while (
      Date.now() < deadline &&
      (this.handler.callsInProgress > 0 || this.sessions.all().some((session) => session.inflightCount > 0))
    ) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    this.reconnectStreams(() => true);
    await this.persistence.flush();
  }

  private reconnectStreams(which: (session: ClientSession) => boolean): void {
    for (const session of this.sessions.all()) if (which(session)) session.standalone?.reconnect?.(RECONNECT_AFTER_MS);
  }
}
