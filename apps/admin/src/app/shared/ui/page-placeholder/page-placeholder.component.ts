import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatCardModule } from '@angular/material/card';

/** A page heading plus an honest "not built yet" note. Presentational only. */
@Component({
  selector: 'mcp-page-placeholder',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatCardModule],
  template: `
    <h1 class="page-title">{{ heading() }}</h1>
    <mat-card appearance="outlined">
      <mat-card-content>
        <p class="lead">{{ message() }}</p>
        @if (detail()) {
          <p class="detail">{{ detail() }}</p>
        }
      </mat-card-content>
    </mat-card>
  `,
  styles: `
    .lead {
      font: var(--mat-sys-title-medium);
      margin: 0;
    }
    .detail {
      margin: 12px 0 0;
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class PagePlaceholderComponent {
  readonly heading = input.required<string>();
  readonly message = input.required<string>();
  readonly detail = input<string>();
}
