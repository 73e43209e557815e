import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import { RouterLink } from '@angular/router';
import type { GroupView } from '@mcp-proxy/shared/dto';
import { IfRoleDirective } from '../../core/auth/if-role.directive';
import { describeHttpError } from '../../core/api/api-error';
import { CopyBlockComponent } from '../../shared/ui/copy-block/copy-block.component';
import { StatusChipComponent } from '../../shared/ui/status-chip/status-chip.component';
import { GroupsApiService } from './groups-api.service';

/** Every group, and the built-in one of all services at `/mcp`. */
@Component({
  selector: 'mcp-groups-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [IfRoleDirective, MatButtonModule, MatProgressBarModule, MatTableModule, RouterLink, CopyBlockComponent, StatusChipComponent],
  templateUrl: './groups-page.component.html',
  styleUrl: './groups-page.component.scss',
})
export class GroupsPageComponent {
  private readonly api = inject(GroupsApiService);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly columns = ['name', 'path', 'members', 'enabled'] as const;
  protected readonly groups = signal<GroupView[] | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly allServicesUrl = `${inject(DOCUMENT).defaultView?.location.origin ?? ''}/mcp`;

  constructor() {
    this.load();
  }

  protected memberNames(group: GroupView): string {
    return group.members.map((member) => member.serviceName).join(', ');
  }

  protected load(): void {
    this.loading.set(true);
    this.error.set(null);
    this.api
      .list()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (groups) => {
          this.groups.set(groups);
          this.loading.set(false);
        },
        error: (error: unknown) => {
          this.error.set(describeHttpError(error));
          this.loading.set(false);
        },
      });
  }
}
