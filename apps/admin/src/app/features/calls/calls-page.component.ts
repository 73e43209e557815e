import { DOCUMENT, DatePipe } from '@angular/common';
import { HttpResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatTableModule } from '@angular/material/table';
import type { CallExportFormat, CallLogDetailView, CallLogView, CallOutcome } from '@mcp-proxy/shared/dto';
import { Subscription } from 'rxjs';
import { describeHttpError } from '../../core/api/api-error';
import {
  CALL_OUTCOME_CHOICES,
  CALLS_EXPORT_SIZE,
  CALLS_PAGE_SIZE,
  CallFilters,
  callQueryParams,
  EMPTY_CALL_FILTERS,
  formatPayload,
} from './call-filters';
import { CallStatsComponent } from './call-stats.component';
import { CallsApiService } from './calls-api.service';
import { PageLayoutComponent } from '../../shared/ui/page-layout/page-layout.component';

/** Every recorded MCP call: filtered, paged by cursor, one opened in detail, exported; with per-tool figures. */
@Component({
  selector: 'mcp-calls-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    PageLayoutComponent,
    DatePipe,
    ReactiveFormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    MatSelectModule,
    MatTableModule,
    CallStatsComponent,
  ],
  templateUrl: './calls-page.component.html',
  styleUrl: './calls-page.component.scss',
})
export class CallsPageComponent {
  private readonly api = inject(CallsApiService);
  private readonly document = inject(DOCUMENT);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly outcomes = CALL_OUTCOME_CHOICES;
  protected readonly columns = ['at', 'service', 'tool', 'outcome', 'duration', 'principal', 'client'] as const;
  protected readonly calls = signal<CallLogView[] | null>(null);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly selected = signal<CallLogDetailView | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  /** The service filter applied, for the per-tool figures. */
  protected readonly statsService = signal('');
  /** Bumped by Apply: the figures are read again with the list. */
  protected readonly statsRefresh = signal(0);
  protected readonly formatPayload = formatPayload;

  protected readonly form = new FormGroup({
    service: new FormControl('', { nonNullable: true }),
    tool: new FormControl('', { nonNullable: true }),
    principal: new FormControl('', { nonNullable: true }),
    outcome: new FormControl<CallOutcome | ''>('', { nonNullable: true }),
    from: new FormControl('', { nonNullable: true }),
    to: new FormControl('', { nonNullable: true }),
  });
  /** The filters of the rows shown (the form may have been edited since). */
  private applied: CallFilters = EMPTY_CALL_FILTERS;
  /** The page being read: a newer query cancels it, so an older answer never replaces a newer one. */
  private reading?: Subscription;

  constructor() {
    this.load(null);
  }

  protected apply(): void {
    this.applied = this.form.getRawValue();
    this.statsService.set(this.applied.service.trim());
    this.statsRefresh.update((count) => count + 1);
    this.selected.set(null);
    this.load(null);
  }

  protected reset(): void {
    this.form.reset(EMPTY_CALL_FILTERS);
    this.apply();
  }

  /** The next (older) page, added below the rows shown. */
  protected more(): void {
    this.load(this.nextCursor());
  }

  protected open(call: CallLogView): void {
    this.api
      .detail(call.id)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (detail) => this.selected.set(detail),
        error: (error: unknown) => this.error.set(describeHttpError(error)),
      });
  }

  protected close(): void {
    this.selected.set(null);
  }

  protected download(format: CallExportFormat): void {
    this.api
      .export(callQueryParams(this.applied, CALLS_EXPORT_SIZE), format)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (response) => this.save(response, `calls.${format}`),
        error: (error: unknown) => this.error.set(describeHttpError(error)),
      });
  }

  private load(cursor: string | null): void {
    this.loading.set(true);
    this.error.set(null);
    this.reading?.unsubscribe();
    this.reading = this.api
      .page(callQueryParams(this.applied, CALLS_PAGE_SIZE, cursor))
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (page) => {
          this.calls.set(cursor ? [...(this.calls() ?? []), ...page.items] : page.items);
          this.nextCursor.set(page.nextCursor);
          this.loading.set(false);
        },
        error: (error: unknown) => {
          this.error.set(describeHttpError(error));
          this.loading.set(false);
        },
      });
  }

  private save(response: HttpResponse<Blob>, fallbackName: string): void {
    if (!response.body) return;
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
    const url = URL.createObjectURL(response.body);
    const link = this.document.createElement('a');
    link.href = url;
    link.download = name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}
