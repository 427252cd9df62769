// The parser ships no types; this is the prom2json-like shape it returns.
declare module "parse-prometheus-text-format" {
  interface PlainSample {
    value: string;
    labels?: Record<string, string>;
  }
  interface HistogramSample {
    labels?: Record<string, string>;
    buckets: Record<string, string>;
    count: string;
    sum: string;
  }
  interface MetricFamily {
    name: string;
    help: string;
    type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
    metrics: (PlainSample | HistogramSample)[];
  }
  export default function parsePrometheusTextFormat(text: string): MetricFamily[];
}
