import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatListModule } from '@angular/material/list';
import { MatSidenavModule } from '@angular/material/sidenav';
import { MatToolbarModule } from '@angular/material/toolbar';
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import type { UserRole } from '@mcp-proxy/shared/dto';
import { map } from 'rxjs';
import { AuthService } from '../auth/auth.service';
import { GatewayHealthService } from '../health/gateway-health.service';
import { healthSummary } from '../health/health-summary';
import { ThemeService } from './theme.service';

/** How often the header asks /health again (the dashboard also asks when a service crashes or recovers). */
export const HEALTH_POLL_MS = 30_000;

export interface NavItem {
  readonly path: string;
  readonly label: string;
  /** One of APP_ICONS. */
  readonly icon: string;
  /** Shown only to this role and above; absent: everyone. */
  readonly minRole?: UserRole;
}

export const NAV_ITEMS: readonly NavItem[] = [
  { path: '/dashboard', label: 'Dashboard', icon: 'dashboard' },
  { path: '/services', label: 'Services', icon: 'services' },
  { path: '/catalog', label: 'Catalog', icon: 'catalog' },
  { path: '/groups', label: 'Groups', icon: 'groups' },
  { path: '/deploy', label: 'Deploy', icon: 'deploy' },
  { path: '/logs', label: 'Logs', icon: 'logs' },
  { path: '/calls', label: 'Call history', icon: 'history' },
  { path: '/charts', label: 'Metrics', icon: 'metrics' },
  { path: '/network', label: 'Network', icon: 'network' },
  { path: '/certificates', label: 'Certificates', icon: 'lock' },
  { path: '/access', label: 'Access', icon: 'key' },
  { path: '/settings', label: 'Settings', icon: 'settings' },
  { path: '/account', label: 'Account', icon: 'account' },
  { path: '/users', label: 'Users', icon: 'users', minRole: 'admin' },
  { path: '/audit', label: 'Audit log', icon: 'audit', minRole: 'admin' },
];

/** The signed-in frame: toolbar, side navigation and the routed page. */
@Component({
  selector: 'mcp-shell',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatIconModule, MatListModule, MatSidenavModule, MatToolbarModule, RouterLink, RouterLinkActive, RouterOutlet],
  templateUrl: './shell.component.html',
  styleUrl: './shell.component.scss',
})
export class ShellComponent {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);

  protected readonly navItems = computed(() => NAV_ITEMS.filter((item) => !item.minRole || this.auth.allows(item.minRole)));
  private readonly gateway = inject(GatewayHealthService);
  /** The same state the dashboard shows: ok or degraded, with the reasons this user may see. */
  protected readonly health = computed(() => {
    const view = this.gateway.health();
    if (!view) return null;
    const summary = healthSummary(view);
    const count = summary.reasons.length + summary.hidden;
    return { ...summary, text: summary.degraded ? `Degraded (${count})` : 'OK', title: summary.reasons.join('\n') || null };
  });
  protected readonly theme = inject(ThemeService);
  /** Material's toolbar height on phones: the drawer opens below it. */
  protected readonly topbarHeight = 56;
  protected readonly who = this.auth.displayName;
  protected readonly role = this.auth.role;
  protected readonly compact = toSignal(
    inject(BreakpointObserver)
      .observe('(max-width: 799.98px)')
      .pipe(map((state) => state.matches)),
    { initialValue: false },
  );

  constructor() {
    this.gateway.refresh();
    const timer = setInterval(() => this.gateway.refresh(), HEALTH_POLL_MS);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }

  protected logout(): void {
    this.auth.signOut();
    void this.router.navigate(['/login']);
  }
}
