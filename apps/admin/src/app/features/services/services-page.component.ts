import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import type { ServiceView } from '@mcp-proxy/shared/dto';
import { describeHttpError } from '../../core/api/api-error';
import { StatusChipComponent } from '../../shared/ui/status-chip/status-chip.component';
import { ServicesApiService } from './services-api.service';

@Component({
  selector: 'mcp-services-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatProgressBarModule, MatTableModule, StatusChipComponent],
  templateUrl: './services-page.component.html',
  styleUrl: './services-page.component.scss',
})
export class ServicesPageComponent {
  private readonly api = inject(ServicesApiService);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly columns = ['name', 'status', 'transport', 'pid', 'restarts'] as const;
  protected readonly services = signal<ServiceView[] | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);

  constructor() {
    this.load();
  }

  protected load(): void {
    this.loading.set(true);
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
