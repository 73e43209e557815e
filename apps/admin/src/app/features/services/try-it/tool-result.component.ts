import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { CallToolResult, ContentBlock } from './mcp-types';

/** Raster images a browser shows safely from a data URL (not SVG, which can carry scripts). */
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp'];

type ShownBlock =
  | { kind: 'text'; text: string }
  | { kind: 'image'; src: string; mimeType: string }
  | { kind: 'note'; text: string }
  | { kind: 'json'; text: string };

/** What a tool returned: text, images (as data URLs), links, resources and structured content. */
@Component({
  selector: 'mcp-tool-result',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="result" [class.error]="result().isError" aria-labelledby="tool-result-title">
      <h3 id="tool-result-title">
        {{ result().isError ? 'The tool reported an error' : 'Result' }}
        @if (durationMs() !== null) {
          <span class="duration">{{ durationMs() }} ms</span>
        }
      </h3>
      @for (block of blocks(); track $index) {
        @switch (block.kind) {
          @case ('text') {
            <pre class="text" data-kind="text">{{ block.text }}</pre>
          }
          @case ('image') {
            <img [src]="block.src" [alt]="'Image returned by the tool (' + block.mimeType + ')'" />
          }
          @case ('note') {
            <p class="note">{{ block.text }}</p>
          }
          @case ('json') {
            <pre class="json">{{ block.text }}</pre>
          }
        }
      } @empty {
        <p class="note">No content.</p>
      }
      @if (structured(); as json) {
        <h4>Structured content</h4>
        <pre class="json" data-kind="structured">{{ json }}</pre>
      }
      <details>
        <summary>Raw JSON</summary>
        <pre class="json">{{ raw() }}</pre>
      </details>
    </section>
  `,
  styles: `
    .result {
      margin-top: 16px;
      padding: 12px 16px;
      border: 1px solid var(--mat-sys-outline-variant);
      border-radius: var(--mat-sys-corner-medium);
    }
    .result.error {
      border-color: var(--mat-sys-error);
    }
    h3 {
      display: flex;
      gap: 12px;
      align-items: baseline;
      margin: 0 0 8px;
      font: var(--mat-sys-title-small);
    }
    .error h3 {
      color: var(--mat-sys-error);
    }
    .duration {
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
    }
    pre {
      margin: 0 0 8px;
      padding: 8px 12px;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
      border-radius: var(--mat-sys-corner-small);
      background: var(--mat-sys-surface-container-low);
      font-size: 12.5px;
    }
    img {
      display: block;
      max-width: 100%;
      margin: 0 0 8px;
      image-rendering: pixelated;
      min-width: 64px;
    }
    .note {
      color: var(--mat-sys-on-surface-variant);
    }
    summary {
      cursor: pointer;
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class ToolResultComponent {
  readonly result = input.required<CallToolResult>();
  readonly durationMs = input<number | null>(null);

  protected readonly blocks = computed(() => (this.result().content ?? []).map(showBlock));
  protected readonly structured = computed(() => {
    const structured = this.result().structuredContent;
    return structured === undefined ? null : JSON.stringify(structured, null, 2);
  });
  protected readonly raw = computed(() => JSON.stringify(this.result(), null, 2));
}

export function showBlock(block: ContentBlock): ShownBlock {
  switch (block.type) {
    case 'text':
      return { kind: 'text', text: block.text };
    case 'image':
      return IMAGE_TYPES.includes(block.mimeType)
        ? { kind: 'image', src: `data:${block.mimeType};base64,${block.data}`, mimeType: block.mimeType }
        : { kind: 'note', text: `Image (${block.mimeType}, ${approximateSize(block.data)}): not shown here` };
    case 'audio':
      return { kind: 'note', text: `Audio (${block.mimeType}, ${approximateSize(block.data)}): not played here` };
    case 'resource_link':
      return {
        kind: 'note',
        text: `Resource link: ${block.title ?? block.name ?? block.uri} <${block.uri}>${block.mimeType ? ` (${block.mimeType})` : ''}`,
      };
    case 'resource':
      return block.resource.text !== undefined
        ? { kind: 'text', text: `${block.resource.uri}\n\n${block.resource.text}` }
        : {
            kind: 'note',
            text: `Resource ${block.resource.uri} (${block.resource.mimeType ?? 'binary'}, ${approximateSize(block.resource.blob ?? '')})`,
          };
    default:
      return { kind: 'json', text: JSON.stringify(block, null, 2) };
  }
}

/** Decoded size of base64 text, roughly. */
function approximateSize(base64: string): string {
  const bytes = Math.floor((base64.length * 3) / 4);
  return bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`;
}
