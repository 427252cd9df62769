import { escapeHelp, formatValue, labelBlock } from "./exposition.ts";

/**
 * A small Prometheus registry built for the request path: a sample is one Map lookup by a label
 * key the caller builds once per request, then a number update; nothing else allocates after a
 * label set's first sample. Label sets per metric are capped: past the cap, samples go to one
 * series whose every label is `_overflow` (so totals stay right) and are counted.
 */

export const SEPARATOR = "\u0001";
export const OVERFLOW_LABEL = "_overflow";

/** The map key of a label set. Callers that record several metrics with one label set build it once. */
export function seriesKey(values: readonly string[]): string {
  let key = values.length === 0 ? "" : values[0];
  for (let i = 1; i < values.length; i++) key += SEPARATOR + values[i];
  return key;
}

interface Series<D> {
  readonly values: readonly string[];
  readonly data: D;
}

export interface Family {
  readonly name: string;
  /** Samples that found the label-set cap reached and went to the overflow series. */
  readonly overflowed: number;
  render(out: string[]): void;
}

/** A family's samples, in one object so a successor registry can share it (see `Registry.adopt`). */
interface SeriesState<D> {
  readonly series: Map<string, Series<D>>;
  overflow: Series<D> | null;
  overflowed: number;
}

abstract class SeriesFamily<D> implements Family {
  private state: SeriesState<D> = { series: new Map(), overflow: null, overflowed: 0 };

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    private readonly maxSeries: number,
  ) {}

  protected abstract create(): D;
  protected abstract renderSeries(out: string[], values: readonly string[], data: D): void;
  protected abstract readonly type: string;

  get overflowed(): number {
    return this.state.overflowed;
  }

  protected dataFor(values: readonly string[], key: string): D {
    const state = this.state;
    const found = state.series.get(key);
    if (found !== undefined) return found.data;
    if (state.series.size >= this.maxSeries) {
      state.overflowed++;
      state.overflow ??= { values: this.labelNames.map(() => OVERFLOW_LABEL), data: this.create() };
      return state.overflow.data;
    }
    const created: Series<D> = { values: values.slice(), data: this.create() };
    state.series.set(key, created);
    return created.data;
  }

  /** Label sets tracked, the overflow series excluded. */
  get size(): number {
    return this.state.series.size;
  }

  /** Whether `other` records the same thing the same way, so its samples can be carried on. */
  protected compatible(other: SeriesFamily<unknown>): boolean {
    return other.constructor === this.constructor && other.name === this.name && other.labelNames.join(",") === this.labelNames.join(",");
  }

  /** Carry on with `previous`'s samples (a reload): both record into one state from now on. */
  adopt(previous: SeriesFamily<unknown>): boolean {
    if (!this.compatible(previous)) return false;
    this.state = previous.state as SeriesState<D>;
    return true;
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`);
    const { series, overflow } = this.state;
    for (const entry of series.values()) this.renderSeries(out, entry.values, entry.data);
    if (overflow !== null) this.renderSeries(out, overflow.values, overflow.data);
  }
}

interface CounterData {
  value: number;
}

export class Counter extends SeriesFamily<CounterData> {
  protected readonly type = "counter";

  inc(values: readonly string[], by = 1, key = seriesKey(values)): void {
    this.dataFor(values, key).value += by;
  }

  protected create(): CounterData {
    return { value: 0 };
  }

  protected renderSeries(out: string[], values: readonly string[], data: CounterData): void {
    out.push(`${this.name}${labelBlock(this.labelNames, values)} ${formatValue(data.value)}`);
  }
}

interface HistogramData {
  /** Per-bucket counts (not cumulative), the last one for +Inf. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

export class Histogram extends SeriesFamily<HistogramData> {
  protected readonly type = "histogram";
  private readonly bounds: readonly number[];
  private readonly boundLabels: readonly string[];

  constructor(name: string, help: string, labelNames: readonly string[], maxSeries: number, buckets: readonly number[]) {
    super(name, help, labelNames, maxSeries);
    this.bounds = validBuckets(name, buckets);
    this.boundLabels = [...this.bounds.map(formatValue), "+Inf"];
  }

  observe(values: readonly string[], value: number, key = seriesKey(values)): void {
    const data = this.dataFor(values, key);
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    data.counts[i]++;
    data.sum += value;
    data.count++;
  }

  protected create(): HistogramData {
    return { counts: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 };
  }

  protected override compatible(other: SeriesFamily<unknown>): boolean {
    return super.compatible(other) && (other as Histogram).bounds.join(",") === this.bounds.join(",");
  }

  protected renderSeries(out: string[], values: readonly string[], data: HistogramData): void {
    let cumulative = 0;
    for (let i = 0; i < data.counts.length; i++) {
      cumulative += data.counts[i];
      out.push(`${this.name}_bucket${labelBlock(this.labelNames, values, "le", this.boundLabels[i])} ${cumulative}`);
    }
    const labels = labelBlock(this.labelNames, values);
    out.push(`${this.name}_sum${labels} ${formatValue(data.sum)}`, `${this.name}_count${labels} ${data.count}`);
  }
}

function validBuckets(name: string, buckets: readonly number[]): readonly number[] {
  if (!Array.isArray(buckets) || buckets.length === 0) throw new TypeError(`metrics: ${name} needs at least one bucket`);
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i];
    if (typeof b !== "number" || !Number.isFinite(b)) throw new TypeError(`metrics: ${name} buckets must be finite numbers`);
    if (i > 0 && !(b > buckets[i - 1])) throw new TypeError(`metrics: ${name} buckets must increase`);
  }
  return Object.freeze([...buckets]);
}

/** A value read at scrape time (in-flight requests, queue depth, circuit state). */
export type Sample = readonly [values: readonly string[], value: number];

export class CollectedFamily implements Family {
  readonly overflowed = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: "gauge" | "counter",
    readonly labelNames: readonly string[],
    private readonly collect: () => Iterable<Sample>,
  ) {}

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`);
    for (const [values, value] of this.collect()) out.push(`${this.name}${labelBlock(this.labelNames, values)} ${formatValue(value)}`);
  }
}

