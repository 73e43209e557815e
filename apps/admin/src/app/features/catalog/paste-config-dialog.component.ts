import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import type { ClientConfigEntryView, ClientConfigImportView } from '@mcp-proxy/shared/dto';
import { describeHttpError } from '../../core/api/api-error';
import { FirstServerApiService } from './first-server-api.service';

const EXAMPLE = `{
  "mcpServers": {
    "everything": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-everything"] }
  }
}`;

/**
 * "Paste a client config": the mcpServers JSON of Claude Desktop, Cursor or Windsurf, or VS Code's
 * servers with inputs. Preview first (names, commands, variables masked, what stands in the way), a
 * field per `${input:…}`, then one click creates them all. Closes with the import's result.
 */
@Component({
  selector: 'mcp-paste-config-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, MatButtonModule, MatCheckboxModule, MatDialogModule, MatFormFieldModule, MatInputModule],
  templateUrl: './paste-config-dialog.component.html',
  styles: `
    .fields {
      display: grid;
      gap: 8px;
    }
    textarea {
      font-family: var(--mcp-mono, monospace);
    }
    .entries {
      display: grid;
      gap: 8px;
      padding: 0;
      list-style: none;
    }
    .entries li {
      padding: 8px 12px;
      border-radius: 8px;
      background: var(--mat-sys-surface-container-low);
    }
    code {
      overflow-wrap: anywhere;
    }
    .problem,
    .error-banner {
      color: var(--mat-sys-error);
    }
  `,
})
export class PasteConfigDialogComponent {
  private readonly api = inject(FirstServerApiService);
  private readonly dialog = inject<MatDialogRef<PasteConfigDialogComponent, ClientConfigImportView>>(MatDialogRef);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly example = EXAMPLE;
  protected readonly text = signal('');
  protected readonly values = signal<Record<string, string>>({});
  protected readonly start = signal(true);
  protected readonly preview = signal<ClientConfigImportView | null>(null);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly missing = computed(() =>
    (this.preview()?.variables ?? []).filter((variable) => !(this.values()[variable.id] ?? '').trim()).map((variable) => variable.id),
  );
  protected readonly creatable = computed(() => {
    const preview = this.preview();
    return preview !== null && preview.entries.every((entry) => entry.problems.length === 0) && this.missing().length === 0;
  });

  protected edit(text: string): void {
    this.text.set(text);
    this.preview.set(null);
  }

  protected setValue(id: string, value: string): void {
    this.values.update((current) => ({ ...current, [id]: value }));
  }

  protected runs(entry: ClientConfigEntryView): string {
    return entry.transport === 'remote' ? (entry.url ?? '') : [entry.command, ...entry.args].join(' ');
  }

  protected keys(map: Record<string, string>): string[] {
    return Object.keys(map);
  }

  protected showPreview(): void {
    this.send(true);
  }

  protected create(): void {
    if (this.creatable()) this.send(false);
  }

  private send(dryRun: boolean): void {
    if (!this.text().trim() || this.busy()) return;
    this.busy.set(true);
    this.error.set(null);
    const values = Object.fromEntries(Object.entries(this.values()).filter(([, value]) => value.trim() !== ''));
    this.api
      .importClientConfig({ config: this.text(), values, dryRun, start: this.start() })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (result) => {
          this.busy.set(false);
          if (dryRun) this.preview.set(result);
          else this.dialog.close(result);
        },
        error: (error: unknown) => {
          this.error.set(describeHttpError(error));
          this.busy.set(false);
        },
      });
  }
}
