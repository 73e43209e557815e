import { Injectable } from '@nestjs/common';

export interface FetchedText {
  status: number;
  contentType: string;
  body: string;
}

/** What an answer may weigh: these endpoints send an address or a verdict, not pages. */
const MAX_BODY_BYTES = 64 * 1024;

/** Outbound HTTP GETs of the network module (public IP lookups, port checkers), each with a hard time-out. */
@Injectable()
export class HttpFetcher {
  async getText(url: string, timeoutMs: number): Promise<FetchedText> {
    const signal = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, { signal, redirect: 'follow', headers: { accept: 'application/json, text/plain;q=0.9' } });
    } catch (error) {
      throw new Error(describeFetchError(error, timeoutMs));
    }
    const body = await readLimited(response, signal, timeoutMs);
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', body };
  }
}

async function readLimited(response: Response, signal: AbortSignal, timeoutMs: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) {
        await reader.cancel();
        throw new Error(`answer larger than ${MAX_BODY_BYTES} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (signal.aborted) throw new Error(`no complete answer within ${timeoutMs} ms`);
    throw error;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
