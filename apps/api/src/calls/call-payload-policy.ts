import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { AppConfig } from '../core/config/app-config';
import { SERVICE_EVENTS } from '../supervisor/child-handle';
import { ServicesService } from '../services/services.service';
import type { PayloadStorage } from './call-row';
import { compilePatterns, rulesFor } from './payload-redaction';

/**
 * Which services keep their calls' arguments and results (`callLog.payloads`), and how those are redacted: the
 * service's own secret values (environment, literal remote header values) and CALL_LOG_REDACT_PATTERNS. Read
 * from the registry at start and whenever a service changes, so the hot path only asks a Set.
 */
@Injectable()
export class CallPayloadPolicy implements OnModuleInit {
  private readonly logger = new Logger('CallLog');
  private readonly patterns: RegExp[];
  private readonly maxBytes: number;
  private storage = new Map<string, PayloadStorage>();

  constructor(
    private readonly services: ServicesService,
    config: AppConfig,
  ) {
    this.patterns = compilePatterns(config.get('CALL_LOG_REDACT_PATTERNS'));
    this.maxBytes = config.get('CALL_LOG_PAYLOAD_MAX_BYTES');
  }

  onModuleInit(): Promise<void> {
    return this.reload();
  }

  @OnEvent(SERVICE_EVENTS.changed)
  onServiceChanged(): Promise<void> {
    return this.reload();
  }

  storesPayloads(serviceId: string): boolean {
    return this.storage.has(serviceId);
  }

  /** How to store this service's payloads; null when it does not keep them. */
  storageOf(serviceId: string): PayloadStorage | null {
    return this.storage.get(serviceId) ?? null;
  }

  /** Never throws: a service whose secrets cannot be read keeps no payloads (they could not be redacted). */
  async reload(): Promise<void> {
    const next = new Map<string, PayloadStorage>();
    try {
      for (const service of await this.services.list()) {
        if (!service.callLog.payloads) continue;
        try {
          const environment = await this.services.environmentOf(service.id);
          const headers = await this.services.remoteHeadersOf(service.id);
          next.set(service.id, {
            rules: rulesFor([...Object.values(environment), ...Object.values(headers)], this.patterns),
            maxBytes: this.maxBytes,
          });
        } catch (error) {
          this.logger.warn(`Not storing the payloads of "${service.name}": ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      this.storage = next;
    } catch (error) {
      this.logger.error({ err: error }, 'Could not read which services store call payloads');
    }
  }
}
