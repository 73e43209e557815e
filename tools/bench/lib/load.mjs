// The load loop: W workers share a counter of calls; worker w uses session w mod S. Every call echoes a message
// unique to the run, phase and call, and the reply must be exactly "Echo: <that message>", so a reply delivered to
// the wrong request or session counts as an error, never as a success.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

const RUN_ID = randomBytes(3).toString('hex');

export function makeMessage(phase, index, bytes) {
  const head = `${RUN_ID}-${phase}-${index}-`;
  return bytes > head.length ? head + 'x'.repeat(bytes - head.length) : head;
}

/** Shortens an error to a key that groups alike failures (ids and UUIDs masked). */
export function errorKey(error) {
  const message = String(error?.message ?? error)
    .replace(/<[^>]+>|&nbsp;/g, ' ')
    .replace(/\s+at\s[\s\S]*$/, '') // a stack trace in an HTML error page
    .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/gi, '<uuid>')
    .replace(/\bid \d+/g, 'id N')
    .replace(/\s+/g, ' ')
    .trim();
  const code = typeof error?.code === 'number' && error.code >= 100 && error.code < 600 ? `HTTP ${error.code}: ` : '';
  return (code + message).slice(0, 140);
}

/**
 * Runs `total` calls with `workers` in flight over `sessions`; stops early at `deadline` (performance.now() ms).
 * Returns latencies of the good calls, counts, an error histogram and the wall time.
 */
export async function runCalls({ sessions, workers, total, phase, payloadBytes, deadline }) {
  const latencies = [];
  const errors = new Map();
  let next = 0;
  let ok = 0;
  let failed = 0;
  let truncated = false;

  const worker = async (w) => {
    const session = sessions[w % sessions.length];
    for (;;) {
      if (performance.now() > deadline) {
        truncated = true;
        return;
      }
      const index = next++;
      if (index >= total) return;
      const message = makeMessage(phase, index, payloadBytes);
      const started = performance.now();
      try {
        const reply = await session.echo(message);
        const elapsed = performance.now() - started;
        if (reply === `Echo: ${message}`) {
          ok++;
          latencies.push(elapsed);
        } else {
          failed++;
          errors.set('reply mismatch (another call’s echo)', (errors.get('reply mismatch (another call’s echo)') ?? 0) + 1);
        }
      } catch (error) {
        failed++;
        const key = errorKey(error);
        errors.set(key, (errors.get(key) ?? 0) + 1);
      }
    }
  };

  const started = performance.now();
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  return { latencies, ok, failed, errors: Object.fromEntries(errors), wallMs: performance.now() - started, truncated };
}

/** Nearest-rank percentiles in ms. */
export function percentiles(values) {
  if (!values.length) return { p50: null, p99: null };
  const sorted = Float64Array.from(values).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { p50: at(0.5), p99: at(0.99) };
}
