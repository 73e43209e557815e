import { DOCUMENT, DatePipe } from '@angular/common';
import { HttpResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatPaginatorModule, PageEvent } from '@angular/material/paginator';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatTableModule } from '@angular/material/table';
import type { AuditEventView, AuditExportFormat, AuditOutcome } from '@mcp-proxy/shared/dto';
import { Subscription } from 'rxjs';
import { describeHttpError } from '../../core/api/api-error';
import { AuditApiService } from './audit-api.service';
import { AuditFilters, auditQueryParams, describeAuditDetail, EMPTY_AUDIT_FILTERS } from './audit-filters';
import { PageLayoutComponent } from '../../shared/ui/page-layout/page-layout.component';

const OUTCOMES: readonly AuditOutcome[] = ['ok', 'refused', 'failed'];

/** Who did what, when, from where: filtered, paged, exported through the API. */
@Component({
  selector: 'mcp-audit-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    PageLayoutComponent,
    DatePipe,
    ReactiveFormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    MatPaginatorModule,
    MatProgressBarModule,
    MatSelectModule,
    MatTableModule,
  ],
  templateUrl: './audit-page.component.html',
  styleUrl: './audit-page.component.scss',
})
export class AuditPageComponent {
  private readonly api = inject(AuditApiService);
  private readonly document = inject(DOCUMENT);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly outcomes = OUTCOMES;
  protected readonly columns = ['at', 'actor', 'action', 'outcome', 'target', 'address', 'detail'] as const;
  protected readonly events = signal<AuditEventView[] | null>(null);
  protected readonly total = signal(0);
  protected readonly pageIndex = signal(0);
  protected readonly pageSize = signal(50);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly describeDetail = describeAuditDetail;

  protected readonly form = new FormGroup({
    actor: new FormControl('', { nonNullable: true }),
    action: new FormControl('', { nonNullable: true }),
    outcome: new FormControl<AuditOutcome | ''>('', { nonNullable: true }),
    from: new FormControl('', { nonNullable: true }),
    to: new FormControl('', { nonNullable: true }),
  });
  /** The filters of the rows shown (the form may have been edited since). */
  private applied: AuditFilters = EMPTY_AUDIT_FILTERS;
  /** The page being read: a newer query cancels it, so an older answer never replaces a newer one. */
  private reading?: Subscription;

  constructor() {
    this.load();
  }

  protected apply(): void {
    this.applied = this.form.getRawValue();
    this.pageIndex.set(0);
    this.load();
  }

  protected reset(): void {
    this.form.reset(EMPTY_AUDIT_FILTERS);
    this.apply();
  }

  protected changePage(event: PageEvent): void {
    this.pageIndex.set(event.pageIndex);
    this.pageSize.set(event.pageSize);
    this.load();
  }

  protected load(): void {
    this.loading.set(true);
    this.error.set(null);
    this.reading?.unsubscribe();
    this.reading = this.api
      .page(
        auditQueryParams(this.applied, {
          index: this.pageIndex(),
          size: this.pageSize(),
        }),
      )
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (page) => {
          this.events.set(page.items);
          this.total.set(page.total);
          this.loading.set(false);
        },
        error: (error: unknown) => {
          this.error.set(describeHttpError(error));
          this.loading.set(false);
        },
      });
  }

  protected download(format: AuditExportFormat): void {
    this.api
      .export(auditQueryParams(this.applied), format)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (response) => this.save(response, `audit.${format}`),
        error: (error: unknown) => this.error.set(describeHttpError(error)),
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
