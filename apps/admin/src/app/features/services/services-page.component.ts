import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { AuthService } from '../../core/auth/auth.service';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import { RouterLink } from '@angular/router';
import type { ServiceStatus, ServiceView } from '@mcp-proxy/shared/dto';
import { describeHttpError } from '../../core/api/api-error';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { BusySpinnerComponent } from '../../shared/ui/busy-spinner/busy-spinner.component';
import { CopyButtonComponent } from '../../shared/ui/copy-button/copy-button.component';
import { LiveIndicatorComponent } from '../../shared/ui/live-indicator/live-indicator.component';
import { StatusChipComponent } from '../../shared/ui/status-chip/status-chip.component';
import { ServiceActionKey, ServiceActionsService } from './service-actions.service';
import { ServicesApiService } from './services-api.service';

/**
 * Every status, for the filter (a record so a new status fails to compile here). Not SERVICE_STATUSES:
 * values from the DTO library bring its validation decorators into the bundle.
 */
const STATUS_NAMES: Record<ServiceStatus, true> = {
  running: true,
  starting: true,
  restarting: true,
  deploying: true,
  stopped: true,
  crashed: true,
  failed: true,
};

/** Every registered service, its status kept current by the `status` channel. */
@Component({
  selector: 'mcp-services-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatProgressBarModule,
    MatSelectModule,
    MatTableModule,
    RouterLink,
    BusySpinnerComponent,
    CopyButtonComponent,
    LiveIndicatorComponent,
    StatusChipComponent,
  ],
  templateUrl: './services-page.component.html',
  styleUrl: './services-page.component.scss',
})
export class ServicesPageComponent {
  private readonly api = inject(ServicesApiService);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly live = inject(LiveSocketService);
  /** Creating services is for admins; the API refuses others anyway. */
  protected readonly canCreate = (): boolean => this.auth.allows('admin');
  private readonly auth = inject(AuthService);

  private readonly actions = inject(ServiceActionsService);
  /** Start and stop need operator; the API refuses others anyway. */
  protected readonly mayOperate = (): boolean => this.auth.allows('operator');
  private readonly origin = inject(DOCUMENT).defaultView?.location.origin ?? '';

  protected readonly columns = ['name', 'status', 'endpoint', 'transport', 'pid', 'restarts', 'actions'] as const;
  protected readonly statuses = Object.keys(STATUS_NAMES) as ServiceStatus[];
  protected readonly services = signal<ServiceView[] | null>(null);
  protected readonly query = signal('');
  protected readonly statusFilter = signal<ServiceStatus | ''>('');
  /** The services the search and the status filter let through. */
  protected readonly shown = computed(() => {
    const list = this.services();
    return list && filterServices(list, this.query(), this.statusFilter());
  });
  /** Which service's action runs now (one at a time), for its spinner. */
  protected readonly busy = signal<string | null>(null);
  protected readonly pending = signal<ServiceActionKey | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);

  constructor() {
    this.load();
    this.live
      .status()
      .pipe(takeUntilDestroyed())
      .subscribe((view) => this.services.update((list) => list && upsert(list, view)));
    this.live.ready$.pipe(takeUntilDestroyed()).subscribe(() => {
      if (this.services()) this.load(false);
    });
  }

  protected endpoint(service: ServiceView): string {
    return `${this.origin}${service.proxy.path}`;
  }

  protected isStopped(service: ServiceView): boolean {
    return service.status === 'stopped' || service.status === 'crashed' || service.status === 'failed';
  }

  /** Inline start or stop; a stop is confirmed with the number of connected clients first. */
  protected toggle(service: ServiceView): void {
    if (this.pending()) return;
    this.busy.set(service.id);
    this.actions
      .perform(service, this.isStopped(service) ? 'start' : 'stop', this.pending)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (view) => this.services.update((list) => list && upsert(list, view)),
        error: () => undefined,
      });
  }

  protected load(showProgress = true): void {
    if (showProgress) this.loading.set(true);
    this.error.set(null);
    this.api
      .list()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (services) => {
          this.services.set(services);
          this.loading.set(false);
        },
        error: (error: unknown) => {
          this.error.set(describeHttpError(error));
          this.loading.set(false);
        },
      });
  }
}

/** Services whose name, command or endpoint contains `query` (any case), of `status` when given. */
export function filterServices(list: readonly ServiceView[], query: string, status: ServiceStatus | ''): ServiceView[] {
  const needle = query.trim().toLowerCase();
  return list.filter(
    (service) =>
      (!status || service.status === status) &&
      (!needle || [service.name, service.process.command ?? '', service.proxy.path].some((text) => text.toLowerCase().includes(needle))),
  );
}

/** The list with `view` replacing the service of the same id (added, by name order, when new). */
export function upsert(list: readonly ServiceView[], view: ServiceView): ServiceView[] {
  const index = list.findIndex((item) => item.id === view.id);
  if (index >= 0) return list.map((item, i) => (i === index ? view : item));
  return [...list, view].sort((a, b) => a.name.localeCompare(b.name));
}
