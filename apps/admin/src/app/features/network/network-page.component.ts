import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import type { CheckPortsView, NetworkPortName, NetworkStatusView, UpnpPortResultView } from '@mcp-proxy/shared/dto';
import { AuthService } from '../../core/auth/auth.service';
import { IfRoleDirective } from '../../core/auth/if-role.directive';
import { describeHttpError } from '../../core/api/api-error';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { LiveIndicatorComponent } from '../../shared/ui/live-indicator/live-indicator.component';
import { StatusChipComponent } from '../../shared/ui/status-chip/status-chip.component';
import { NetworkApiService } from './network-api.service';
import {
  PORT_LABELS,
  REACHABILITY_TONES,
  UPNP_TONES,
  describeLease,
  parsePortList,
  portsToCheck,
  privateIpSource,
  publicIpSource,
} from './network-model';
import { ActionFeedbackService } from '../../shared/feedback/action-feedback.service';

type UpnpAction = 'map' | 'unmap';

/**
 * How the proxy is reached from outside: addresses, UPnP and the router's mappings, a reachability
 * test, and the manual port-forwarding steps when UPnP is off or did not map every port. Live from
 * the `network` channel.
 */
@Component({
  selector: 'mcp-network-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    IfRoleDirective,
    DatePipe,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    LiveIndicatorComponent,
    StatusChipComponent,
  ],
  templateUrl: './network-page.component.html',
  styleUrl: './network-page.component.scss',
})
export class NetworkPageComponent {
  private readonly api = inject(NetworkApiService);
  private readonly destroyRef = inject(DestroyRef);
  private readonly feedback = inject(ActionFeedbackService);
  protected readonly live = inject(LiveSocketService);
  private readonly auth = inject(AuthService);
  /** Mapping ports changes the router: admins only (the API enforces it). */
  protected readonly mayMap = computed(() => this.auth.allows('admin'));

  protected readonly status = signal<NetworkStatusView | null>(null);
  protected readonly loading = signal(false);
  protected readonly loadError = signal<string | null>(null);

  /** The UPnP action running (all ports, or one), and what the router answered to the last one. */
  protected readonly pending = signal<{ action: UpnpAction; port: number | null } | null>(null);
  protected readonly upnpResults = signal<{ action: UpnpAction; results: UpnpPortResultView[] } | null>(null);
  protected readonly upnpError = signal<string | null>(null);

  protected readonly otherPorts = signal('');
  protected readonly otherPortsError = signal<string | null>(null);
  protected readonly checking = signal(false);
  protected readonly check = signal<CheckPortsView | null>(null);
  protected readonly checkError = signal<string | null>(null);

  protected readonly portLabels = PORT_LABELS;
  protected readonly reachabilityTones = REACHABILITY_TONES;
  protected readonly describeLease = describeLease;
  protected readonly upnpTone = computed(() => {
    const status = this.status();
    return status ? UPNP_TONES[status.upnp.state] : 'neutral';
  });
  protected readonly publicSource = computed(() => publicIpSource(this.status()?.publicIpSource ?? null));
  protected readonly privateSource = computed(() => privateIpSource(this.status()?.privateIpSource ?? null));
  protected readonly ourMappings = computed(() => (this.status()?.upnp.mappings ?? []).filter((mapping) => mapping.ours).length);

  constructor() {
    this.load();
    this.live
      .network()
      .pipe(takeUntilDestroyed())
      .subscribe((status) => {
        this.status.set(status);
        this.loadError.set(null);
      });
  }

  protected load(): void {
    this.loading.set(true);
    this.loadError.set(null);
    this.api
      .status()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (status) => {
          this.status.set(status);
          this.loading.set(false);
        },
        error: (error: unknown) => {
          this.loadError.set(describeHttpError(error));
          this.loading.set(false);
        },
      });
  }

  protected succeeded(results: readonly UpnpPortResultView[]): number {
    return results.filter((result) => result.ok).length;
  }

  protected portLabel(name: NetworkPortName | null): string {
    return name ? PORT_LABELS[name] : 'other';
  }

  /** Map or unmap through UPnP: every port of the proxy, or one. */
  protected upnp(action: UpnpAction, port: number | null = null): void {
    if (this.pending()) return;
    this.pending.set({ action, port });
    this.upnpError.set(null);
    this.upnpResults.set(null);
    const ports = port === null ? undefined : [port];
    const request = action === 'map' ? this.api.map(ports) : this.api.unmap(ports);
    const what = port ?? 'the ports';
    this.feedback
      .run(request, { done: `${action === 'map' ? 'Mapped' : 'Unmapped'} ${what}`, failed: `Could not ${action} ${what}` })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (change) => {
          this.pending.set(null);
          this.upnpResults.set({ action, results: change.results });
          this.status.update((status) => status && { ...status, upnp: change.upnp });
          // The ports' "mapped" and the manual steps follow from the new table.
          this.refreshQuietly();
        },
        error: (error: unknown) => {
          this.pending.set(null);
          this.upnpError.set(`Could not ${action} ${port ?? 'the ports'}: ${describeHttpError(error)}`);
        },
      });
  }

  protected onOtherPorts(event: Event): void {
    this.otherPorts.set((event.target as HTMLInputElement).value);
    this.otherPortsError.set(null);
  }

  protected checkPorts(): void {
    if (this.checking()) return;
    const parsed = parsePortList(this.otherPorts());
    if (!parsed.ok) {
      this.otherPortsError.set(parsed.error);
      return;
    }
    const own = (this.status()?.ports ?? []).map((port) => port.port);
    const ports = parsed.ports.length > 0 ? portsToCheck(own, parsed.ports) : undefined;
    this.checking.set(true);
    this.checkError.set(null);
    this.api
      .checkPorts(ports)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (check) => {
          this.check.set(check);
          this.checking.set(false);
          this.refreshQuietly();
        },
        error: (error: unknown) => {
          this.checkError.set(describeHttpError(error));
          this.checking.set(false);
        },
      });
  }

  private refreshQuietly(): void {
    this.api
      .status()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({ next: (status) => this.status.set(status), error: () => undefined });
  }
}
