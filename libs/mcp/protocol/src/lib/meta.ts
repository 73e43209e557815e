/**
 * Typed access to a message's `_meta` and to progress tokens, so the proxy reads and rewrites them in
 * one way: a request asks for progress under `params._meta.progressToken`, and a
 * `notifications/progress` names that token as `params.progressToken` (MCP "Progress"). A token is a
 * string or a number; anything else counts as no token. Pure module.
 */

import { META_PROGRESS_TOKEN } from './mcp-constants';

export type ProgressToken = string | number;

type JsonObject = { [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isProgressToken(value: unknown): value is ProgressToken {
  return typeof value === 'string' || typeof value === 'number';
}

/** The message's `params._meta` object, if it has one. */
export function requestMeta(message: { params?: unknown }): JsonObject | undefined {
  const meta = isObject(message.params) ? message.params['_meta'] : undefined;
  return isObject(meta) ? meta : undefined;
}

/** The token a request asks progress under (`params._meta.progressToken`), if it has a valid one. */
export function progressTokenOf(message: { params?: unknown }): ProgressToken | undefined {
  const token = requestMeta(message)?.[META_PROGRESS_TOKEN];
  return isProgressToken(token) ? token : undefined;
}

/** A copy of request params with `_meta.progressToken` set to `token`; the rest of `_meta` is kept. */
export function withProgressToken(params: JsonObject, token: ProgressToken): JsonObject {
  return { ...params, _meta: { ...requestMeta({ params }), [META_PROGRESS_TOKEN]: token } };
}

/** The token a `notifications/progress` reports on (`params.progressToken`), if it has a valid one. */
export function notifiedProgressToken(message: { params?: unknown }): ProgressToken | undefined {
  const token = isObject(message.params) ? message.params[META_PROGRESS_TOKEN] : undefined;
  return isProgressToken(token) ? token : undefined;
}

/** A copy of a progress notification's params with `progressToken` set to `token`. */
export function withNotifiedProgressToken(params: unknown, token: ProgressToken): JsonObject {
  return { ...(isObject(params) ? params : {}), [META_PROGRESS_TOKEN]: token };
}
