import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  afterNextRender,
  effect,
  inject,
  input,
  viewChild,
} from '@angular/core';
import { CHART_FACTORY, ChartHandle, ChartSpec } from './chart-factory';

/** One chart: a title, the latest figure in words, and the canvas. */
@Component({
  selector: 'mcp-metrics-chart',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <figure>
      <figcaption>
        <span class="title">{{ title() }}</span>
        <span class="latest">{{ latest() }}</span>
      </figcaption>
      <div class="canvas-box">
        <canvas #canvas role="img" [attr.aria-label]="title() + ': ' + latest()"></canvas>
      </div>
    </figure>
  `,
  styles: `
    figure {
      margin: 0;
      padding: 12px 16px;
      border: 1px solid var(--mat-sys-outline-variant);
      border-radius: var(--mat-sys-corner-medium);
    }
    figcaption {
      display: flex;
      justify-content: space-between;
      gap: 8px;
      margin-bottom: 8px;
    }
    .title {
      font: var(--mat-sys-title-small);
    }
    .latest {
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
    }
    .canvas-box {
      position: relative;
      height: 200px;
    }
  `,
})
export class MetricsChartComponent {
  private readonly createChart = inject(CHART_FACTORY);

  readonly title = input.required<string>();
  /** The newest value(s) in words, also the canvas's accessible name. */
  readonly latest = input.required<string>();
  readonly spec = input.required<ChartSpec>();

  private readonly canvas = viewChild.required<ElementRef<HTMLCanvasElement>>('canvas');
  private chart: ChartHandle | null = null;

  constructor() {
    afterNextRender(() => {
      this.chart = this.createChart(this.canvas().nativeElement, this.spec());
    });
    effect(() => {
      const spec = this.spec();
      this.chart?.update(spec);
    });
    inject(DestroyRef).onDestroy(() => {
      this.chart?.destroy();
      this.chart = null;
    });
  }
}
