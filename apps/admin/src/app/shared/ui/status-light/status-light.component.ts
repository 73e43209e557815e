import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { ServiceStatus } from '@mcp-proxy/shared/dto';
import { STATUS_TONES, StatusTone } from '../status-chip/status-tone';

/** A coloured dot for a service status, with the status as its accessible name. Presentational only. */
@Component({
  selector: 'mcp-status-light',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="light" role="img" [attr.aria-label]="status()" [attr.title]="status()" [attr.data-tone]="tone()"></span>`,
  styles: `
    :host {
      display: inline-flex;
      vertical-align: middle;
    }
    .light {
      width: 12px;
      height: 12px;
      border-radius: 50%;
      background: #9e9e9e;
      box-shadow: 0 0 0 2px var(--mat-sys-surface);
    }
    .light[data-tone='positive'] {
      background: #1e8e3e;
    }
    .light[data-tone='progress'] {
      background: #f9ab00;
    }
    .light[data-tone='negative'] {
      background: #d93025;
    }
  `,
})
export class StatusLightComponent {
  readonly status = input.required<ServiceStatus>();
  protected readonly tone = computed<StatusTone>(() => STATUS_TONES[this.status()] ?? 'neutral');
}
