import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, input, output, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import type { CreatedClientTokenView } from '@mcp-proxy/shared/dto';
import { describeHttpError } from '../../../core/api/api-error';
import { CopyBlockComponent } from '../../../shared/ui/copy-block/copy-block.component';
import { AccessApiService } from '../../access/access-api.service';
import type { ServiceAddress } from './client-snippets';

/** The token's `services` entry: a service by name, a group as `g/<name>` (the client tokens API's own form). */
export function tokenScopeOf(address: ServiceAddress): string {
  return address.kind === 'group' ? `g/${address.name}` : address.name;
}

/** Tool names or globs, one per comma or line; empty means every tool. */
export function toolList(text: string): string[] | undefined {
  const tools = text
    .split(/[,\n]/)
    .map((tool) => tool.trim())
    .filter((tool) => tool !== '');
  return tools.length > 0 ? tools : undefined;
}

/**
 * "Create a token for this client": a client token limited to this service (or group), optionally to
 * some tools, shown once with a copy button; the snippets below fill it in through `created`.
 */
@Component({
  selector: 'mcp-client-token-form',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, MatButtonModule, MatFormFieldModule, MatInputModule, CopyBlockComponent],
  template: `
    @if (token(); as created) {
      <div class="created" role="status">
        <p>
          Token <strong>{{ created.label }}</strong> created for <code>{{ scope() }}</code
          >{{ created.tools ? ' (tools: ' + created.tools.join(', ') + ')' : '' }}. It is shown only now: copy it or use a snippet below.
        </p>
        <mcp-copy-block [text]="created.token" label="Client token" [inline]="true" />
        <button mat-button type="button" (click)="another()">Create another token</button>
      </div>
    } @else {
      <form class="token-form" (ngSubmit)="create()" aria-label="Create a token for this client">
        <mat-form-field>
          <mat-label>Label</mat-label>
          <input matInput name="label" required maxlength="100" [ngModel]="label()" (ngModelChange)="label.set($event)" />
          <mat-hint>Which client uses it (e.g. "Cursor on my laptop")</mat-hint>
        </mat-form-field>
        <mat-form-field>
          <mat-label>Limit to tools</mat-label>
          <input matInput name="tools" [ngModel]="tools()" (ngModelChange)="tools.set($event)" placeholder="echo, get-*" />
          <mat-hint>Comma-separated names or globs; empty for every tool</mat-hint>
        </mat-form-field>
        <button mat-flat-button type="submit" [disabled]="busy() || !label().trim()">Create a token for this client</button>
      </form>
    }
    @if (error(); as message) {
      <p class="error-banner" role="alert">{{ message }}</p>
    }
  `,
  styles: `
    .token-form {
      display: flex;
      flex-wrap: wrap;
      gap: 8px 16px;
      align-items: baseline;
    }
    .token-form mat-form-field {
      flex: 1 1 220px;
    }
    .created p {
      max-width: 80ch;
    }
    .error-banner {
      color: var(--mat-sys-error);
    }
  `,
})
export class ClientTokenFormComponent {
  private readonly api = inject(AccessApiService);
  private readonly destroyRef = inject(DestroyRef);

  readonly service = input.required<ServiceAddress>();
  readonly created = output<string | null>();

  protected readonly scope = computed(() => tokenScopeOf(this.service()));
  protected readonly label = signal('');
  protected readonly tools = signal('');
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly token = signal<CreatedClientTokenView | null>(null);

  protected create(): void {
    if (this.busy() || !this.label().trim()) return;
    this.busy.set(true);
    this.error.set(null);
    this.api
      .createToken({ label: this.label().trim(), services: [this.scope()], tools: toolList(this.tools()) })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (created) => {
          this.busy.set(false);
          this.token.set(created);
          this.created.emit(created.token);
        },
        error: (error: unknown) => {
          this.busy.set(false);
          this.error.set(describeHttpError(error));
        },
      });
  }

  protected another(): void {
    this.token.set(null);
    this.label.set('');
    this.tools.set('');
    this.created.emit(null);
  }
}
