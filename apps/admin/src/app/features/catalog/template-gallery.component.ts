import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { Router } from '@angular/router';
import type { ClientConfigImportView, ServerTemplate, ServerTemplateView, ServiceView } from '@mcp-proxy/shared/dto';
import { describeHttpError } from '../../core/api/api-error';
import { IfRoleDirective } from '../../core/auth/if-role.directive';
import { FirstServerApiService } from './first-server-api.service';
import { PasteConfigDialogComponent } from './paste-config-dialog.component';
import { TemplateDialogComponent, TemplateDialogData } from './template-dialog.component';

/**
 * The quick ways to a server, above the registry catalog: ready templates (reference servers, a field
 * per variable) and "Paste a client config". Either ends on the new service's page, where Try it is.
 */
@Component({
  selector: 'mcp-template-gallery',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [IfRoleDirective, MatButtonModule],
  template: `
    <section class="templates" aria-labelledby="templates-title">
      <header class="section-header">
        <h2 id="templates-title">Ready templates</h2>
        <button *mcpIfRole="'admin'" mat-stroked-button type="button" (click)="openPaste()">Paste a client config</button>
      </header>
      @if (error(); as message) {
        <p class="error-banner" role="alert">{{ message }}</p>
      }
      <div class="cards">
        @for (template of templates(); track template.id) {
          <article class="card" data-testid="template-card" [attr.data-template]="template.id">
            <h3>{{ template.title }}</h3>
            <p>{{ template.description }}</p>
            <p class="muted">{{ template.runtime }} · {{ template.package }}</p>
            @if (template.variables.length > 0) {
              <p class="muted">Asks for: {{ labels(template) }}</p>
            }
            @if (!template.available) {
              <p class="reason">Not runnable on this host: {{ template.unavailableReason }}</p>
            }
            <footer *mcpIfRole="'admin'">
              <button
                mat-flat-button
                type="button"
                (click)="open(template)"
                [disabled]="!template.available"
                [attr.aria-label]="'Use the ' + template.title + ' template'"
              >
                Use template
              </button>
            </footer>
          </article>
        }
      </div>
    </section>
  `,
  styles: `
    .section-header {
      display: flex;
      flex-wrap: wrap;
      gap: 12px;
      align-items: center;
      justify-content: space-between;
    }
    .cards {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(240px, 1fr));
      gap: 12px;
      margin-block: 12px 24px;
    }
    .card {
      display: flex;
      flex-direction: column;
      gap: 4px;
      padding: 16px;
      border-radius: 12px;
      background: var(--mat-sys-surface-container-low);
      h3 {
        margin: 0;
        font: var(--mat-sys-title-medium);
      }
      p {
        margin: 0;
      }
      footer {
        margin-top: auto;
        padding-top: 8px;
      }
    }
    .muted {
      color: var(--mat-sys-on-surface-variant);
    }
    .reason {
      color: var(--mat-sys-error);
    }
  `,
})
export class TemplateGalleryComponent {
  private readonly api = inject(FirstServerApiService);
  private readonly dialog = inject(MatDialog);
  private readonly router = inject(Router);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly templates = signal<ServerTemplateView[]>([]);
  protected readonly error = signal<string | null>(null);

  constructor() {
    this.api
      .templates()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (templates) => this.templates.set(templates),
        error: (error: unknown) => this.error.set(describeHttpError(error)),
      });
  }

  protected labels(template: ServerTemplate): string {
    return template.variables.map((variable) => variable.label + (variable.required ? '' : ' (optional)')).join(', ');
  }

  protected open(template: ServerTemplate): void {
    this.dialog
      .open<TemplateDialogComponent, TemplateDialogData, ServiceView>(TemplateDialogComponent, {
        data: { template },
        width: '640px',
        maxWidth: '95vw',
      })
      .afterClosed()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((service) => {
        if (service) void this.router.navigate(['/services', service.name]);
      });
  }

  protected openPaste(): void {
    this.dialog
      .open<PasteConfigDialogComponent, undefined, ClientConfigImportView>(PasteConfigDialogComponent, { width: '720px', maxWidth: '95vw' })
      .afterClosed()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((result) => {
        if (!result) return;
        const created = result.entries.map((entry) => entry.service?.name).filter((name): name is string => name !== undefined);
        void this.router.navigate(created.length === 1 ? ['/services', created[0]] : ['/services']);
      });
  }
}
