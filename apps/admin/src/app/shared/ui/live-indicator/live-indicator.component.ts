import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import type { LiveConnectionState } from '../../../core/live/live-socket.service';

const LABELS: Record<LiveConnectionState, string> = {
  idle: 'Live updates off',
  connecting: 'Connecting live updates…',
  open: 'Live',
  reconnecting: 'Live updates lost, reconnecting…',
  unauthorized: 'Live updates refused: sign in again',
  'signed-out': 'Live updates need a session',
};

/** Says whether what the page shows is still being updated. Presentational only. */
@Component({
  selector: 'mcp-live-indicator',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule],
  template: `
    <span class="indicator" role="status" [attr.data-state]="state()"> <span class="dot" aria-hidden="true"></span>{{ label() }} </span>
    @if (state() === 'reconnecting') {
      <button mat-button type="button" (click)="reconnect.emit()">Retry now</button>
    }
  `,
  styles: `
    :host {
      display: inline-flex;
      align-items: center;
      gap: 4px;
    }
    .indicator {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      font: var(--mat-sys-label-medium);
      color: var(--mat-sys-on-surface-variant);
    }
    .dot {
      width: 8px;
      height: 8px;
      border-radius: 50%;
      background: #9e9e9e;
    }
    [data-state='open'] .dot {
      background: #1e8e3e;
    }
    [data-state='connecting'] .dot,
    [data-state='reconnecting'] .dot {
      background: #f9ab00;
    }
    [data-state='unauthorized'] .dot {
      background: #d93025;
    }
  `,
})
export class LiveIndicatorComponent {
  readonly state = input.required<LiveConnectionState>();
  readonly reconnect = output<void>();
  protected readonly label = computed(() => LABELS[this.state()]);
}
