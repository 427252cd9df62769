import { describe, expect, it } from "vitest";
import { lineChart, niceTicks } from "../../bench/report/svg-chart.ts";
import { throughputChart, throughputSeries } from "../../bench/report/throughput.ts";

describe("svg line chart", () => {
  it("picks round ticks that cover the range", () => {
    expect(niceTicks(0, 127)).toEqual([0, 50, 100, 150]);
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });

  it("draws one polyline per series inside the plot, a legend and escaped text", () => {
    const svg = lineChart({
      title: "p99 <ms> & RSS",
      xLabel: "minutes",
      yLabel: "ms",
      width: 400,
      height: 200,
      markers: [{ x: 1, label: "end of warm-up" }],
      series: [
        { name: "a", points: [[0, 0], [1, 10], [2, 20]] },
        { name: "b", points: [[0, 5], [2, Number.NaN], [3, 5]], dashed: true },
      ],
    });
    expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
    expect(svg).toContain("p99 &lt;ms&gt; &amp; RSS");
    expect(svg).not.toContain("NaN");
    const lines = [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((m) => m[1].split(" ").map((p) => p.split(",").map(Number)));
    expect(lines).toHaveLength(2);
    // Plot area: x from 70 to 380, y from 40 to 150.
    for (const [x, y] of lines.flat()) {
      expect(x).toBeGreaterThanOrEqual(70);
      expect(x).toBeLessThanOrEqual(380);
      expect(y).toBeGreaterThanOrEqual(40);
      expect(y).toBeLessThanOrEqual(150);
    }
    // Series a rises: its y coordinate falls.
    expect(lines[0][0][1]).toBeGreaterThan(lines[0][2][1]);
    expect(svg).toContain("stroke-dasharray=\"6 4\"");
    expect(svg).toContain("end of warm-up");
  });
});

describe("throughput chart from the end-to-end bench's JSON", () => {
  const e2e = {
    results: [
      {
        runtime: "node",
        direct: { 1: { rps: 900 }, 4: { rps: 3000 } },
        columns: [{ name: "floor", cells: { 1: { rps: 800 }, 4: { rps: 2500 } } }, { name: "full", unavailable: "did not start" }],
      },
    ],
  };

  it("draws one line per runtime and server that ran, concurrency evenly spaced", () => {
    const data = throughputSeries(e2e)!;
    expect(data.levels).toEqual([1, 4]);
    expect(data.series.map((s) => s.name)).toEqual(["node direct to mock", "node floor"]);
    expect(data.series[1].points).toEqual([[0, 800], [1, 2500]]);
    expect(throughputChart(e2e)).toContain("node floor");
  });

  it("answers null for JSON of another shape", () => {
    expect(throughputChart({ rows: [] })).toBeNull();
    expect(throughputChart(null)).toBeNull();
  });
});
