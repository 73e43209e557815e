import { Injectable } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config';
import { Clock } from '../core/time/clock';
import { APP_VERSION } from '../version';
import { parseServerList, parseServerResponse, ServerListPage, ServerRecord, ServerRecordError } from './server-record';

/** The registry could not be asked, or answered something that is not a registry answer: the message says which. */
export class RegistryUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryUnavailableError';
  }
}

/** The registry has no such entry (or version). */
export class RegistryEntryNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryEntryNotFoundError';
  }
}

/** The registry refused the request itself (a cursor it does not know, a search it cannot run). */
export class RegistryRequestRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryRequestRefusedError';
  }
}

/** One answer, a whole catalog page included, is at most this big: a page of 100 records is a few hundred KB. */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
/** Connect, headers and body together. */
export const REQUEST_TIMEOUT_MS = 10_000;
const MAX_CACHED_ANSWERS = 300;
/** `/v0.1` is the registry API's frozen version; registries from before October 2025 serve `/v0` only. */
const API_VERSIONS = ['/v0.1', '/v0'] as const;
export type RegistryApiVersion = (typeof API_VERSIONS)[number];

export interface ListQuery {
  search?: string;
  cursor?: string;
  limit?: number;
}

interface Answer {
  status: number;
  body: unknown;
}

/**
 * The MCP Registry at REGISTRY_URL, read through its public API: the servers list (latest versions, cursor
 * paging, search) and one entry's version. Only URLs built from REGISTRY_URL are fetched: nothing a record
 * names is followed, redirects are refused, answers are bounded in size and time. Answers are reused for
 * REGISTRY_CACHE_TTL_SEC.
 */
@Injectable()
export class RegistryClient {
  readonly url: string | null;
  private readonly ttlMs: number;
  private readonly cache = new Map<string, { expiresAt: number; answer: Answer }>();
  private version: RegistryApiVersion | null = null;

  constructor(
    config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.url = config.get('REGISTRY_URL') || null;
    this.ttlMs = config.get('REGISTRY_CACHE_TTL_SEC') * 1000;
  }

  get enabled(): boolean {
    return this.url !== null;
  }

  /** The API path in use, once the registry has been asked. */
  get apiVersion(): RegistryApiVersion | null {
    return this.version;
  }

  /** One page of the latest version of each entry. */
  async list(query: ListQuery): Promise<ServerListPage> {
    const params = new URLSearchParams({ version: 'latest' });
    if (query.limit) params.set('limit', String(query.limit));
    if (query.search) params.set('search', query.search);
    if (query.cursor) params.set('cursor', query.cursor);
    const answer = await this.get(`/servers?${params.toString()}`);
    if (answer.status === 400 || answer.status === 422)
      throw new RegistryRequestRefusedError(`the registry refused the request: ${errorText(answer.body)}`);
    this.expectOk(answer);
    return this.read(() => parseServerList(answer.body));
  }

  /** One version of an entry (`latest` for the newest). */
  async entry(name: string, version: string): Promise<ServerRecord> {
    const answer = await this.get(`/servers/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`);
    if (answer.status === 404) throw new RegistryEntryNotFoundError(`the registry has no ${name} version ${version}`);
    this.expectOk(answer);
    return this.read(() => parseServerResponse(answer.body));
  }

  private expectOk(answer: Answer): void {
    if (answer.status !== 200) throw new RegistryUnavailableError(`the registry answered HTTP ${answer.status}: ${errorText(answer.body)}`);
  }

  private read<T>(parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      if (error instanceof ServerRecordError)
        throw new RegistryUnavailableError(`the registry's answer is not one this proxy can read: ${error.message}`);
      throw error;
    }
  }

  /** GET `<REGISTRY_URL><api version><path>`, from the cache when fresh. The API version is found with the first request. */
  private async get(path: string): Promise<Answer> {
    if (!this.url) throw new RegistryUnavailableError('no registry is configured (REGISTRY_URL)');
    if (this.version) return this.cached(`${this.url}${this.version}${path}`);
    for (const version of API_VERSIONS) {
      const answer = await this.cached(`${this.url}${version}${path}`);
      // A registry without this API version answers 404 for its list; an unknown entry of a known version is a 404 with a body too, so the list decides.
      if (answer.status === 404 && !(await this.servesVersion(version))) continue;
      this.version = version;
      return answer;
    }
    throw new RegistryUnavailableError(
      `${this.url} serves neither ${API_VERSIONS.join(' nor ')}/servers: is REGISTRY_URL an MCP Registry?`,
    );
  }

  private async servesVersion(version: RegistryApiVersion): Promise<boolean> {
    return (await this.cached(`${this.url}${version}/servers?limit=1`)).status !== 404;
  }

  private async cached(url: string): Promise<Answer> {
    const now = this.clock.now();
    const hit = this.cache.get(url);
    if (hit && hit.expiresAt > now) return hit.answer;
    const answer = await fetchJson(url);
    // Only answers worth reusing: a failure is asked again next time.
    if (this.ttlMs > 0 && (answer.status === 200 || answer.status === 404)) {
      this.cache.delete(url);
      this.cache.set(url, { expiresAt: now + this.ttlMs, answer });
      while (this.cache.size > MAX_CACHED_ANSWERS) this.cache.delete(this.cache.keys().next().value as string);
    }
    return answer;
  }
}

async function fetchJson(url: string): Promise<Answer> {
  const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(url, {
      signal,
      redirect: 'manual',
      headers: { accept: 'application/json', 'user-agent': `mcp-reverse-proxy/${APP_VERSION}` },
    });
  } catch (error) {
    throw new RegistryUnavailableError(`the registry could not be reached: ${describeFetchError(error)}`);
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    throw new RegistryUnavailableError(
      `the registry answered a redirect (HTTP ${response.status}), which is not followed: set REGISTRY_URL to where it points`,
    );
  }
  const text = await readBounded(response, signal);
  try {
    return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
  } catch {
    if (response.status !== 200) return { status: response.status, body: null };
    throw new RegistryUnavailableError('the registry answered something that is not JSON');
  }
}

async function readBounded(response: Response, signal: AbortSignal): Promise<string> {
  if (Number(response.headers.get('content-length') ?? 0) > MAX_ANSWER_BYTES) {
    await response.body?.cancel();
    throw new RegistryUnavailableError(`the registry's answer is larger than ${MAX_ANSWER_BYTES} bytes`);
  }
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_ANSWER_BYTES) {
        await reader.cancel();
        throw new RegistryUnavailableError(`the registry's answer is larger than ${MAX_ANSWER_BYTES} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (signal.aborted) throw new RegistryUnavailableError(`the registry did not answer completely within ${REQUEST_TIMEOUT_MS} ms`);
    throw error;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${REQUEST_TIMEOUT_MS} ms`;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** The registry's own error text (`{"error"}`, or huma's `{"detail"}`), short. */
function errorText(body: unknown): string {
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    const message = record['detail'] ?? record['error'] ?? record['title'];
    if (typeof message === 'string') return message.slice(0, 200);
  }
  return 'no details';
}
