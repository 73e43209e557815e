import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { ServiceMetricsView, ServiceView } from '@mcp-proxy/shared/dto';
import { AppLogger } from '../core/logging/app-logger';
import { ChildExit, ChildHandle, SERVICE_EVENTS, ServiceLogLine } from '../supervisor/child-handle';

/**
 * The Processes module's news, typed: one method per SERVICE_EVENTS entry. Listeners run inside
 * emit, so one that throws is logged here and never breaks supervision or the reading of a child's output.
 */
@Injectable()
export class ServiceEvents {
  constructor(
    private readonly emitter: EventEmitter2,
    private readonly logger: AppLogger,
  ) {}

  started(handle: ChildHandle): void {
    this.emit(SERVICE_EVENTS.started, handle);
  }

  exited(exit: ChildExit): void {
    this.emit(SERVICE_EVENTS.exited, exit);
  }

  status(view: ServiceView): void {
    this.emit(SERVICE_EVENTS.status, view);
  }

  log(line: ServiceLogLine): void {
    this.emit(SERVICE_EVENTS.log, line);
  }

  changed(serviceId: string): void {
    this.emit(SERVICE_EVENTS.changed, { serviceId });
  }

  metrics(view: ServiceMetricsView): void {
    this.emit(SERVICE_EVENTS.metrics, view);
  }

  private emit(event: string, payload: unknown): void {
    try {
      this.emitter.emit(event, payload);
    } catch (error) {
      this.logger.event('error', { event, err: error }, `A ${event} listener failed`);
    }
  }
}
