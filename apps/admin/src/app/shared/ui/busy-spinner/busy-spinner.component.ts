import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';

/**
 * A small spinner for inside a button while its action runs. Decorative: the button keeps its name
 * (tests and screen readers find it the same) and says `aria-busy` itself.
 */
@Component({
  selector: 'mcp-busy-spinner',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatProgressSpinnerModule],
  template: `
    @if (busy()) {
      <mat-progress-spinner mode="indeterminate" diameter="16" strokeWidth="2" aria-hidden="true" />
    }
  `,
  styles: `
    :host {
      display: contents;
    }
    mat-progress-spinner {
      display: inline-block;
      margin-right: 6px;
      vertical-align: middle;
      --mat-progress-spinner-active-indicator-color: currentColor;
    }
  `,
})
export class BusySpinnerComponent {
  readonly busy = input(false);
}
