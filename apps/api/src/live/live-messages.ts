import { DEPLOY_CHANNEL_PREFIX, LiveClientMessage, NETWORK_CHANNEL } from '@mcp-proxy/shared/dto';

export const LIVE_PATH = '/ws';
export const LOGS_CHANNEL_PREFIX = 'logs:';

export type ParsedClientMessage = { ok: true; message: LiveClientMessage } | { ok: false; error: string };

/** Reads one text frame from a live client; every way it can be wrong gets a message the client can act on. */
export function parseClientMessage(text: string): ParsedClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: 'messages must be JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'messages must be JSON objects' };
  const { type, token, channel } = value as Record<string, unknown>;
  if (type === 'auth') {
    return typeof token === 'string' && token.length > 0
      ? { ok: true, message: { type, token } }
      : { ok: false, error: 'auth needs a token' };
  }
  if (type === 'subscribe' || type === 'unsubscribe') {
    if (typeof channel !== 'string' || !isChannel(channel)) {
      return {
        ok: false,
        error: `unknown channel ${JSON.stringify(channel)}: use "status", "metrics", "network", "logs:<service>" or "deploy:<deploymentId>"`,
      };
    }
    return { ok: true, message: { type, channel } };
  }
  return { ok: false, error: `unknown message type ${JSON.stringify(type)}: use auth, subscribe or unsubscribe` };
}

function isChannel(channel: string): boolean {
  return (
    channel === 'status' ||
    channel === 'metrics' ||
    channel === NETWORK_CHANNEL ||
    (channel.startsWith(LOGS_CHANNEL_PREFIX) && channel.length > LOGS_CHANNEL_PREFIX.length) ||
    (channel.startsWith(DEPLOY_CHANNEL_PREFIX) && channel.length > DEPLOY_CHANNEL_PREFIX.length)
  );
}
