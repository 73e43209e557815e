import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import { Router, RouterLink } from '@angular/router';
import type { DeploymentSummaryView, ServiceView } from '@mcp-proxy/shared/dto';
import { EMPTY, distinctUntilChanged, filter, map, merge, switchMap } from 'rxjs';
import { IfRoleDirective } from '../../../core/auth/if-role.directive';
import { describeHttpError } from '../../../core/api/api-error';
import { ActionFeedbackService } from '../../../shared/feedback/action-feedback.service';
import { LiveSocketService } from '../../../core/live/live-socket.service';
import { formatDuration } from '../../../shared/format/units';
import { ConfirmDialogComponent, ConfirmDialogData } from '../../../shared/ui/confirm-dialog/confirm-dialog.component';
import { StatusChipComponent } from '../../../shared/ui/status-chip/status-chip.component';
import type { StatusTone } from '../../../shared/ui/status-chip/status-tone';
import { DeployApiService } from '../deploy-api.service';
import { DEPLOYMENT_TONES, isFinished, shortCommit, stepSummary, totalDuration } from '../deployment-progress';

/**
 * A service's deployments, newest first, kept current while some are running; rollback to the
 * build before the current one, after confirmation.
 */
@Component({
  selector: 'mcp-deployment-history',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [IfRoleDirective, DatePipe, RouterLink, MatButtonModule, MatProgressBarModule, MatTableModule, StatusChipComponent],
  templateUrl: './deployment-history.component.html',
  styleUrl: './deployment-history.component.scss',
})
export class DeploymentHistoryComponent {
  private readonly api = inject(DeployApiService);
  private readonly live = inject(LiveSocketService);
  private readonly dialog = inject(MatDialog);
  private readonly router = inject(Router);
  private readonly destroyRef = inject(DestroyRef);
  private readonly feedback = inject(ActionFeedbackService);

  readonly service = input.required<ServiceView>();

  protected readonly columns = ['queued', 'status', 'commit', 'trigger', 'duration', 'error', 'log'] as const;
  protected readonly history = signal<DeploymentSummaryView[] | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly rollbackError = signal<string | null>(null);
  protected readonly rollingBack = signal(false);
  protected readonly shortCommit = shortCommit;

  /** Deployments still running: their channels keep the rows current. */
  private readonly running = computed(() =>
    (this.history() ?? []).filter((deployment) => !isFinished(deployment.status)).map((deployment) => deployment.id),
  );
  /** Rollback needs an earlier successful build; the API has the last word (409 when none is left). */
  protected readonly canRollBack = computed(
    () => (this.history() ?? []).filter((deployment) => deployment.status === 'succeeded' && deployment.trigger !== 'rollback').length >= 2,
  );

  /** The service's id alone, so a new view of the same service (every status change) does not reload. */
  private readonly serviceId = computed(() => this.service().id);

  constructor() {
    effect(() => {
      const id = this.serviceId();
      untracked(() => this.load(id));
    });

    toObservable(this.running)
      .pipe(
        map((ids) => ids.join(',')),
        distinctUntilChanged(),
        switchMap((joined) => (joined ? merge(...joined.split(',').map((id) => this.live.deployment(id))) : EMPTY)),
        takeUntilDestroyed(),
      )
      .subscribe((event) => {
        if (event.kind !== 'deployment') return;
        const updated = event.deployment;
        this.history.update((list) => list && list.map((item) => (item.id === updated.id ? updated : item)));
      });

    // A deploy started elsewhere (a webhook, another admin) shows up as a status change of the service.
    this.live
      .status()
      .pipe(
        filter((view) => view.id === this.service().id),
        map((view) => view.status),
        distinctUntilChanged(),
        takeUntilDestroyed(),
      )
      .subscribe(() => this.load(this.service().id, false));
    this.live.ready$.pipe(takeUntilDestroyed()).subscribe(() => this.load(this.service().id, false));
  }

  protected toneOf(deployment: DeploymentSummaryView): StatusTone {
    return DEPLOYMENT_TONES[deployment.status];
  }

  protected duration(deployment: DeploymentSummaryView): string {
    return formatDuration(totalDuration(deployment, Date.now()));
  }

  protected steps(deployment: DeploymentSummaryView): string {
    return stepSummary(deployment, formatDuration);
  }

  protected refresh(): void {
    this.load(this.service().id);
  }

  protected confirmRollback(): void {
    const service = this.service();
    if (this.rollingBack()) return;
    const data: ConfirmDialogData = {
      title: `Roll back ${service.name}?`,
      message:
        'The build deployed before the current one starts beside it, is checked with MCP initialize and tools/list, ' +
        'and takes over without downtime. Its variables are checked again; the current build stays on disk, so you can redeploy it.',
      confirmLabel: 'Roll back',
    };
    this.dialog
      .open<ConfirmDialogComponent, ConfirmDialogData, boolean>(ConfirmDialogComponent, { data, width: '460px' })
      .afterClosed()
      .pipe(
        filter((confirmed) => confirmed === true),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe(() => this.rollback(service));
  }

  private rollback(service: ServiceView): void {
    this.rollingBack.set(true);
    this.rollbackError.set(null);
    this.api
      .rollback(service.id)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (accepted) => {
          this.feedback.success(`Rolling back ${service.name}`);
          void this.router.navigate(['/deploy', accepted.deploymentId]);
        },
        error: (error: unknown) => {
          this.rollingBack.set(false);
          this.feedback.failure(`Could not roll back ${service.name}`, error);
          this.rollbackError.set(`Could not roll back ${service.name}: ${describeHttpError(error)}`);
        },
      });
  }

  private load(serviceId: string, showProgress = true): void {
    if (showProgress) this.loading.set(true);
    this.error.set(null);
    this.api
      .history(serviceId)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (history) => {
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
