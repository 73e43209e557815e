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

  /** Awaited: what must act while the service's settings still stand (revoking its upstream grants) does so first. */
  async removing(serviceId: string): Promise<void> {
    try {
      await this.emitter.emitAsync(SERVICE_EVENTS.removing, { serviceId });
    } catch (error) {
      this.logger.event('error', { event: SERVICE_EVENTS.removing, err: error }, `A ${SERVICE_EVENTS.removing} listener failed`);
    }
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
