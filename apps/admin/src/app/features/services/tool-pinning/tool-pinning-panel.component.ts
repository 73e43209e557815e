import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, output, signal, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import type { ServiceToolPinsView, ServiceView, ToolChangeView } from '@mcp-proxy/shared/dto';
import { forkJoin } from 'rxjs';
import { describeHttpError } from '../../../core/api/api-error';
import { ActionFeedbackService } from '../../../shared/feedback/action-feedback.service';
import { AuthService } from '../../../core/auth/auth.service';
import { ToolDiffComponent } from '../../../shared/ui/tool-diff/tool-diff.component';
import { ToolPinsApiService } from './tool-pins-api.service';
import { POLICY_EFFECTS } from './tool-pinning.model';

/**
 * A service's Tool pinning tab: the changes its server made to its tools since they were pinned, each as a
 * readable diff with Approve and Reject (admins), the tools pinned now, and the decisions made before.
 */
@Component({
  selector: 'mcp-tool-pinning-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, MatButtonModule, MatProgressBarModule, ToolDiffComponent],
  templateUrl: './tool-pinning-panel.component.html',
  styleUrl: './tool-pinning-panel.component.scss',
})
export class ToolPinningPanelComponent {
  private readonly api = inject(ToolPinsApiService);
  private readonly destroyRef = inject(DestroyRef);
  private readonly auth = inject(AuthService);
  private readonly feedback = inject(ActionFeedbackService);

  readonly service = input.required<ServiceView>();
  /** After a decision: the page's banner counts again. */
  readonly decided = output<void>();

  protected readonly mayDecide = computed(() => this.auth.allows('admin'));
  protected readonly pins = signal<ServiceToolPinsView | null>(null);
  protected readonly history = signal<ToolChangeView[]>([]);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  /** The change being decided, so its buttons wait. */
  protected readonly deciding = signal<string | null>(null);
  protected readonly policyEffect = computed(() => POLICY_EFFECTS[this.pins()?.driftPolicy ?? 'warn']);
  protected readonly decidedChanges = computed(() => this.history().filter((change) => change.status !== 'pending'));
  private readonly serviceName = computed(() => this.service().name);

  constructor() {
    effect(() => {
      const name = this.serviceName();
      untracked(() => this.load(name));
    });
  }

  protected decide(change: ToolChangeView, decision: 'approve' | 'reject'): void {
    if (this.deciding()) return;
    this.deciding.set(change.id);
    this.error.set(null);
    const call = decision === 'approve' ? this.api.approve(change.id) : this.api.reject(change.id);
    call.pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
      next: () => {
        this.deciding.set(null);
        this.feedback.success(decision === 'approve' ? `Approved the change of ${change.tool}` : `Rejected the change of ${change.tool}`);
        this.decided.emit();
        this.load(this.serviceName(), false);
      },
      error: (error: unknown) => {
        this.deciding.set(null);
        this.feedback.failure(`Could not ${decision} the change of ${change.tool}`, error);
        this.error.set(`Could not ${decision} the change of ${change.tool}: ${describeHttpError(error)}`);
        this.load(this.serviceName(), false);
      },
    });
  }

  private load(service: string, showProgress = true): void {
    if (showProgress) this.loading.set(true);
    forkJoin({ pins: this.api.pins(service), history: this.api.changes(service, 'all', 30) })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: ({ pins, history }) => {
          this.pins.set(pins);
          this.history.set(history);
          this.loading.set(false);
        },
        error: (error: unknown) => {
          this.error.set(describeHttpError(error));
          this.loading.set(false);
        },
      });
  }
}
