import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, inject, InjectionToken, OnInit, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatRadioModule } from '@angular/material/radio';
import { ActivatedRoute } from '@angular/router';
import type { ConsentDecisionView, ConsentRequestView } from '@mcp-proxy/shared/dto';
import type { Observable } from 'rxjs';
import { describeHttpError } from '../../core/api/api-error';
import { AccessApiService } from '../access/access-api.service';
import { parseNameList } from '../access/access-model';

/** Leaves the app for another site (the client's redirect URI); replaced in tests. */
export const LEAVE_APP = new InjectionToken<(url: string) => void>('LEAVE_APP', {
  factory: () => {
    const document = inject(DOCUMENT);
    return (url: string) => document.location.assign(url);
  },
});

/**
 * The OAuth consent screen: an MCP client (Claude, ChatGPT …) asks to use a service; the owner,
 * signed in, approves it (all tools or a list) or denies it, and the browser goes back to the client.
 */
@Component({
  selector: 'mcp-consent-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatRadioModule],
  templateUrl: './consent-page.component.html',
  styles: `
    .tools {
      display: block;
      width: 100%;
      max-width: 480px;
      margin-top: 8px;
    }
    mat-radio-group {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 16px;
    }
  `,
})
export class ConsentPageComponent implements OnInit {
  private readonly api = inject(AccessApiService);
  private readonly destroyRef = inject(DestroyRef);
  private readonly leave = inject(LEAVE_APP);
  /** The authorization request named in the URL (`/consent/:id`). */
  private readonly id = inject(ActivatedRoute).snapshot.paramMap.get('id') ?? '';

  protected readonly request = signal<ConsentRequestView | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected toolMode: 'all' | 'some' = 'all';
  protected tools = '';

  ngOnInit(): void {
    this.api
      .consentRequest(this.id)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({ next: (request) => this.request.set(request), error: (error: unknown) => this.error.set(describeHttpError(error)) });
  }

  approve(): void {
    const tools = this.toolMode === 'all' ? undefined : (parseNameList(this.tools) ?? []);
    this.answer(this.api.approve(this.id, tools));
  }

  deny(): void {
    this.answer(this.api.deny(this.id));
  }

  private answer(decision: Observable<ConsentDecisionView>): void {
    this.busy.set(true);
    decision.subscribe({
      // Back to the client: it is a full navigation to another application, not a route of ours.
      next: ({ redirectTo }) => this.leave(redirectTo),
      error: (error: unknown) => {
        this.error.set(describeHttpError(error));
        this.busy.set(false);
      },
    });
  }
}
