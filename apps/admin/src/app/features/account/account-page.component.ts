import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { AuthService } from '../../core/auth/auth.service';
import { SessionsPanelComponent } from './sessions-panel.component';

/** Every signed-in user: who you are and where you are signed in, with a way to end any of those sessions. */
@Component({
  selector: 'mcp-account-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [SessionsPanelComponent],
  styleUrl: '../users/users-page.component.scss',
  template: `
    <header class="page-header">
      <div class="title-block">
        <h1 class="page-title">Account</h1>
        <p class="subtitle">Signed in as {{ who() }} ({{ role() }})</p>
      </div>
    </header>
    <section class="card" aria-labelledby="sessions">
      <h2 id="sessions">Sessions</h2>
      <p>Where you are signed in. Ending a session signs that browser out at once; a password change ends all but this one.</p>
      <mcp-sessions-panel />
    </section>
  `,
})
export class AccountPageComponent {
  private readonly auth = inject(AuthService);
  protected readonly who = this.auth.displayName;
  protected readonly role = this.auth.role;
}
