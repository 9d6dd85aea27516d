/** Learning curves: log records against their epoch, drawn by uPlot, one series per training in the log. */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { LogRecord } from './server-data.js';

/** One curve: the log key it plots and its legend. */
export interface Curve {
  readonly key: string;
  readonly label: string;
  readonly stroke: string;
}

/** What to plot of a log: its curves, and which series a record belongs to. */
export interface LogPlot {
  readonly curves: readonly Curve[];
  /**
   * The series of a record, for logs of several trainings whose epochs count from 1 each (a DBN's layers);
   * absent: one series, named by the curve's label.
   */
  readonly seriesOf?: (record: LogRecord) => string;
}

/** Line dashes of series 0, 1, 2, ... of a chart: solid, dashed, dotted, dash-dotted (then again). */
const DASHES: readonly number[][] = [[], [8, 4], [2, 3], [8, 3, 2, 3]];

interface Chart {
  readonly element: HTMLElement;
  plot: uPlot;
  series: readonly string[];
}

/**
 * One chart per curve with values in the records: x the epochs, one line per series (a series lacking an epoch
 * has a gap there). The chart's element carries the number of records it plots as `data-points` and its
 * series' names, comma-separated, as `data-series`.
 */
export class LearningCurves {
  private readonly charts = new Map<string, Chart>();

  constructor(
    private readonly parent: HTMLElement,
    private readonly plot: LogPlot,
  ) {}

  /** Plot the records (log lines or EpochRecords) that have an epoch and the curve's value. */
  show(records: readonly object[]): void {
    const epochs = (records as readonly LogRecord[]).filter((r) => typeof r.epoch === 'number');
    for (const curve of this.plot.curves) {
      const points = epochs.filter((r) => typeof r[curve.key] === 'number');
      if (points.length === 0) continue;
      const seriesOf = this.plot.seriesOf ?? (() => curve.label);
      const bySeries = new Map<string, LogRecord[]>();
      for (const r of points) bySeries.set(seriesOf(r), [...(bySeries.get(seriesOf(r)) ?? []), r]);
      const xs = [...new Set(points.map((r) => r.epoch as number))].sort((a, b) => a - b);
      const ys = [...bySeries.values()].map((rs) => {
        const at = new Map(rs.map((r) => [r.epoch as number, r[curve.key] as number]));
        return xs.map((x) => at.get(x) ?? null);
      });
      const chart = this.chart(curve, [...bySeries.keys()], [xs, ...ys]);
      chart.element.dataset.points = String(points.length);
      chart.element.dataset.series = chart.series.join(',');
    }
  }

  /** The chart of `curve` showing `data`, made (or made again) for these series. */
  private chart(curve: Curve, series: readonly string[], data: uPlot.AlignedData): Chart {
    const chart = this.charts.get(curve.key);
    if (chart !== undefined && chart.series.join('\n') === series.join('\n')) {
      chart.plot.setData(data);
      return chart;
    }
    chart?.plot.destroy();
    const element = chart?.element ?? this.parent.appendChild(Object.assign(document.createElement('div'), { className: 'curve' }));
    element.dataset.key = curve.key;
    const options: uPlot.Options = {
      title: curve.label,
      width: 400,
      height: 220,
      scales: { x: { time: false } },
      series: [{ label: 'epoch' }, ...series.map((label, i) => ({ label, stroke: curve.stroke, dash: DASHES[i % DASHES.length], width: 2, points: { show: true } }))],
    };
    const made: Chart = { element, plot: new uPlot(options, data, element), series };
    this.charts.set(curve.key, made);
    return made;
  }
}
