import { KeyValuePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTabsModule } from '@angular/material/tabs';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import type { ServiceToolPinsView, ServiceView } from '@mcp-proxy/shared/dto';
import { filter, map } from 'rxjs';
import { describeHttpError } from '../../../core/api/api-error';
import { AuthService } from '../../../core/auth/auth.service';
import { roleHint } from '../../../core/auth/roles';
import { LiveSocketService } from '../../../core/live/live-socket.service';
import { DeploymentHistoryComponent } from '../../deploy/deployment-history/deployment-history.component';
import { formatUptime } from '../../../shared/format/format-uptime';
import { secondsSince } from '../../../shared/format/units';
import { ConfirmDialogComponent, ConfirmDialogData } from '../../../shared/ui/confirm-dialog/confirm-dialog.component';
import { LiveIndicatorComponent } from '../../../shared/ui/live-indicator/live-indicator.component';
import { StatusChipComponent } from '../../../shared/ui/status-chip/status-chip.component';
import { ServiceConnectComponent } from '../service-connect/service-connect.component';
import { ServiceAction, ServicesApiService } from '../services-api.service';
import { TryItPanelComponent } from '../try-it/try-it-panel.component';
import { UpstreamOAuthPanelComponent } from '../upstream-oauth/upstream-oauth-panel.component';
import { limitRows } from '../service-limits.model';
import { ToolPinningPanelComponent } from '../tool-pinning/tool-pinning-panel.component';
import { pendingBanner } from '../tool-pinning/tool-pinning.model';
import { ToolPinsApiService } from '../tool-pinning/tool-pins-api.service';

const ACTION_LABELS: Record<ServiceAction, string> = { start: 'start', stop: 'stop', restart: 'restart' };

/** The tabs, by the name `?tab=` uses; Deployments only for services deployed from a repository. */
type DetailTab = 'overview' | 'connect' | 'try-it' | 'tools' | 'deployments';
const TABS: readonly DetailTab[] = ['overview', 'connect', 'try-it', 'tools'];
const TABS_WITH_DEPLOYMENTS: readonly DetailTab[] = [...TABS, 'deployments'];

/** One service: live status, settings, controls, connection snippets and the "Try it" panel. */
@Component({
  selector: 'mcp-service-detail-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    KeyValuePipe,
    RouterLink,
    DeploymentHistoryComponent,
    MatButtonModule,
    MatProgressBarModule,
    MatTabsModule,
    LiveIndicatorComponent,
    ServiceConnectComponent,
    StatusChipComponent,
    TryItPanelComponent,
    ToolPinningPanelComponent,
    UpstreamOAuthPanelComponent,
  ],
  templateUrl: './service-detail-page.component.html',
  styleUrl: './service-detail-page.component.scss',
})
export class ServiceDetailPageComponent {
  private readonly api = inject(ServicesApiService);
  private readonly toolPins = inject(ToolPinsApiService);
  private readonly router = inject(Router);
  private readonly dialog = inject(MatDialog);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly live = inject(LiveSocketService);
  private readonly auth = inject(AuthService);
  /** Start/stop/restart need operator; edit, delete and revealing values need admin. The API enforces both. */
  protected readonly mayOperate = computed(() => this.auth.allows('operator'));
  protected readonly mayAdminister = computed(() => this.auth.allows('admin'));
  protected readonly operateHint = roleHint('operator');
  protected readonly revealed = signal<Record<string, string> | null>(null);

  private readonly route = inject(ActivatedRoute);
  private readonly key = signal<string>(this.route.snapshot.paramMap.get('name') ?? '');
  protected readonly service = signal<ServiceView | null>(null);
  protected readonly loading = signal(false);
  protected readonly loadError = signal<string | null>(null);
  protected readonly actionError = signal<string | null>(null);
  protected readonly pending = signal<ServiceAction | 'delete' | 'redeploy' | null>(null);
  private readonly now = signal(Date.now());
  /** The service's tool pins, for the banner while changes of its tools wait for review. */
  private readonly pins = signal<ServiceToolPinsView | null>(null);
  protected readonly driftBanner = computed(() => pendingBanner(this.pins()));
  protected readonly driftBlocked = computed(() => this.pins()?.driftPolicy === 'block');

  protected readonly uptime = computed(() => {
    const service = this.service();
    if (!service || service.status !== 'running') return null;
    const seconds = secondsSince(service.startedAt, this.now());
    return seconds === null ? null : formatUptime(seconds);
  });
  protected readonly tabs = computed(() => (this.service()?.repository ? TABS_WITH_DEPLOYMENTS : TABS));
  private readonly tabParam = toSignal(this.route.queryParamMap.pipe(map((params) => params.get('tab'))), {
    initialValue: this.route.snapshot.queryParamMap.get('tab'),
  });
  protected readonly selectedTab = computed(() => Math.max(0, this.tabs().indexOf((this.tabParam() ?? 'overview') as DetailTab)));
  protected readonly limits = computed(() => {
    const service = this.service();
    return service ? limitRows(service) : [];
  });
  protected readonly environmentNames = computed(() => Object.keys(this.service()?.environment ?? {}));
  protected readonly canStart = computed(() => {
    const status = this.service()?.status;
    return (status === 'stopped' || status === 'crashed' || status === 'failed') && !this.notDeployed();
  });
  /** A repository service whose deploy failed before any build ran: nothing to start, only the deploy to retry. */
  protected readonly notDeployed = computed(() => {
    const service = this.service();
    return service !== null && service.repository !== null && !service.process.command && service.status === 'failed';
  });
  protected readonly canStop = computed(() => {
    const status = this.service()?.status;
    return status !== undefined && status !== 'stopped';
  });

