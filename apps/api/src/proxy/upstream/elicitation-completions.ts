import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { type ElicitationComplete, UPSTREAM_OAUTH_EVENTS } from '../../upstream-auth/upstream-elicitations';
import { SessionStore } from '../sessions/session-store';

export const ELICITATION_COMPLETE = 'notifications/elicitation/complete';

/**
 * A connection started from a URL elicitation is made: the MCP session that was sent the link is told
 * (`notifications/elicitation/complete`, MCP 2025-11-25), so its client can call again at once. The session
 * lives on this instance or another; one held elsewhere learns nothing and its client retries on its own.
 */
@Injectable()
export class ElicitationCompletions {
  constructor(private readonly sessions: SessionStore) {}

  @OnEvent(UPSTREAM_OAUTH_EVENTS.elicitationComplete)
  onComplete(news: ElicitationComplete): void {
    for (const session of this.sessions.ofService(news.serviceId)) {
      if (session.id !== news.sessionId) continue;
      session.sendUnrelated({ jsonrpc: '2.0', method: ELICITATION_COMPLETE, params: { elicitationId: news.elicitationId } });
    }
  }
}
