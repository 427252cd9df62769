/**
 * A dependency-free SVG line chart for benchmark reports: numeric axes with round ticks, a legend,
 * optional vertical markers (the end of a warm-up) and categorical x ticks (concurrency levels).
 */

export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
  dashed?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  width?: number;
  height?: number;
  /** Ticks at these x values with these labels, instead of round numbers. */
  xTicks?: readonly { value: number; label: string }[];
  /** Vertical lines across the plot. */
  markers?: readonly { x: number; label: string }[];
  /** Start the y axis at zero (default true). */
  yFromZero?: boolean;
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Round tick positions (steps of 1, 2 or 5 times a power of ten) from at or below min to at or above max. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  const last = Math.ceil(max / step - 1e-9) * step;
  for (let v = Math.floor(min / step + 1e-9) * step; v <= last + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function formatTick(value: number): string {
  if (Math.abs(value) >= 1000) return value.toLocaleString("en-US", { maximumFractionDigits: 0 });
  return String(Number(value.toPrecision(4)));
}

const LEGEND_ROW = 18;
const LEFT = 70;
const RIGHT = 20;

/** How many rows the legend takes when its items flow left to right. */
function legendRows(series: readonly Series[], width: number): number {
  let rows = series.length > 0 ? 1 : 0;
  let x = 0;
  for (const s of series) {
    const item = 34 + s.name.length * 7;
    if (x + item > width - LEFT - RIGHT && x > 0) {
      rows++;
      x = 0;
    }
    x += item;
  }
  return rows;
}

export function lineChart(options: ChartOptions): string {
  const width = options.width ?? 800;
  const legendHeight = legendRows(options.series, width) * LEGEND_ROW + 8;
  const height = (options.height ?? 400) + legendHeight;
  const margin = { top: 40, right: RIGHT, bottom: 50 + legendHeight, left: LEFT };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const finite = options.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = [...finite.map(([x]) => x), ...(options.xTicks ?? []).map((t) => t.value), ...(options.markers ?? []).map((m) => m.x)];
  const ys = finite.map(([, y]) => y);
  let xMin = xs.length > 0 ? Math.min(...xs) : 0;
  let xMax = xs.length > 0 ? Math.max(...xs) : 1;
  if (xMax === xMin) [xMin, xMax] = [xMin - 1, xMax + 1];
  let yMin = ys.length > 0 ? Math.min(...ys) : 0;
  let yMax = ys.length > 0 ? Math.max(...ys) : 1;
  if (options.yFromZero !== false) yMin = Math.min(0, yMin);
  const yTicks = niceTicks(yMin, yMax === yMin ? yMin + 1 : yMax);
  yMin = Math.min(yMin, yTicks[0]);
  yMax = Math.max(yMax, yTicks[yTicks.length - 1]);
  if (yMax === yMin) yMax = yMin + 1;
  const px = (x: number): number => margin.left + ((x - xMin) / (xMax - xMin)) * plotW;
  const py = (y: number): number => margin.top + plotH - ((y - yMin) / (yMax - yMin)) * plotH;
  const f = (n: number): string => n.toFixed(1);

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`);
  for (const tick of yTicks) {
    const y = f(py(tick));
    out.push(`<line x1="${margin.left}" y1="${y}" x2="${margin.left + plotW}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${margin.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(formatTick(tick))}</text>`);
  }
  const xTicks = options.xTicks ?? niceTicks(xMin, xMax, 8).filter((v) => v >= xMin && v <= xMax).map((value) => ({ value, label: formatTick(value) }));
  for (const tick of xTicks) {
    const x = f(px(tick.value));
    out.push(`<line x1="${x}" y1="${margin.top + plotH}" x2="${x}" y2="${margin.top + plotH + 5}" stroke="#333"/>`);
    out.push(`<text x="${x}" y="${margin.top + plotH + 18}" text-anchor="middle">${escapeXml(tick.label)}</text>`);
  }
  out.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${margin.left + plotW / 2}" y="${margin.top + plotH + 38}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`);
  for (const marker of options.markers ?? []) {
    const x = f(px(marker.x));
    out.push(`<line x1="${x}" y1="${margin.top}" x2="${x}" y2="${margin.top + plotH}" stroke="#888" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${Number(x) + 4}" y="${margin.top + 12}" fill="#555">${escapeXml(marker.label)}</text>`);
  }
  const color = (i: number): string => COLORS[i % COLORS.length];
  const dash = (series: Series): string => (series.dashed ? ` stroke-dasharray="6 4"` : "");
  options.series.forEach((series, i) => {
    const pts = series.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (pts.length > 1) out.push(`<polyline fill="none" stroke="${color(i)}" stroke-width="1.8"${dash(series)} points="${pts.map(([x, y]) => `${f(px(x))},${f(py(y))}`).join(" ")}"/>`);
    if (pts.length <= 30) for (const [x, y] of pts) out.push(`<circle cx="${f(px(x))}" cy="${f(py(y))}" r="3" fill="${color(i)}"/>`);
  });
  // Below the plot, in rows, so it never hides a line.
  let lx = margin.left;
  let ly = height - legendHeight + 8;
  options.series.forEach((series, i) => {
    const itemWidth = 34 + series.name.length * 7;
    if (lx + itemWidth > width - margin.right && lx > margin.left) {
      lx = margin.left;
      ly += LEGEND_ROW;
    }
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 18}" y2="${ly}" stroke="${color(i)}" stroke-width="2.5"${dash(series)}/>`);
    out.push(`<text x="${lx + 24}" y="${ly}" dominant-baseline="middle">${escapeXml(series.name)}</text>`);
    lx += itemWidth;
  });
  out.push(`</svg>`);
  return `${out.join("\n")}\n`;
}
