import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { resolve } from 'node:path';
import { AppConfig } from '../../core/config/app-config';
import { AppLogger } from '../../core/logging/app-logger';
import type { ServiceLogLine } from '../child-handle';
import { Clock } from '../../core/time/clock';
import { ServiceEvents } from '../../services/service-events';
import { PROXY_SECRETS } from '../spawn/proxy-secrets';
import { RotatingLogFile } from './rotating-log-file';
import { DEFAULT_LOG_CAPACITY, DEFAULT_MAX_LINE_LENGTH, ServiceLog } from './service-log';

/** The logs of every service the supervisor has run: `LOG_DIR/<name>.log`, an in-memory tail, and the `service.log` event. */
@Injectable()
export class ServiceLogs implements OnApplicationShutdown {
  private readonly logs = new Map<string, ServiceLog>();
  private readonly directory: string;

  constructor(
    config: AppConfig,
    private readonly events: ServiceEvents,
    private readonly logger: AppLogger,
    private readonly clock: Clock,
    @Inject(PROXY_SECRETS) private readonly proxySecrets: string[],
  ) {
    this.directory = resolve(config.get('LOG_DIR'));
  }

  /** The service's log, created on first use; kept across restarts so a crash's output stays readable. */
  open(serviceId: string, serviceName: string): ServiceLog {
    const existing = this.logs.get(serviceId);
    if (existing) return existing;
    const file = new RotatingLogFile(resolve(this.directory, `${serviceName}.log`), undefined, (error) =>
      this.logger.event(
        'error',
        { service: serviceName, err: error },
        `Cannot write the log file of "${serviceName}"; keeping logs in memory only`,
      ),
    );
    const log = new ServiceLog(serviceId, serviceName, {
      capacity: DEFAULT_LOG_CAPACITY,
      maxLineLength: DEFAULT_MAX_LINE_LENGTH,
      file,
      now: () => this.clock.now(),
      onLine: (line) => this.events.log(line),
      alwaysMasked: this.proxySecrets,
    });
    this.logs.set(serviceId, log);
    return log;
  }

  tail(serviceId: string, count: number): ServiceLogLine[] {
    return this.logs.get(serviceId)?.tail(count) ?? [];
  }

  /** A deleted service's tail goes; its file stays on disk for the operator. */
  async drop(serviceId: string): Promise<void> {
    const log = this.logs.get(serviceId);
    this.logs.delete(serviceId);
    await log?.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.logs.values()].map((log) => log.close()));
    this.logs.clear();
  }
}
