import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, inject, OnInit, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { ActivatedRoute } from '@angular/router';
import type { SignInOptionsView } from '@mcp-proxy/shared/dto';
import { AuthService } from '../../core/auth/auth.service';
import { SessionsPanelComponent } from './sessions-panel.component';

/**
 * Every signed-in user: who you are and where you are signed in, with a way to end any of those sessions;
 * a named user may also link their account at the team's identity provider, to sign in with it from then on.
 */
@Component({
  selector: 'mcp-account-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, SessionsPanelComponent],
  styleUrl: '../users/users-page.component.scss',
  template: `
    <header class="page-header">
      <div class="title-block">
        <h1 class="page-title">Account</h1>
        <p class="subtitle">Signed in as {{ who() }} ({{ role() }})</p>
      </div>
    </header>
    @if (provider(); as provider) {
      @if (username()) {
        <section class="card" aria-labelledby="identity-provider">
          <h2 id="identity-provider">{{ provider.name }}</h2>
          @if (linkMessage(); as message) {
            <p [attr.role]="message.ok ? 'status' : 'alert'">{{ message.text }}</p>
          }
          <p>Link your {{ provider.name }} account to this user, then sign in with "Sign in with {{ provider.name }}".</p>
          <button mat-stroked-button type="button" (click)="link(provider.startUrl)">Link your {{ provider.name }} account</button>
        </section>
      }
    }
    <section class="card" aria-labelledby="sessions">
      <h2 id="sessions">Sessions</h2>
      <p>Where you are signed in. Ending a session signs that browser out at once; a password change ends all but this one.</p>
      <mcp-sessions-panel />
    </section>
  `,
})
export class AccountPageComponent implements OnInit {
  private readonly auth = inject(AuthService);
  private readonly document = inject(DOCUMENT);
  private readonly route = inject(ActivatedRoute);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly who = this.auth.displayName;
  protected readonly role = this.auth.role;
  protected readonly username = this.auth.username;
  protected readonly provider = signal<SignInOptionsView['provider']>(null);
  protected readonly linkMessage = signal<{ ok: boolean; text: string } | null>(null);

  ngOnInit(): void {
    this.auth
      .signInOptions()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (options) => {
          this.provider.set(options.provider);
          this.linkMessage.set(linkOutcome(this.route.snapshot.queryParamMap, options.provider?.name ?? 'identity provider'));
        },
        error: () => this.provider.set(null),
      });
  }

  /** A full navigation: the browser carries the session cookie to the API, which sends it on to the provider and back here. */
  protected link(startUrl: string): void {
    this.document.location.assign(`${startUrl}?link=1&returnUrl=${encodeURIComponent('/account')}`);
  }
}

function linkOutcome(query: { get(name: string): string | null }, provider: string): { ok: boolean; text: string } | null {
  if (query.get('oidcLinked') === 'done') return { ok: true, text: `Your ${provider} account is linked: you can sign in with it now.` };
  const error = query.get('oidcLinkError');
  if (error === 'taken') return { ok: false, text: `That ${provider} account is already linked to another user here.` };
  if (error) return { ok: false, text: `Linking your ${provider} account did not complete. Try again.` };
  return null;
}
