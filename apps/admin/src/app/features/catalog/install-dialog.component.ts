import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import type { RegistryOptionView, RegistryServerView } from '@mcp-proxy/shared/dto';
import { describeHttpError } from '../../core/api/api-error';
import { CatalogApiService, InstallResultView } from './catalog-api.service';
import { defaultOption, installValues, missingRequired, optionLabel, suggestedName } from './install-form.model';

export interface InstallDialogData {
  server: RegistryServerView;
}

/**
 * Installs one catalog entry: pick a package or remote, name the service, fill in its variables (required
 * ones enforced, secrets masked). Closes with the result once the API created the service.
 */
@Component({
  selector: 'mcp-install-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, MatButtonModule, MatCheckboxModule, MatDialogModule, MatFormFieldModule, MatInputModule, MatSelectModule],
  templateUrl: './install-dialog.component.html',
  styles: `
    .fields {
      display: grid;
      gap: 4px;
    }
    .preview {
      font-family: var(--mcp-mono, monospace);
      overflow-wrap: anywhere;
    }
    .reason,
    .error-banner {
      color: var(--mat-sys-error);
    }
  `,
})
export class InstallDialogComponent {
  private readonly api = inject(CatalogApiService);
  private readonly dialog = inject<MatDialogRef<InstallDialogComponent, InstallResultView>>(MatDialogRef);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly server = inject<InstallDialogData>(MAT_DIALOG_DATA).server;

  protected readonly optionId = signal(defaultOption(this.server)?.id ?? '');
  protected readonly option = computed<RegistryOptionView | null>(() => this.server.options.find((o) => o.id === this.optionId()) ?? null);
  protected readonly name = signal(suggestedName(this.server));
  protected readonly start = signal(true);
  protected readonly values = signal<Record<string, string>>({});
  protected readonly missing = computed(() => missingRequired(this.option()?.fields ?? [], this.values()));
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly optionLabel = optionLabel;

  protected setValue(key: string, value: string): void {
    this.values.update((current) => ({ ...current, [key]: value }));
  }

  protected chooseOption(id: string): void {
    this.optionId.set(id);
    this.values.set({});
  }

  protected install(): void {
    const option = this.option();
    if (!option?.installable || this.missing().length > 0 || this.busy()) return;
    this.busy.set(true);
    this.error.set(null);
    this.api
      .install({
        server: this.server.name,
        version: this.server.version,
        option: option.id,
        name: this.name().trim() || undefined,
        values: installValues(option.fields, this.values()),
        start: this.start(),
      })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (result) => this.dialog.close(result),
        error: (error: unknown) => {
          this.error.set(describeHttpError(error));
          this.busy.set(false);
        },
      });
  }
}
