import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, effect, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import type { SessionView } from '@mcp-proxy/shared/dto';
import { Observable } from 'rxjs';
import { describeHttpError } from '../../core/api/api-error';
import { ActionFeedbackService } from '../../shared/feedback/action-feedback.service';
import { SessionsApiService } from './sessions-api.service';

/**
 * A list of UI sessions (signed in, last used, address, browser) with a button to end each:
 * your own by default, or a user's when `userId` is given (admins), with "End all".
 */
@Component({
  selector: 'mcp-sessions-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, MatButtonModule],
  templateUrl: './sessions-panel.component.html',
  styleUrl: './sessions-panel.component.scss',
})
export class SessionsPanelComponent {
  private readonly api = inject(SessionsApiService);
  private readonly destroyRef = inject(DestroyRef);
  private readonly feedback = inject(ActionFeedbackService);

  /** Whose sessions: absent for your own. */
  readonly userId = input<string | undefined>(undefined);

  protected readonly sessions = signal<SessionView[] | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal<string | null>(null);

  constructor() {
    effect(() => this.load(this.userId()));
  }

  protected load(userId = this.userId()): void {
    this.error.set(null);
    this.api
      .list(userId)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (sessions) => this.sessions.set(sessions),
        error: (error: unknown) => this.error.set(describeHttpError(error)),
      });
  }

  protected end(session: SessionView): void {
    this.after(this.api.end(session.id), 'Session ended.');
  }

  protected endAll(): void {
    const userId = this.userId();
    if (userId) this.after(this.api.endAllOf(userId), 'Every session ended.');
  }

  private after(request: Observable<unknown>, notice: string): void {
    this.notice.set(null);
    request.pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
      next: () => {
        this.notice.set(notice);
        this.feedback.success(notice);
        this.load();
      },
      error: (error: unknown) => {
        this.feedback.failure('Could not end the session', error);
        this.error.set(describeHttpError(error));
      },
    });
  }
}