  constructor() {
    this.load();
    // The router reuses this page when only the name in the URL changes.
    this.route.paramMap.pipe(takeUntilDestroyed()).subscribe((params) => {
      const name = params.get('name') ?? '';
      if (name === this.key()) return;
      this.key.set(name);
      this.service.set(null);
      this.load();
    });
    // Status changes of this service, as they happen.
    this.live
      .status()
      .pipe(
        filter((view) => view.id === this.service()?.id || view.name === this.key()),
        takeUntilDestroyed(),
      )
      .subscribe((view) => this.service.set(view));
    // Whatever changed while the live connection was down.
    this.live.ready$.pipe(takeUntilDestroyed()).subscribe(() => {
      if (this.service()) this.load(false);
    });
    const clock = setInterval(() => this.now.set(Date.now()), 1000);
    this.destroyRef.onDestroy(() => clearInterval(clock));
  }

  /** Keeps the open tab in the URL, so a reload or a shared link opens it again. */
  protected selectTab(index: number): void {
    const tab = this.tabs()[index] ?? 'overview';
    void this.router.navigate([], {
      relativeTo: this.route,
      queryParams: { tab: tab === 'overview' ? null : tab },
      queryParamsHandling: 'merge',
      replaceUrl: true,
    });
  }

  protected load(showProgress = true): void {
    if (showProgress) this.loading.set(true);
    this.loadError.set(null);
    this.api
      .get(this.key())
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (service) => {
          this.service.set(service);
          this.loading.set(false);
          this.loadPins();
        },
        error: (error: unknown) => {
          this.loadError.set(describeHttpError(error));
          this.loading.set(false);
        },
      });
  }

  /** Changes of the tools waiting for review; a page that cannot read them just shows no banner. */
  protected loadPins(): void {
    const service = this.service();
    if (!service) return;
    this.toolPins
      .pins(service.id)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({ next: (pins) => this.pins.set(pins), error: () => this.pins.set(null) });
  }

  protected reviewToolChanges(): void {
    this.selectTab(this.tabs().indexOf('tools'));
  }

  /** Admins only; every reveal is in the audit log. */
  protected revealValues(): void {
    const service = this.service();
    if (!service) return;
    this.api
      .environment(service.name)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (view) => this.revealed.set(view.environment),
        error: (error: unknown) => this.actionError.set(describeHttpError(error)),
      });
  }

  protected control(action: ServiceAction): void {
    const service = this.service();
    if (!service || this.pending()) return;
    this.pending.set(action);
    this.actionError.set(null);
    this.api
      .control(service.id, action)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (view) => {
          this.service.set(view);
          this.pending.set(null);
        },
        error: (error: unknown) => {
          this.actionError.set(`Could not ${ACTION_LABELS[action]} ${service.name}: ${describeHttpError(error)}`);
          this.pending.set(null);
          this.load(false);
        },
      });
  }

  /** Deploys the repository again; the Deployments tab follows it, and the live status shows the outcome. */
  protected retryDeploy(): void {
    const service = this.service();
    if (!service || this.pending()) return;
    this.pending.set('redeploy');
    this.actionError.set(null);
    this.api
      .redeploy(service.id)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: () => {
          this.pending.set(null);
          this.selectTab(this.tabs().indexOf('deployments'));
        },
        error: (error: unknown) => {
          this.actionError.set(`Could not deploy ${service.name} again: ${describeHttpError(error)}`);
          this.pending.set(null);
        },
      });
  }

  protected confirmDelete(): void {
    const service = this.service();
    if (!service || this.pending()) return;
    const data: ConfirmDialogData = {
      title: `Delete ${service.name}?`,
      message:
        `The service is stopped and removed with its settings and environment variables. ` +
        `Clients using ${service.proxy.path} will get 404. This cannot be undone.`,
      confirmLabel: 'Delete',
      danger: true,
    };
    this.dialog
      .open<ConfirmDialogComponent, ConfirmDialogData, boolean>(ConfirmDialogComponent, { data, width: '440px' })
      .afterClosed()
      .pipe(
        map((confirmed) => confirmed === true),
        filter(Boolean),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe(() => this.remove(service));
  }

  private remove(service: ServiceView): void {
    this.pending.set('delete');
    this.actionError.set(null);
    this.api
      .remove(service.id)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: () => void this.router.navigate(['/services']),
        error: (error: unknown) => {
          this.actionError.set(`Could not delete ${service.name}: ${describeHttpError(error)}`);
          this.pending.set(null);
        },
      });
  }
}
