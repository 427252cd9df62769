/** How numbers read on the page. */
export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  if (value === 0) return "0 ms";
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}

export function count(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (value >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

export function usd(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  if (value === 0) return "$0";
  return value < 0.01 ? `$${value.toFixed(5)}` : `$${value.toFixed(2)}`;
}

export function percent(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return `${(value * 100).toFixed(value < 0.1 ? 1 : 0)}%`;
}

export function time(iso: string): string {
  const date = new Date(iso);
  return date.toLocaleTimeString(undefined, { hour12: false }) + "." + String(date.getMilliseconds()).padStart(3, "0");
}

/** USD on a chart axis: short, with as many decimals as the ticks need. */
export function usdAxis(value: number): string {
  if (value === 0) return "$0";
  if (value >= 1) return `$${value.toFixed(value >= 100 ? 0 : 2)}`;
  return `$${Number(value.toPrecision(2))}`;
}

/** A rate that may be well under one (a quiet day's requests per second): two significant digits. */
export function rate(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return value >= 100 ? count(value) : String(Number(value.toPrecision(2)));
}
