import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatExpansionModule } from '@angular/material/expansion';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
// The templates' own entry point: the dto barrel would bring class-validator's decorators into the browser.
import { missingTemplateValues, serviceFromTemplate } from '@mcp-proxy/shared/templates';
import type { ServerTemplate, ServiceView } from '@mcp-proxy/shared/dto';
import { describeHttpError } from '../../core/api/api-error';
import { ServicesApiService } from '../services/services-api.service';

export interface TemplateDialogData {
  template: ServerTemplate;
}

/**
 * A template filled in: the service's name, a field per variable (required ones enforced, secrets
 * masked), the working directory tucked away, and "start after creating" on. Closes with the service.
 */
@Component({
  selector: 'mcp-template-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, MatButtonModule, MatCheckboxModule, MatDialogModule, MatExpansionModule, MatFormFieldModule, MatInputModule],
  templateUrl: './template-dialog.component.html',
  styles: `
    .fields {
      display: grid;
      gap: 4px;
    }
    .command {
      font-family: var(--mcp-mono, monospace);
      overflow-wrap: anywhere;
    }
    .error-banner {
      color: var(--mat-sys-error);
    }
  `,
})
export class TemplateDialogComponent {
  private readonly services = inject(ServicesApiService);
  private readonly dialog = inject<MatDialogRef<TemplateDialogComponent, ServiceView>>(MatDialogRef);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly template = inject<TemplateDialogData>(MAT_DIALOG_DATA).template;

  protected readonly name = signal(this.template.id);
  protected readonly values = signal<Record<string, string>>({});
  protected readonly cwd = signal('');
  protected readonly start = signal(true);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly missing = computed(() => missingTemplateValues(this.template, this.values()));
  /** What will run, updated as the fields are filled (secret values are never part of the command line). */
  protected readonly commandLine = computed(() => {
    const body = serviceFromTemplate(this.template, { name: this.name(), values: this.values(), start: false });
    return [body.process?.command, ...(body.process?.args ?? [])].join(' ');
  });

  protected setValue(key: string, value: string): void {
    this.values.update((current) => ({ ...current, [key]: value }));
  }

  protected create(): void {
    if (this.missing().length > 0 || this.busy()) return;
    this.busy.set(true);
    this.error.set(null);
    const body = serviceFromTemplate(this.template, {
      name: this.name().trim(),
      values: this.values(),
      start: this.start(),
      cwd: this.cwd(),
    });
    this.services
      .create(body)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (service) => this.dialog.close(service),
        error: (error: unknown) => {
          this.error.set(describeHttpError(error));
          this.busy.set(false);
        },
      });
  }
}
