import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { ServiceStatus } from '@mcp-proxy/shared/dto';
import { STATUS_TONES, StatusTone } from './status-tone';

/**
 * A small coloured label for a state. Service statuses get their tone on their own; anything else
 * (a deployment, a UPnP state, a member's health) passes its `tone`. Presentational only.
 */
@Component({
  selector: 'mcp-status-chip',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="chip" [attr.data-tone]="shownTone()">{{ status() }}</span>`,
  styles: `
    .chip {
      display: inline-block;
      padding: 2px 10px;
      border-radius: 999px;
      font: var(--mat-sys-label-medium);
      text-transform: capitalize;
      white-space: nowrap;
      background: var(--mat-sys-surface-container-high);
      color: var(--mat-sys-on-surface-variant);
    }
    .chip[data-tone='positive'] {
      background: var(--mcp-ok-container);
      color: var(--mcp-on-ok-container);
    }
    .chip[data-tone='progress'] {
      background: var(--mat-sys-secondary-container);
      color: var(--mat-sys-on-secondary-container);
    }
    .chip[data-tone='negative'] {
      background: var(--mat-sys-error-container);
      color: var(--mat-sys-on-error-container);
    }
  `,
})
export class StatusChipComponent {
  readonly status = input.required<string>();
  readonly tone = input<StatusTone>();
  protected readonly shownTone = computed<StatusTone>(() => this.tone() ?? STATUS_TONES[this.status() as ServiceStatus] ?? 'neutral');
}
