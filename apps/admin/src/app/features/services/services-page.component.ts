import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { AuthService } from '../../core/auth/auth.service';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import { RouterLink } from '@angular/router';
import type { ServiceView } from '@mcp-proxy/shared/dto';
import { describeHttpError } from '../../core/api/api-error';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { LiveIndicatorComponent } from '../../shared/ui/live-indicator/live-indicator.component';
import { StatusChipComponent } from '../../shared/ui/status-chip/status-chip.component';
import { ServicesApiService } from './services-api.service';

/** Every registered service, its status kept current by the `status` channel. */
@Component({
  selector: 'mcp-services-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatProgressBarModule, MatTableModule, RouterLink, LiveIndicatorComponent, StatusChipComponent],
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

  protected readonly columns = ['name', 'status', 'transport', 'pid', 'restarts'] as const;
  protected readonly services = signal<ServiceView[] | null>(null);
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

/** The list with `view` replacing the service of the same id (added, by name order, when new). */
export function upsert(list: readonly ServiceView[], view: ServiceView): ServiceView[] {
  const index = list.findIndex((item) => item.id === view.id);
  if (index >= 0) return list.map((item, i) => (i === index ? view : item));
  return [...list, view].sort((a, b) => a.name.localeCompare(b.name));
}
