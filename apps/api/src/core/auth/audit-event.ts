/**
 * Security news for the audit log, sent as an application event so that the modules that grant,
 * use and refuse credentials need not know who keeps the log.
 */
export const AUDIT_EVENT = 'audit.record';

export interface AuditEvent {
  /** What happened, dotted: `client-token.created`, `oauth.grant`, `mcp.refused` … */
  action: string;
  outcome: 'success' | 'refused';
  /** Who did it: a principal id, an OAuth client id, or `anonymous`. */
  actor: string;
  /** What it was done to: a service, a token, a grant. */
  target?: string;
  /** Why, for refusals, in words. */
  reason?: string;
  address?: string;
}
