import { Injectable } from '@nestjs/common';
import type { ReadinessState } from '@mcp-proxy/shared/dto';
import { GracefulShutdown } from './graceful-shutdown';

/**
 * Whether a load balancer should send traffic here (`GET /health/ready`): not before the app listens (the
 * children wanted running are restored during init, before any listener opens), and not once a graceful
 * stop began. The first listener that opens marks the start; the drain of `GracefulShutdown` marks the end.
 */
@Injectable()
export class Readiness {
  private listening = false;

  constructor(private readonly shutdown: GracefulShutdown) {}

  markListening(): void {
    this.listening = true;
  }

  get state(): ReadinessState {
    if (this.shutdown.draining) return 'draining';
    return this.listening ? 'ready' : 'starting';
  }
}
