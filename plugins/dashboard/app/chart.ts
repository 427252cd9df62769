import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { h } from "./dom.ts";

export interface Line {
  label: string;
  /** A CSS custom property holding the line's colour (`--series-1`). */
  color: string;
}

/**
 * A value with no neighbour (a bucket of sparse history between empty ones) draws no line: it is
 * shown as a dot, and the gaps stay gaps rather than lines through time without data.
 */
function lonePoints(u: uPlot, seriesIdx: number): number[] {
  const ys = u.data[seriesIdx];
  const lone: number[] = [];
  for (let i = 0; i < ys.length; i++) if (ys[i] != null && ys[i - 1] == null && ys[i + 1] == null) lone.push(i);
  return lone;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
}

/**
 * A time-series chart (uPlot) that follows its box's width and the page's theme. Each chart also
 * carries a text summary (how many points, the latest values) for screen readers.
 */
export class TimeChart {
  readonly element: HTMLElement;
  private plot: uPlot | null = null;
  private data: uPlot.AlignedData = [[]];
  private readonly box: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly observer: ResizeObserver;

  constructor(private readonly title: string, private readonly lines: Line[], private readonly format: (value: number) => string, private readonly axisFormat: (value: number) => string = format) {
    this.box = h("div", { class: "chart-box", "aria-hidden": "true" });
    this.summary = h("p", { class: "visually-hidden", "aria-live": "off" });
    this.element = h("figure", { class: "chart", role: "group", "aria-label": title }, h("figcaption", null, title), this.box, this.summary);
    this.observer = new ResizeObserver(() => this.fit());
    this.observer.observe(this.box);
  }

  private fit(): void {
    const width = Math.floor(this.box.clientWidth);
    if (width <= 0) return;
    if (this.plot === null) this.create(width);
    else this.plot.setSize({ width, height: 160 });
  }

  private create(width: number): void {
    const axis = { stroke: cssVar("--muted"), grid: { stroke: cssVar("--grid"), width: 1 }, ticks: { stroke: cssVar("--grid"), width: 1 } };
    this.plot = new uPlot(
      {
        width,
        height: 160,
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false } },
        // From zero, and a unit tall while everything is zero, so an idle chart has plain ticks.
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        axes: [axis, { ...axis, size: 64, values: (_u, values) => values.map((v) => this.axisFormat(v)) }],
        series: [{}, ...this.lines.map((line) => ({ label: line.label, stroke: cssVar(line.color), width: 2, points: { show: true, size: 5, filter: lonePoints }, value: (_u: uPlot, v: number | null) => (v === null ? "–" : this.format(v)) }))],
      },
      this.data,
      this.box,
    );
  }

  set(data: uPlot.AlignedData): void {
    this.data = data;
    this.plot?.setData(data);
    const last = data[0].length - 1;
    const latest = this.lines.map((line, i) => `${line.label}: ${data[i + 1][last] == null ? "none" : this.format(data[i + 1][last] as number)}`).join(", ");
    this.summary.textContent = last < 0 ? "" : `${last + 1} points; latest ${latest}`;
  }

  /** Rebuild with the current theme's colours. */
  restyle(): void {
    this.plot?.destroy();
    this.plot = null;
    this.fit();
  }

  destroy(): void {
    this.observer.disconnect();
    this.plot?.destroy();
  }
}
