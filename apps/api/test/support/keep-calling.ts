import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { textOf } from './mcp-clients';

/** One `echo` call as the client saw it. */
export interface CallRecord {
  n: number;
  startedAt: number;
  endedAt: number;
  ok: boolean;
  error?: string;
}

/**
 * A client that keeps calling `echo` (one call at a time) until stopped, checking every answer
 * against its request and recording each outcome, so a test can say which calls failed and when.
 */
export function keepCalling(
  client: Client,
  { pauseMs = 20, timeoutMs = 20_000 } = {},
): { records: CallRecord[]; stop: () => Promise<void> } {
  const records: CallRecord[] = [];
  let running = true;
  const loop = (async () => {
    for (let n = 0; running; n++) {
      const startedAt = Date.now();
      try {
        const result = await client.callTool({ name: 'echo', arguments: { message: `call ${n}` } }, undefined, { timeout: timeoutMs });
        const ok = textOf(result).includes(`call ${n}`);
        records.push({ n, startedAt, endedAt: Date.now(), ok, error: ok ? undefined : `wrong answer: ${textOf(result)}` });
      } catch (error) {
        records.push({ n, startedAt, endedAt: Date.now(), ok: false, error: (error as Error).message });
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  })();
  return {
    records,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** Waits (bounded) until `count` more calls succeeded after `since` (epoch ms). */
export async function successesAfter(records: CallRecord[], since: number, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (records.filter((record) => record.ok && record.startedAt > since).length < count) {
    if (Date.now() > deadline) {
      const last = records.slice(-5).map((record) => `#${record.n} ${record.ok ? 'ok' : record.error}`);
      throw new Error(
        `fewer than ${count} successful calls after ${new Date(since).toISOString()} within ${timeoutMs} ms; last: ${last.join('; ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The management API of a running instance, over plain fetch. */
export async function api<T>(baseUrl: string, apiKey: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
