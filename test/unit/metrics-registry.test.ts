import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { describe, expect, it } from "vitest";
import { escapeHelp, escapeLabelValue, formatValue } from "../../plugins/metrics/exposition.ts";
import { OVERFLOW_LABEL, Registry } from "../../plugins/metrics/registry.ts";

describe("Prometheus exposition", () => {
  it("escapes backslash, double quote and line feed in label values, and backslash and line feed in HELP", () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeLabelValue("plain")).toBe("plain");
    expect(escapeHelp('say "hi"\\\n')).toBe('say "hi"\\\\\\n');
  });

  it("writes +Inf, -Inf and NaN as Go's ParseFloat reads them", () => {
    expect([Infinity, -Infinity, NaN, 0.25, 3].map(formatValue)).toEqual(["+Inf", "-Inf", "NaN", "0.25", "3"]);
  });

  it("renders counters and histograms that a parser reads back, escapes included", () => {
    const registry = new Registry(10);
    const counter = registry.counter("x_total", "A help\nwith a line feed", ["who"]);
    counter.inc(['line\nfeed "quoted" back\\slash'], 2);
    const histogram = registry.histogram("x_seconds", "h", [], [0.1, 1]);
    for (const v of [0.05, 0.1, 0.5, 3]) histogram.observe([], v);
    const [c, h] = parsePrometheusTextFormat(registry.render());
    expect(c).toMatchObject({ name: "x_total", help: "A help\nwith a line feed", type: "COUNTER", metrics: [{ value: "2", labels: { who: 'line\nfeed "quoted" back\\slash' } }] });
    // A boundary value falls in its bucket (le is "less than or equal").
    expect(h).toMatchObject({ name: "x_seconds", type: "HISTOGRAM", metrics: [{ buckets: { "0.1": "2", "1": "3", "+Inf": "4" }, count: "4", sum: "3.65" }] });
  });

  it("sends samples past the label-set cap to one overflow series and counts them", () => {
    const registry = new Registry(3);
    const counter = registry.counter("y_total", "h", ["a", "b"]);
    for (let i = 0; i < 10; i++) counter.inc([`v${i}`, "x"]);
    counter.inc(["v0", "x"]);
    expect(counter.size).toBe(3);
    expect(counter.overflowed).toBe(7);
    expect([...registry.overflows()]).toEqual([[["y_total"], 7]]);
    const samples = parsePrometheusTextFormat(registry.render())[0].metrics;
    expect(samples).toHaveLength(4);
    expect(samples.at(-1)).toEqual({ value: "7", labels: { a: OVERFLOW_LABEL, b: OVERFLOW_LABEL } });
  });

  it("refuses a metric name registered twice", () => {
    const registry = new Registry(3);
    registry.counter("z_total", "h", []);
    expect(() => registry.counter("z_total", "h", [])).toThrow(/registered twice/);
  });
});
