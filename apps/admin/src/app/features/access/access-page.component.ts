import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import type { ClientTokenView, CreatedClientTokenView, OAuthGrantView } from '@mcp-proxy/shared/dto';
import { forkJoin } from 'rxjs';
import { describeHttpError } from '../../core/api/api-error';
import { AccessApiService } from './access-api.service';
import { describeRestriction, parseNameList } from './access-model';

/**
 * Who may use the MCP endpoints besides the admin key: client tokens (minted here, shown once,
 * limited to services and tools, revocable) and the OAuth grants approved on the consent screen.
 */
@Component({
  selector: 'mcp-access-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, FormsModule, MatButtonModule, MatFormFieldModule, MatInputModule],
  templateUrl: './access-page.component.html',
  styleUrl: './access-page.component.scss',
})
export class AccessPageComponent {
  private readonly api = inject(AccessApiService);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly tokens = signal<ClientTokenView[]>([]);
  protected readonly grants = signal<OAuthGrantView[]>([]);
  protected readonly error = signal<string | null>(null);
  /** The token just minted: the only moment it can be seen. */
  protected readonly created = signal<CreatedClientTokenView | null>(null);
  protected readonly busy = signal(false);
  protected readonly describe = describeRestriction;

  protected label = '';
  protected services = '';
  protected tools = '';

  constructor() {
    this.load();
  }

  load(): void {
    forkJoin({ tokens: this.api.tokens(), grants: this.api.grants() })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: ({ tokens, grants }) => {
          this.tokens.set(tokens);
          this.grants.set(grants);
          this.error.set(null);
        },
        error: (error: unknown) => this.error.set(describeHttpError(error)),
      });
  }

  mint(): void {
    if (!this.label.trim()) return;
    this.busy.set(true);
    this.api.createToken({ label: this.label.trim(), services: parseNameList(this.services), tools: parseNameList(this.tools) }).subscribe({
      next: (token) => {
        this.created.set(token);
        this.label = this.services = this.tools = '';
        this.busy.set(false);
        this.load();
      },
      error: (error: unknown) => {
        this.error.set(describeHttpError(error));
        this.busy.set(false);
      },
    });
  }

  relabel(token: ClientTokenView, label: string): void {
    if (!label.trim() || label.trim() === token.label) return;
    this.api
      .relabelToken(token.id, label.trim())
      .subscribe({ next: () => this.load(), error: (error: unknown) => this.error.set(describeHttpError(error)) });
  }

  revokeToken(token: ClientTokenView): void {
    this.api
      .revokeToken(token.id)
      .subscribe({ next: () => this.load(), error: (error: unknown) => this.error.set(describeHttpError(error)) });
  }

  revokeGrant(grant: OAuthGrantView): void {
    this.api
      .revokeGrant(grant.id)
      .subscribe({ next: () => this.load(), error: (error: unknown) => this.error.set(describeHttpError(error)) });
  }
}
