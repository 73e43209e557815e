import { ChangeDetectionStrategy, Component, DestroyRef, effect, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import type { CallStatsRange, CallToolStatsView } from '@mcp-proxy/shared/dto';
import { describeHttpError } from '../../core/api/api-error';
import { CALL_STATS_RANGE_CHOICES, percent } from './call-filters';
import { CallsApiService } from './calls-api.service';

/** Per-tool figures of the call history over the last hour, day or month (for one service, or all the caller may see). */
@Component({
  selector: 'mcp-call-stats',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonToggleModule, MatProgressBarModule, MatTableModule],
  template: `
    <section class="stats" aria-labelledby="call-stats-title">
      <div class="stats-header">
        <h2 id="call-stats-title">Per tool</h2>
        <mat-button-toggle-group [value]="range()" (change)="range.set($event.value)" aria-label="Time range" hideSingleSelectionIndicator>
          @for (option of ranges; track option) {
            <mat-button-toggle [value]="option">Last {{ option }}</mat-button-toggle>
          }
        </mat-button-toggle-group>
      </div>
      @if (loading()) {
        <mat-progress-bar mode="indeterminate" aria-label="Loading figures" />
      }
      @if (error(); as message) {
        <p class="error-banner" role="alert">{{ message }}</p>
      }
      @if (tools(); as list) {
        @if (list.length === 0) {
          <p class="empty">No calls in the last {{ range() }}.</p>
        } @else {
          <div class="table-wrap">
            <table mat-table [dataSource]="list" aria-label="Per-tool figures">
              <ng-container matColumnDef="tool">
                <th mat-header-cell *matHeaderCellDef scope="col">Tool</th>
                <td mat-cell *matCellDef="let row">
                  <code>{{ row.tool ?? '—' }}</code>
                  <span class="kind">{{ row.serviceName }} · {{ row.method }}</span>
                </td>
              </ng-container>
              <ng-container matColumnDef="calls">
                <th mat-header-cell *matHeaderCellDef scope="col">Calls</th>
                <td mat-cell *matCellDef="let row" class="number">{{ row.calls }}</td>
              </ng-container>
              <ng-container matColumnDef="errors">
                <th mat-header-cell *matHeaderCellDef scope="col">Error rate</th>
                <td mat-cell *matCellDef="let row" class="number">{{ percent(row.errorRate) }}</td>
              </ng-container>
              <ng-container matColumnDef="p50">
                <th mat-header-cell *matHeaderCellDef scope="col">p50</th>
                <td mat-cell *matCellDef="let row" class="number">{{ row.p50Ms }} ms</td>
              </ng-container>
              <ng-container matColumnDef="p95">
                <th mat-header-cell *matHeaderCellDef scope="col">p95</th>
                <td mat-cell *matCellDef="let row" class="number">{{ row.p95Ms }} ms</td>
              </ng-container>
              <ng-container matColumnDef="clients">
                <th mat-header-cell *matHeaderCellDef scope="col">Top clients</th>
                <td mat-cell *matCellDef="let row">{{ clientsOf(row) }}</td>
              </ng-container>
              <tr mat-header-row *matHeaderRowDef="columns"></tr>
              <tr mat-row *matRowDef="let row; columns: columns"></tr>
            </table>
          </div>
        }
      }
    </section>
  `,
  styles: `
    .stats-header {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 12px;
      flex-wrap: wrap;
    }
    .number {
      text-align: right;
      white-space: nowrap;
    }
    .kind,
    .empty {
      color: var(--mat-sys-on-surface-variant);
    }
    .kind {
      display: block;
      font: var(--mat-sys-label-small);
    }
  `,
})
export class CallStatsComponent {
  private readonly api = inject(CallsApiService);
  private readonly destroyRef = inject(DestroyRef);

  /** A service's id or name; empty: every service the caller may see. */
  readonly service = input('');
  /** Changed by the page to ask for fresh figures (Apply), even for the same service. */
  readonly refresh = input(0);
  protected readonly ranges = CALL_STATS_RANGE_CHOICES;
  protected readonly range = signal<CallStatsRange>('day');
  protected readonly tools = signal<CallToolStatsView[] | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly columns = ['tool', 'calls', 'errors', 'p50', 'p95', 'clients'] as const;
  protected readonly percent = percent;

  constructor() {
    effect(() => {
      this.refresh();
      this.load(this.range(), this.service());
    });
  }

  protected clientsOf(row: CallToolStatsView): string {
    return row.topClients.map((client) => `${client.client} (${client.calls})`).join(', ');
  }

  private load(range: CallStatsRange, service: string): void {
    this.loading.set(true);
    this.error.set(null);
    this.api
      .stats(range, service)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (stats) => {
          this.tools.set(stats.tools);
          this.loading.set(false);
        },
        error: (error: unknown) => {
          this.error.set(describeHttpError(error));
          this.loading.set(false);
        },
      });
  }
}
