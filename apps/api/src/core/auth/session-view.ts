import type { SessionView } from '@mcp-proxy/shared/dto';
import type { UiSessionEntity } from './ui-session.entity';

/** A session row as its owner or an admin sees it (never the token). */
export function toSessionView(row: UiSessionEntity, user: string, currentId: string | undefined): SessionView {
  return {
    id: row.id,
    user,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    address: row.address,
    userAgent: row.userAgent,
    current: row.id === currentId,
  };
}
