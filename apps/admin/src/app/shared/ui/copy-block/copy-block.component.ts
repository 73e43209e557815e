import { Clipboard } from '@angular/cdk/clipboard';
import { ChangeDetectionStrategy, Component, DestroyRef, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';

/** Text shown as code with a Copy button that says when it worked. Presentational only. */
@Component({
  selector: 'mcp-copy-block',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule],
  template: `
    <div class="block" [class.inline]="inline()">
      <pre tabindex="0" [attr.aria-label]="label()"><code>{{ text() }}</code></pre>
      <button mat-stroked-button type="button" class="copy" [attr.aria-label]="'Copy ' + label()" (click)="copy()">
        {{ state() === 'copied' ? 'Copied' : state() === 'failed' ? 'Copy failed' : 'Copy' }}
      </button>
    </div>
    <span class="sr-only" aria-live="polite">{{ state() === 'copied' ? label() + ' copied' : '' }}</span>
  `,
  styles: `
    .block {
      position: relative;
      display: flex;
      gap: 8px;
      align-items: flex-start;
      border: 1px solid var(--mat-sys-outline-variant);
      border-radius: var(--mat-sys-corner-small);
      background: var(--mat-sys-surface-container-low);
      padding: 8px 8px 8px 12px;
    }
    .block.inline {
      align-items: center;
    }
    pre {
      flex: 1 1 auto;
      margin: 0;
      overflow-x: auto;
      font-size: 12.5px;
      line-height: 1.5;
    }
    .inline pre {
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    .copy {
      flex: none;
    }
    .sr-only {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
    }
  `,
})
export class CopyBlockComponent {
  private readonly clipboard = inject(Clipboard);

  readonly text = input.required<string>();
  /** What the text is, for screen readers and the button ("MCP URL", "Cursor configuration"). */
  readonly label = input.required<string>();
  /** One line (a URL) rather than a block of code. */
  readonly inline = input(false);

  protected readonly state = signal<'idle' | 'copied' | 'failed'>('idle');
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      if (this.timer) clearTimeout(this.timer);
    });
  }

  protected copy(): void {
    this.state.set(this.clipboard.copy(this.text()) ? 'copied' : 'failed');
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.state.set('idle'), 2000);
  }
}
