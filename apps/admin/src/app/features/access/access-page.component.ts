import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import type { ClientTokenView, CreatedClientTokenView, GroupView, OAuthGrantView, ServiceView } from '@mcp-proxy/shared/dto';
import { Observable, catchError, filter, forkJoin, of, switchMap } from 'rxjs';
import { describeHttpError } from '../../core/api/api-error';
import { ActionFeedbackService } from '../../shared/feedback/action-feedback.service';
import { BusySpinnerComponent } from '../../shared/ui/busy-spinner/busy-spinner.component';
import { CopyButtonComponent } from '../../shared/ui/copy-button/copy-button.component';
import { GroupsApiService } from '../groups/groups-api.service';
import { ServicesApiService } from '../services/services-api.service';
import { AccessApiService } from './access-api.service';
import { describeRestriction, parseNameList, tokenTargets } from './access-model';

/**
 * Who may use the MCP endpoints besides the admin key: client tokens (minted here, shown once,
 * limited to services and tools, revocable) and the OAuth grants approved on the consent screen.
 */
@Component({
  selector: 'mcp-access-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    DatePipe,
    FormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    BusySpinnerComponent,
    CopyButtonComponent,
  ],
  templateUrl: './access-page.component.html',
  styleUrl: './access-page.component.scss',
})
export class AccessPageComponent {
  private readonly api = inject(AccessApiService);
  private readonly destroyRef = inject(DestroyRef);
  private readonly feedback = inject(ActionFeedbackService);
  private readonly servicesApi = inject(ServicesApiService);
  private readonly groupsApi = inject(GroupsApiService);
  private readonly serviceList = signal<ServiceView[]>([]);
  private readonly groupList = signal<GroupView[]>([]);
  /** What a token may be limited to: each service, each group, and the all-services endpoint. */
  protected readonly targets = computed(() => tokenTargets(this.serviceList(), this.groupList()));

  protected readonly tokens = signal<ClientTokenView[]>([]);
  protected readonly grants = signal<OAuthGrantView[]>([]);
  protected readonly error = signal<string | null>(null);
  /** The token just minted: the only moment it can be seen. */
  protected readonly created = signal<CreatedClientTokenView | null>(null);
  protected readonly busy = signal(false);
  protected readonly describe = describeRestriction;

  protected label = '';
  protected services: string[] = [];
  protected tools = '';

  constructor() {
    this.load();
    // A page that may not list services or groups still mints tokens for all of them.
    forkJoin({
      services: this.servicesApi.list().pipe(catchError(() => of([]))),
      groups: this.groupsApi.list().pipe(catchError(() => of([]))),
    })
      .pipe(takeUntilDestroyed())
      .subscribe(({ services, groups }) => {
        this.serviceList.set(services);
        this.groupList.set(groups);
      });
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
    const label = this.label.trim();
    this.feedback
      .run(this.api.createToken({ label, services: this.services.length ? this.services : undefined, tools: parseNameList(this.tools) }), {
        done: `Created the token ${label}: copy it now`,
        failed: `Could not create the token ${label}`,
      })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (token) => {
          this.created.set(token);
          this.label = this.tools = '';
          this.services = [];
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
    this.feedback
      .run(this.api.relabelToken(token.id, label.trim()), {
        done: `Renamed ${token.label} to ${label.trim()}`,
        failed: `Could not rename ${token.label}`,
      })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({ next: () => this.load(), error: () => undefined });
  }

  revokeToken(token: ClientTokenView): void {
    this.confirmThen(
      `Revoke ${token.label}?`,
      'Clients using this token are refused (401) from their next request; their open sessions end. This cannot be undone.',
      () =>
        this.feedback.run(this.api.revokeToken(token.id), { done: `Revoked ${token.label}`, failed: `Could not revoke ${token.label}` }),
    );
  }

  revokeGrant(grant: OAuthGrantView): void {
    this.confirmThen(
      `Revoke ${grant.clientName}?`,
      'Its access and refresh tokens stop working at once; the client must ask the owner for consent again.',
      () =>
        this.feedback.run(this.api.revokeGrant(grant.id), {
          done: `Revoked ${grant.clientName}`,
          failed: `Could not revoke ${grant.clientName}`,
        }),
    );
  }

  private confirmThen(title: string, message: string, action: () => Observable<unknown>): void {
    this.feedback
      .confirm({ title, message, confirmLabel: 'Revoke', danger: true })
      .pipe(filter(Boolean), switchMap(action), takeUntilDestroyed(this.destroyRef))
      .subscribe({ next: () => this.load(), error: () => undefined });
  }
}
