/** Learning curves: log records against their epoch, drawn by uPlot. */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { LogRecord } from './server-data.js';

/** One curve: the log key it plots and its legend. */
export interface Curve {
  readonly key: string;
  readonly label: string;
  readonly stroke: string;
}

/**
 * One chart per curve with values in the records. The chart's element carries the number of points it plots
 * as `data-points`.
 */
export class LearningCurves {
  private readonly charts = new Map<string, { plot: uPlot; element: HTMLElement }>();

  constructor(
    private readonly parent: HTMLElement,
    private readonly curves: readonly Curve[],
  ) {}

  /** Plot the records (log lines or EpochRecords) that have an epoch and the curve's value. */
  show(records: readonly object[]): void {
    const epochs = (records as readonly LogRecord[]).filter((r) => typeof r.epoch === 'number');
    for (const curve of this.curves) {
      const points = epochs.filter((r) => typeof r[curve.key] === 'number');
      if (points.length === 0) continue;
      const data: uPlot.AlignedData = [points.map((r) => r.epoch as number), points.map((r) => r[curve.key] as number)];
      const chart = this.charts.get(curve.key) ?? this.chart(curve, data);
      chart.plot.setData(data);
      chart.element.dataset.points = String(points.length);
    }
  }

  private chart(curve: Curve, data: uPlot.AlignedData): { plot: uPlot; element: HTMLElement } {
    const element = document.createElement('div');
    element.className = 'curve';
    element.dataset.key = curve.key;
    this.parent.append(element);
    const options: uPlot.Options = {
      title: curve.label,
      width: 400,
      height: 220,
      scales: { x: { time: false } },
      series: [{ label: 'epoch' }, { label: curve.label, stroke: curve.stroke, width: 2, points: { show: true } }],
    };
    const chart = { plot: new uPlot(options, data, element), element };
    this.charts.set(curve.key, chart);
    return chart;
  }
}
