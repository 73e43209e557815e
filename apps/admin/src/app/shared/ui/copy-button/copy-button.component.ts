import { Clipboard } from '@angular/cdk/clipboard';
import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { ActionFeedbackService } from '../../feedback/action-feedback.service';

/** An icon button that copies `text` and says so in a toast; for a value shown beside it. */
@Component({
  selector: 'mcp-copy-button',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatIconModule],
  template: `
    <button mat-icon-button type="button" [attr.aria-label]="'Copy ' + label()" [attr.title]="'Copy ' + label()" (click)="copy()">
      <mat-icon svgIcon="copy" />
    </button>
  `,
})
export class CopyButtonComponent {
  private readonly clipboard = inject(Clipboard);
  private readonly feedback = inject(ActionFeedbackService);
  readonly text = input.required<string>();
  /** What is copied ("everything endpoint"): the button's name and the toast's words. */
  readonly label = input.required<string>();

  protected copy(): void {
    if (this.clipboard.copy(this.text())) this.feedback.success(`Copied the ${this.label()}`);
    else this.feedback.failure(`Could not copy the ${this.label()}`, new Error('the browser refused the clipboard'));
  }
}
