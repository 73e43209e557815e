import { HttpClient } from '@angular/common/http';
import { Injectable, Signal, inject, signal } from '@angular/core';
import type { HealthView, ServiceStatus } from '@mcp-proxy/shared/dto';
import type { Subscription } from 'rxjs';
import { HEALTH_URL } from '../api/api-paths';
import { describeHttpError } from '../api/api-error';

/**
 * The gateway's health as `GET /health` tells it (ok or degraded, with the problems this user may see),
 * held once for the whole portal so the header and the dashboard always show the same state.
 */
@Injectable({ providedIn: 'root' })
export class GatewayHealthService {
  private readonly http = inject(HttpClient);
  private readonly view = signal<HealthView | null>(null);
  private readonly failure = signal<string | null>(null);
  private readonly busy = signal(false);
  private pending: Subscription | null = null;
  /** When the last answer arrived (ms), to count the uptime on from it. */
  loadedAt = Date.now();

  readonly health: Signal<HealthView | null> = this.view.asReadonly();
  readonly error: Signal<string | null> = this.failure.asReadonly();
  readonly loading: Signal<boolean> = this.busy.asReadonly();

  /** Asks again; an answer still awaited is dropped, so the newest always wins. */
  refresh(): void {
    this.pending?.unsubscribe();
    this.busy.set(true);
    this.failure.set(null);
    this.pending = this.http.get<HealthView>(HEALTH_URL).subscribe({
      next: (health) => {
        this.loadedAt = Date.now();
        this.view.set(health);
        this.busy.set(false);
      },
      error: (error: unknown) => {
        this.failure.set(describeHttpError(error));
        this.busy.set(false);
      },
    });
  }

  /** A service changed status: asks again when that can change the answer (it crashed or failed, or the gateway is degraded now). */
  noteServiceStatus(status: ServiceStatus): void {
    if (status === 'crashed' || status === 'failed' || this.view()?.status === 'degraded') this.refresh();
  }
}
