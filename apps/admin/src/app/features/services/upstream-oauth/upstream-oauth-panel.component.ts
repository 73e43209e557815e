import { DatePipe, DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, OnInit, computed, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { ActivatedRoute } from '@angular/router';
import type { UpstreamConnectionView } from '@mcp-proxy/shared/dto';
import { describeHttpError } from '../../../core/api/api-error';
import { AuthService } from '../../../core/auth/auth.service';
import { UpstreamOAuthApiService } from './upstream-oauth-api.service';

/**
 * "Connect your account" for a remote service with upstream OAuth: the caller's connection (or, `shared`, the
 * service's), connected as whom and until when, and Disconnect. The shared connection is the admin's to change.
 */
@Component({
  selector: 'mcp-upstream-oauth-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, MatButtonModule],
  template: `
    <section class="card" aria-labelledby="card-upstream-oauth" data-testid="upstream-oauth">
      <h2 id="card-upstream-oauth">Your account at this server</h2>
      @if (notice(); as text) {
        <p role="status">{{ text }}</p>
      }
      @if (status(); as view) {
        @if (view.connected) {
          <p data-testid="upstream-oauth-state">
            Connected{{ view.subject ? ' as ' + view.subject : '' }}{{ view.connection === 'shared' ? ' (shared by everyone)' : '' }}
            @if (view.expiresAt) {
              , access expires {{ view.expiresAt | date: 'medium' }} (renewed automatically)
            }
          </p>
        } @else {
          <p data-testid="upstream-oauth-state">
            {{
              view.connection === 'shared'
                ? 'Not connected: an admin connects this server once for everyone.'
                : 'Not connected: calls ask you to connect your own account first.'
            }}
          </p>
        }
        @if (mayChange()) {
          <button mat-flat-button type="button" (click)="connect()" [disabled]="busy()">
            {{ view.connected ? 'Reconnect' : 'Connect your account' }}
          </button>
          @if (view.connected) {
            <button mat-button type="button" (click)="disconnect()" [disabled]="busy()">Disconnect</button>
          }
        }
      }
      @if (error(); as text) {
        <p role="alert">{{ text }}</p>
      }
    </section>
  `,
})
export class UpstreamOAuthPanelComponent implements OnInit {
  readonly serviceId = input.required<string>();

  private readonly api = inject(UpstreamOAuthApiService);
  private readonly auth = inject(AuthService);
  private readonly route = inject(ActivatedRoute);
  private readonly destroyRef = inject(DestroyRef);
  private readonly window = inject(DOCUMENT).defaultView;
  protected readonly status = signal<UpstreamConnectionView | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected readonly mayChange = computed(() => this.status()?.connection !== 'shared' || this.auth.allows('admin'));
  /** What the callback said, when the browser comes back from the authorization server. */
  protected readonly notice = signal<string | null>(null);

  ngOnInit(): void {
    const query = this.route.snapshot.queryParamMap;
    if (query.get('upstreamOAuth') === 'connected') this.notice.set('Connected.');
    const failed = query.get('upstreamOAuthError');
    if (failed) this.notice.set(`Connecting failed: ${failed}`);
    this.load();
  }

  protected connect(): void {
    this.busy.set(true);
    this.api
      .start(this.serviceId())
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: ({ authorizationUrl }) => this.window?.location.assign(authorizationUrl),
        error: (error: unknown) => {
          this.busy.set(false);
          this.error.set(describeHttpError(error));
        },
      });
  }

  protected disconnect(): void {
    this.busy.set(true);
    this.api
      .disconnect(this.serviceId())
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: () => {
          this.busy.set(false);
          this.load();
        },
        error: (error: unknown) => {
          this.busy.set(false);
          this.error.set(describeHttpError(error));
        },
      });
  }

  private load(): void {
    this.api
      .status(this.serviceId())
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({ next: (view) => this.status.set(view), error: (error: unknown) => this.error.set(describeHttpError(error)) });
  }
}
