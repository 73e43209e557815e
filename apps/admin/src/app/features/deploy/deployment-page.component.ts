import { DatePipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  afterRenderEffect,
  computed,
  effect,
  inject,
  signal,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { ActivatedRoute, RouterLink } from '@angular/router';
import { EMPTY, Observable, catchError, distinctUntilChanged, map, merge, switchMap, tap } from 'rxjs';
import { describeHttpError } from '../../core/api/api-error';
import { AuthService } from '../../core/auth/auth.service';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { formatDuration } from '../../shared/format/units';
import { LiveIndicatorComponent } from '../../shared/ui/live-indicator/live-indicator.component';
import { StatusChipComponent } from '../../shared/ui/status-chip/status-chip.component';
import { ToolDiffComponent } from '../../shared/ui/tool-diff/tool-diff.component';
import { DeployApiService } from './deploy-api.service';
import { DEPLOYMENT_TONES, deploymentSteps, isFinished, shortCommit, totalDuration } from './deployment-progress';
import { EMPTY_FOLLOW, applyChannel, applyRest, lineKind } from './deployment-follow';
import { ActionFeedbackService } from '../../shared/feedback/action-feedback.service';

/** How close to the bottom (px) still counts as "at the bottom": following resumes there. */
const FOLLOW_THRESHOLD_PX = 24;

/** One deployment, live: its steps with their times, the build log as it is written, and the outcome. */
@Component({
  selector: 'mcp-deployment-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, RouterLink, MatButtonModule, MatProgressBarModule, LiveIndicatorComponent, StatusChipComponent, ToolDiffComponent],
  templateUrl: './deployment-page.component.html',
  styleUrl: './deployment-page.component.scss',
})
export class DeploymentPageComponent {
  private readonly api = inject(DeployApiService);
  private readonly destroyRef = inject(DestroyRef);
  private readonly feedback = inject(ActionFeedbackService);
  protected readonly live = inject(LiveSocketService);
  private readonly auth = inject(AuthService);
  /** Approving or rejecting a waiting version's tool changes is for admins (the API enforces it). */
  protected readonly mayDecide = computed(() => this.auth.allows('admin'));
  protected readonly deciding = signal<'approve' | 'reject' | null>(null);
  protected readonly decisionError = signal<string | null>(null);

  protected readonly follow = signal(EMPTY_FOLLOW);
  protected readonly loadError = signal<string | null>(null);
  protected readonly loading = signal(true);
  private readonly now = signal(Date.now());
  /** The log view sticks to the newest line until the user scrolls up. */
  protected readonly following = signal(true);

  protected readonly deployment = computed(() => this.follow().deployment);
  protected readonly lines = computed(() => this.follow().lines.map((text) => ({ text, kind: lineKind(text) })));
  protected readonly finished = computed(() => {
    const deployment = this.deployment();
    return deployment !== null && isFinished(deployment.status);
  });
  protected readonly steps = computed(() => {
    const deployment = this.deployment();
    return deployment ? deploymentSteps(deployment, this.follow().lastStep) : [];
  });
  protected readonly elapsed = computed(() => {
    const deployment = this.deployment();
    return deployment ? formatDuration(totalDuration(deployment, this.now())) : '—';
  });
  protected readonly tone = computed(() => {
    const deployment = this.deployment();
    return deployment ? DEPLOYMENT_TONES[deployment.status] : 'neutral';
  });
  protected readonly shortCommit = shortCommit;
  protected readonly formatDuration = formatDuration;

  private readonly viewport = viewChild<ElementRef<HTMLElement>>('viewport');

  constructor() {
    inject(ActivatedRoute)
      .paramMap.pipe(
        map((params) => params.get('id') ?? ''),
        distinctUntilChanged(),
        tap(() => {
          this.follow.set(EMPTY_FOLLOW);
          this.loadError.set(null);
          this.loading.set(true);
          this.following.set(true);
        }),
        // The REST snapshot shows the deployment at once (and whole when the live channel is down);
        // the channel then replaces it with its own snapshot and follows.
        switchMap((id) =>
          merge(
            this.api.get(id).pipe(
              map((view) => () => this.follow.update((state) => applyRest(state, view))),
              catchError((error: unknown) => {
                this.loadError.set(describeHttpError(error));
                this.loading.set(false);
                return EMPTY;
              }),
            ),
            this.live.deployment(id).pipe(map((event) => () => this.follow.update((state) => applyChannel(state, event)))),
          ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe((apply) => {
        apply();
        if (this.follow().deployment) this.loading.set(false);
      });

    // A deploy that ends while someone watches it says how it ended in a toast (one opened already ended does not).
    const feedback = inject(ActionFeedbackService);
    let watchedRunning = false;
    effect(() => {
      const deployment = this.deployment();
      if (!deployment) return;
      if (!isFinished(deployment.status)) {
        watchedRunning = true;
        return;
      }
      if (!watchedRunning) return;
      watchedRunning = false;
      if (deployment.status === 'succeeded') feedback.success(`Deployed ${deployment.serviceName}`);
      else feedback.failure(`Could not deploy ${deployment.serviceName}`, new Error(deployment.error ?? 'see the build log'));
    });

    const clock = setInterval(() => {
      if (!this.finished()) this.now.set(Date.now());
    }, 1000);
    this.destroyRef.onDestroy(() => clearInterval(clock));

    afterRenderEffect({
      write: () => {
        this.lines();
        const viewport = this.viewport()?.nativeElement;
        if (viewport && this.following()) viewport.scrollTop = viewport.scrollHeight;
      },
    });
  }

  /** Approve: the build is promoted (the live channel shows it). Reject: the deployment fails, the running version stays. */
  protected decide(decision: 'approve' | 'reject'): void {
    const deployment = this.deployment();
    if (!deployment || this.deciding()) return;
    this.deciding.set(decision);
    this.decisionError.set(null);
    const call: Observable<unknown> = decision === 'approve' ? this.api.approveTools(deployment.id) : this.api.rejectTools(deployment.id);
    call.pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
      next: () => {
        this.deciding.set(null);
        this.feedback.success(decision === 'approve' ? 'Approved: the new version is promoted' : 'Rejected: the running version stays');
      },
      error: (error: unknown) => {
        this.deciding.set(null);
        this.feedback.failure(`Could not ${decision} the tool changes`, error);
        this.decisionError.set(`Could not ${decision} the tool changes: ${describeHttpError(error)}`);
      },
    });
  }

  protected onScroll(viewport: HTMLElement): void {
    const distance = viewport.scrollHeight - viewport.scrollTop - viewport.clientHeight;
    this.following.set(distance <= FOLLOW_THRESHOLD_PX);
  }

  protected jumpToLatest(): void {
    this.following.set(true);
    const viewport = this.viewport()?.nativeElement;
    if (viewport) viewport.scrollTop = viewport.scrollHeight;
  }
}
