import { InjectionToken } from '@angular/core';
import {
  BarController,
  BarElement,
  Chart,
  Filler,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Tooltip,
} from 'chart.js';

/** What a chart shows: one or more series of (time, value) points. */
export interface ChartSpec {
  kind: 'line' | 'bar';
  /** Shown on the value axis, e.g. `ms`, `%`, `MiB`. */
  unit: string;
  datasets: { label: string; color: string; points: { x: number; y: number | null }[] }[];
  /** The time span the x axis covers (a stored range: the whole hour, day or month, however few points it has). */
  xRange?: { min: number; max: number };
}

export interface ChartHandle {
  update(spec: ChartSpec): void;
  destroy(): void;
}

export type ChartFactory = (canvas: HTMLCanvasElement, spec: ChartSpec) => ChartHandle;

/** Draws with chart.js; tests provide a recorder instead (jsdom has no canvas). */
export const CHART_FACTORY = new InjectionToken<ChartFactory>('CHART_FACTORY', {
  providedIn: 'root',
  factory: () => chartJsFactory,
});

let registered = false;

const chartJsFactory: ChartFactory = (canvas, spec) => {
  if (!registered) {
    // Only what these charts use, so the rest of chart.js stays out of the bundle.
    Chart.register(LineController, BarController, LineElement, BarElement, PointElement, LinearScale, Filler, Legend, Tooltip);
    registered = true;
  }
  // The latest spec, for the tick labels (its range may arrive after the chart is drawn).
  let current = spec;
  const chart = new Chart(canvas, {
    type: spec.kind,
    data: { datasets: toDatasets(spec) },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      spanGaps: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: {
          type: 'linear',
          min: spec.xRange?.min,
          max: spec.xRange?.max,
          ticks: { maxTicksLimit: 6, callback: (value) => axisTime(Number(value), current) },
        },
        y: {
          type: 'linear',
          beginAtZero: true,
          title: { display: true, text: spec.unit },
        },
      },
      plugins: {
        legend: { display: spec.datasets.length > 1 },
        tooltip: {
          callbacks: {
            title: (items) => (items[0] ? clockTime(items[0].parsed.x ?? 0) : ''),
          },
        },
      },
    },
  });
  return {
    update: (next) => {
      current = next;
      chart.data.datasets = toDatasets(next);
      const x = chart.options.scales?.['x'];
      if (x) {
        x.min = next.xRange?.min;
        x.max = next.xRange?.max;
      }
      chart.update('none');
    },
    destroy: () => chart.destroy(),
  };
};

function toDatasets(spec: ChartSpec) {
  return spec.datasets.map((dataset) => ({
    label: dataset.label,
    data: dataset.points,
    borderColor: dataset.color,
    backgroundColor: spec.kind === 'bar' ? dataset.color : `${dataset.color}33`,
    borderWidth: spec.kind === 'bar' ? 0 : 2,
    // Sparse stored points (a step with nothing recorded is left out) would vanish without a dot.
    pointRadius: spec.xRange ? 2 : 0,
    tension: 0.2,
    fill: spec.kind === 'line' && spec.datasets.length === 1,
    barThickness: 4,
  }));
}

/** Ticks of a span longer than a day say the date too. */
function axisTime(epochMs: number, spec: ChartSpec): string {
  const span = spec.xRange ? spec.xRange.max - spec.xRange.min : 0;
  if (span <= 26 * 60 * 60 * 1000) return clockTime(epochMs).slice(0, spec.xRange ? 5 : 8);
  const date = new Date(epochMs);
  return `${date.getDate()}/${date.getMonth() + 1}`;
}

function clockTime(epochMs: number): string {
  const date = new Date(epochMs);
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}
