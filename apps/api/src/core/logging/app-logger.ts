import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import type { LogLevel } from '../config/env.schema';
import type { ProxyLogRing } from './proxy-log-ring';

/** Nest's own start-up chatter (one line per module and route) is debug detail, not news. */
const FRAMEWORK_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/**
 * Structured JSON logs (one line per event) behind Nest's logger interface.
 * Known secret-bearing fields are redacted wherever they appear.
 */
export class AppLogger implements LoggerService {
  private readonly pino: Logger;

  /** `ring`: also keeps the recent lines in memory (the proxy log the admin reads). */
  constructor(level: LogLevel, destination: pino.DestinationStream = pino.destination({ sync: false }), ring?: ProxyLogRing) {
    this.pino = pino(
      {
        level,
        base: undefined,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        redact: {
          paths: ['apiKey', 'token', 'password', 'authorization', '*.apiKey', '*.token', '*.authorization', '*.environment'],
          censor: '[redacted]',
        },
      },
      ring
        ? pino.multistream([
            { stream: destination, level: 'trace' },
            { stream: ring, level: 'trace' },
          ])
        : destination,
    );
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  setLevel(level: LogLevel): void {
    this.pino.level = level;
  }

  /** Structured event with fields, for code that has more than a sentence to say. */
  event(level: 'info' | 'warn' | 'error' | 'debug', fields: Record<string, unknown>, message: string): void {
    this.pino[level](fields, message);
  }

  flush(): void {
    this.pino.flush();
  }

  /** Nest passes `(message, context)` or `(message, stack, context)`; the last string is the context. */
  private write(requested: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const level = requested === 'info' && context && FRAMEWORK_CONTEXTS.has(context) ? 'debug' : requested;
    if (!this.pino.isLevelEnabled(level)) return;
    const stack = rest.length > 1 && typeof rest[0] === 'string' ? rest[0] : undefined;
    if (message instanceof Error) {
      this.pino[level]({ context, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ context, ...(message as Record<string, unknown>) });
    } else {
      this.pino[level]({ context, ...(stack ? { stack } : {}) }, String(message));
    }
  }
}
