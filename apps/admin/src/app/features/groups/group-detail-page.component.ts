import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTabsModule } from '@angular/material/tabs';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import type { GroupMappingView, GroupMemberView, GroupView } from '@mcp-proxy/shared/dto';
import { debounceTime, filter, map } from 'rxjs';
import { IfRoleDirective } from '../../core/auth/if-role.directive';
import { describeHttpError } from '../../core/api/api-error';
import { LiveSocketService } from '../../core/live/live-socket.service';
import { ConfirmDialogComponent, ConfirmDialogData } from '../../shared/ui/confirm-dialog/confirm-dialog.component';
import { LiveIndicatorComponent } from '../../shared/ui/live-indicator/live-indicator.component';
import { StatusChipComponent } from '../../shared/ui/status-chip/status-chip.component';
import type { StatusTone } from '../../shared/ui/status-chip/status-tone';
import type { ServiceAddress } from '../services/service-connect/client-snippets';
import { ServiceConnectComponent } from '../services/service-connect/service-connect.component';
import { TryItPanelComponent, TryItTarget } from '../services/try-it/try-it-panel.component';
import { GroupsApiService } from './groups-api.service';

type MemberState = GroupMappingView['members'][number]['state'];

const MEMBER_TONES: Record<MemberState, StatusTone> = {
  ok: 'positive',
  unavailable: 'negative',
  failed: 'negative',
  timeout: 'negative',
};

/** A member as the page lists it: its settings and how it is doing. */
export interface MemberRow {
  member: GroupMemberView;
  state: MemberState | 'unknown';
  tone: StatusTone;
  reason: string | null;
  /** `allow echo, get-*` · `deny …` · `2 renamed`; empty when the member is shown whole. */
  filters: string;
}

/** One group: its members with their health, the names it exposes, its settings and how to connect. */
@Component({
  selector: 'mcp-group-detail-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    IfRoleDirective,
    RouterLink,
    MatButtonModule,
    MatProgressBarModule,
    MatTabsModule,
    LiveIndicatorComponent,
    ServiceConnectComponent,
    TryItPanelComponent,
    StatusChipComponent,
  ],
  templateUrl: './group-detail-page.component.html',
  styleUrl: './group-detail-page.component.scss',
})
export class GroupDetailPageComponent {
  private readonly api = inject(GroupsApiService);
  private readonly router = inject(Router);
  private readonly dialog = inject(MatDialog);
  private readonly destroyRef = inject(DestroyRef);
  private readonly route = inject(ActivatedRoute);
  protected readonly live = inject(LiveSocketService);

  private readonly key = signal(this.route.snapshot.paramMap.get('name') ?? '');
  protected readonly group = signal<GroupView | null>(null);
  protected readonly loading = signal(false);
  protected readonly loadError = signal<string | null>(null);
  protected readonly mapping = signal<GroupMappingView | null>(null);
  protected readonly mappingLoading = signal(false);
  protected readonly mappingError = signal<string | null>(null);
  protected readonly deleting = signal(false);
  protected readonly deleteError = signal<string | null>(null);

  /** A group always answers (its members that run do): Try it connects at once. */
  protected readonly tryTarget = computed<TryItTarget | null>(() => {
    const group = this.group();
    return group ? { name: group.name, status: 'running', proxy: { path: group.path } } : null;
  });
  protected readonly address = computed<ServiceAddress | null>(() => {
    const group = this.group();
    return group ? { name: group.name, proxy: { path: group.path }, kind: 'group' } : null;
  });
  protected readonly members = computed<MemberRow[]>(() => {
    const health = new Map((this.mapping()?.members ?? []).map((item) => [item.serviceId, item]));
    return (this.group()?.members ?? []).map((member) => {
      const known = health.get(member.serviceId);
      return {
        member,
        state: known?.state ?? 'unknown',
        tone: known ? MEMBER_TONES[known.state] : 'neutral',
        reason: known?.reason ?? null,
        filters: describeFilters(member),
      };
    });
  });

  constructor() {
    this.load();
    this.route.paramMap.pipe(takeUntilDestroyed()).subscribe((params) => {
      const name = params.get('name') ?? '';
      if (name === this.key()) return;
      this.key.set(name);
      this.group.set(null);
      this.mapping.set(null);
      this.load();
    });
    // A member that starts, stops or crashes changes what the group can list: ask again, once things settle.
    this.live
      .status()
      .pipe(
        filter((view) => (this.group()?.members ?? []).some((member) => member.serviceId === view.id)),
        debounceTime(1000),
        takeUntilDestroyed(),
      )
      .subscribe(() => this.loadMapping(false));
    this.live.ready$.pipe(takeUntilDestroyed()).subscribe(() => {
      if (this.group()) this.load(false);
    });
  }

  protected load(showProgress = true): void {
    if (showProgress) this.loading.set(true);
    this.loadError.set(null);
    this.api
      .get(this.key())
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (group) => {
          this.group.set(group);
          this.loading.set(false);
          this.loadMapping(showProgress);
        },
        error: (error: unknown) => {
          this.loadError.set(describeHttpError(error));
          this.loading.set(false);
        },
      });
  }

  protected loadMapping(showProgress = true): void {
    const group = this.group();
    // A disabled group is not served: the API has no mapping for it.
    if (!group || !group.enabled) {
      this.mapping.set(null);
      return;
    }
    if (showProgress) this.mappingLoading.set(true);
    this.mappingError.set(null);
    this.api
      .mapping(group.id)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (mapping) => {
          this.mapping.set(mapping);
          this.mappingLoading.set(false);
        },
        error: (error: unknown) => {
          this.mappingError.set(describeHttpError(error));
          this.mappingLoading.set(false);
        },
      });
  }

  protected confirmDelete(): void {
    const group = this.group();
    if (!group || this.deleting()) return;
    const data: ConfirmDialogData = {
      title: `Delete ${group.name}?`,
      message: `Clients using ${group.path} will get 404. Its services are not touched. This cannot be undone.`,
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
      .subscribe(() => this.remove(group));
  }

  private remove(group: GroupView): void {
    this.deleting.set(true);
    this.deleteError.set(null);
    this.api
      .remove(group.id)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: () => void this.router.navigate(['/groups']),
        error: (error: unknown) => {
          this.deleting.set(false);
          this.deleteError.set(`Could not delete ${group.name}: ${describeHttpError(error)}`);
        },
      });
  }
}

function describeFilters(member: GroupMemberView): string {
  const parts: string[] = [];
  if (member.allow.length > 0) parts.push(`allow ${member.allow.join(', ')}`);
  if (member.deny.length > 0) parts.push(`deny ${member.deny.join(', ')}`);
  const renamed = Object.keys(member.renames).length;
  if (renamed > 0) parts.push(`${renamed} renamed`);
  return parts.join(' · ');
}
