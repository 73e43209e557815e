import type { IncomingMessage } from 'node:http';
import { inBackground } from '../logging/background';

/**
 * The one bounded body reader (the MCP data plane, OAuth, cluster forwarding, and the REST API's
 * refusal of declared-oversized bodies), and what happens to a body that is refused. The client is
 * usually still sending when the 413 goes out: closing the connection then makes the kernel answer
 * its data with a reset, and the client sees EPIPE or ECONNRESET instead of the 413. So the rest is
 * read and thrown away, up to a bound in bytes and in time; past either bound the connection is cut.
 */

export class BodyTooLargeError extends Error {}

/** How much of a refused body is read and discarded so the client gets its 413. */
export const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;
/** How long a refused body may take to arrive before the connection is cut. */
export const DRAIN_LIMIT_MS = 10_000;

/** Reads the whole body up to `limit` bytes; a larger one is refused (and drained) before it is buffered. */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return joinPieces(await readBodyPieces(request, limit));
}

/** A body read in pieces as one buffer (a body that came in one chunk is not copied). */
export function joinPieces(pieces: readonly Buffer[]): Buffer {
  return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces);
}

/** Where a body of unknown length stops being read until `admit` resolves (once). */
export interface LargeBodyGate {
  fromBytes: number;
  admit: () => Promise<void>;
}

/**
 * `readBody` without the join: the body as the chunks it arrived in, for a reader that takes pieces
 * (a large MCP message is relayed as its own bytes, and a buffer of its size would be garbage at once).
 * With a `gate`, reading pauses once `fromBytes` have come in until the gate admits the rest.
 */
export function readBodyPieces(request: IncomingMessage, limit: number, gate?: LargeBodyGate): Promise<Buffer[]> {
  const declared = Number(request.headers['content-length']);
  if (declared > limit) {
    drainRefusedBody(request);
    return Promise.reject(new BodyTooLargeError(`Request body over ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let gated = false;
    // Every listener goes once the body is in: the request lives as long as its call, and any closure
    // left on it would keep every chunk (closures of one scope share it).
    const stop = (): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.on('error', ignoreError);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        stop();
        drainRefusedBody(request, size);
        reject(new BodyTooLargeError(`Request body over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
      if (gate && size >= gate.fromBytes && !gated) {
        gated = true;
        // Paused, the rest waits in the kernel; a client that goes away meanwhile still ends this with 'error'.
        request.pause();
        // Read on even if admitting failed (logged): a body left paused would hang its client.
        inBackground(
          gate.admit().finally(() => request.resume()),
          'BoundedBody',
          'Waiting for room for a large body',
        );
      }
    };
    const onEnd = (): void => {
      stop();
      resolve(chunks);
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', onError);
  });
}

/** A request's late error (the client went away after its body was in) is the response's business. */
function ignoreError(): void {
  // nothing to do: the body was read or refused
}

/**
 * Discards the rest of a refused body so the response reaches the client, and keeps the connection
 * usable afterwards; cuts it once `DRAIN_LIMIT_BYTES` or `DRAIN_LIMIT_MS` is exceeded. Send the 413
 * without `Connection: close`: Node closes such a connection as soon as the response is written.
 */
export function drainRefusedBody(request: IncomingMessage, alreadyRead = 0): void {
  if (request.complete) return;
  let drained = alreadyRead;
  const cut = (): void => {
    cleanUp();
    request.socket.destroy();
  };
  const timer = setTimeout(cut, DRAIN_LIMIT_MS);
  timer.unref();
  const onData = (chunk: Buffer): void => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT_BYTES) cut();
  };
  const cleanUp = (): void => {
    clearTimeout(timer);
    request.off('data', onData);
    request.off('end', cleanUp);
    request.off('close', cleanUp);
  };
  request.on('data', onData);
  request.once('end', cleanUp);
  request.once('close', cleanUp);
  request.resume();
}