/** Families in registration order; `render` is the whole scrape body. */
export class Registry {
  private readonly families: Family[] = [];

  constructor(private readonly maxSeries: number) {}

  counter(name: string, help: string, labelNames: readonly string[]): Counter {
    return this.add(new Counter(name, help, labelNames, this.maxSeries));
  }

  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, labelNames, this.maxSeries, buckets));
  }

  collected(name: string, help: string, type: "gauge" | "counter", labelNames: readonly string[], collect: () => Iterable<Sample>): CollectedFamily {
    return this.add(new CollectedFamily(name, help, type, labelNames, collect));
  }

  /**
   * Carry on with the samples of `previous` (the registry of the metrics plugin a reload
   * replaced), family by family where name, labels and buckets are unchanged, so counters keep
   * counting instead of starting again at 0.
   */
  adopt(previous: Registry): void {
    for (const family of this.families) {
      if (!(family instanceof SeriesFamily)) continue;
      const old = previous.families.find((f) => f.name === family.name);
      if (old instanceof SeriesFamily) family.adopt(old);
    }
  }

  /** Overflowed samples per metric, for the registry's own health metric. */
  *overflows(): Iterable<Sample> {
    for (const family of this.families) if (family.overflowed > 0) yield [[family.name], family.overflowed];
  }

  render(): string {
    const out: string[] = [];
    for (const family of this.families) family.render(out);
    out.push("");
    return out.join("\n");
  }

  private add<F extends Family>(family: F): F {
    if (this.families.some((f) => f.name === family.name)) throw new Error(`metrics: ${family.name} is registered twice`);
    this.families.push(family);
    return family;
  }
}
