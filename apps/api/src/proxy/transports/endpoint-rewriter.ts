import { Transform, TransformCallback } from 'node:stream';

/**
 * Rewrites the `endpoint` event of a legacy SSE stream from a reverse-proxied service: the child
 * announces a path on its own root (`/message?sessionId=…`), which clients must reach under the
 * service's prefix (`/mcp/<service>/message?sessionId=…`). Everything else passes untouched, unbuffered.
 */
export class SseEndpointRewriter extends Transform {
  private pending = '';
  private done = false;

  constructor(private readonly prefix: string) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.done) return callback(null, chunk);
    this.pending += chunk.toString('utf8');
    // Only the first event matters; hold text until it is complete (a blank line), then let go.
    const end = this.pending.search(/\r?\n\r?\n/);
    if (end === -1 && this.pending.length < 64 * 1024) return callback();
    this.done = true;
    const text = this.pending.replace(
      /(^|\n)event: ?endpoint\r?\ndata: ?(\/[^\r\n]*)/,
      (_match, start: string, path: string) => `${start}event: endpoint\ndata: ${this.prefix}${path}`,
    );
    this.pending = '';
    callback(null, Buffer.from(text, 'utf8'));
  }

  override _flush(callback: TransformCallback): void {
    callback(null, this.pending ? Buffer.from(this.pending, 'utf8') : undefined);
  }
}
