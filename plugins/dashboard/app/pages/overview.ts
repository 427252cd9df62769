import { BASE, call } from "../api.ts";
import { TimeChart } from "../chart.ts";
import { h, replace } from "../dom.ts";
import { count, ms, percent, rate, usd, usdAxis } from "../format.ts";
import { RANGE_WORDS, type RangeName, rangePicker } from "../range-picker.ts";
import { onThemeChange } from "../theme.ts";

interface Point {
  t: number;
  requests: number;
  rps: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  ttft50: number | null;
  ttft95: number | null;
  ttft99: number | null;
  errors: Record<"client" | "policy" | "provider" | "gateway", number>;
  tokensPerMin: number;
  costPerMin: number;
}

interface History {
  source: "memory" | "store";
  store: string | null;
  bucketSeconds: number;
  note?: string;
  points: Point[];
}

/** Stored history is asked for again this often while a longer range is shown. */
const HISTORY_REFRESH_MS = 60_000;

function every(seconds: number): string {
  return seconds < 60 ? `${seconds} s` : seconds < 3600 ? `${seconds / 60} min` : `${seconds / 3600} h`;
}

interface Frame {
  now: number;
  historyMinutes: number;
  totals: { requests: number; errors: number };
  inFlight: number;
  logQueue: { queued: number; capacity: number; dropped: number } | null;
  rejections: { rateLimit: number; budget: number };
  current: Point;
  points: Point[];
}

const FAULTS = ["client", "policy", "provider", "gateway"] as const;

/** Three percentiles in one unit: "12 · 170 · 320 ms". */
function triple(a: number | null, b: number | null, c: number | null): string {
  if (a === null || b === null || c === null) return "–";
  const seconds = c >= 1000;
  const f = (v: number): string => (seconds ? (v / 1000).toFixed(2) : v < 10 ? v.toFixed(1) : String(Math.round(v)));
  return `${f(a)} · ${f(b)} · ${f(c)} ${seconds ? "s" : "ms"}`;
}

function stat(label: string, testId: string): { element: HTMLElement; value: HTMLElement; note: HTMLElement } {
  const value = h("dd", { "data-testid": testId }, "–");
  const note = h("dd", { class: "muted small" });
  return { element: h("div", { class: "stat" }, h("dt", null, label), value, note), value, note };
}

/**
 * Live figures over the last minute, fed by server-sent events, and charts over the last hour
 * (the same feed) or over a longer range from the log store, asked for when chosen.
 */
export function overviewPage(main: HTMLElement): () => void {
  const stats = {
    total: stat("Requests", "total-requests"),
    rps: stat("Requests/s (1 min)", "rps"),
    latency: stat("Latency p50 · p95 · p99", "latency"),
    ttft: stat("First token p50 · p95 · p99", "ttft"),
    errors: stat("Error rate (1 min)", "error-rate"),
    inFlight: stat("In flight", "in-flight"),
    tokens: stat("Tokens/min", "tokens"),
    spend: stat("Spend/min", "spend"),
    queue: stat("Log queue", "log-queue"),
  };
  const status = h("p", { class: "muted small", role: "status" }, "Connecting…");
  let range: RangeName = "1h";
  // Bumped on every choice, so an answer for an earlier one is dropped rather than drawn.
  let choice = 0;
  const picker = rangePicker((chosen) => {
    range = chosen;
    choice++;
    clearTimeout(refresh);
    if (chosen === "1h") {
      status.textContent = liveText();
      draw();
    } else void loadHistory(chosen);
  });
  const charts = {
    rps: new TimeChart("Requests per second", [{ label: "req/s", color: "--series-1" }], rate),
    latency: new TimeChart("Latency", [{ label: "p50", color: "--series-1" }, { label: "p95", color: "--series-2" }, { label: "p99", color: "--series-3" }], ms),
    ttft: new TimeChart("Time to first token", [{ label: "p50", color: "--series-1" }, { label: "p95", color: "--series-2" }, { label: "p99", color: "--series-3" }], ms),
    errors: new TimeChart("Error rate by fault", FAULTS.map((f, i) => ({ label: f, color: `--series-${i + 1}` })), percent),
    tokens: new TimeChart("Tokens per minute", [{ label: "tokens/min", color: "--series-2" }], (v) => count(v)),
    spend: new TimeChart("Spend per minute", [{ label: "USD/min", color: "--series-4" }], usd, usdAxis),
  };
  replace(
    main,
    h("div", { class: "page-head" }, h("div", null, h("h1", null, "Overview"), status), picker.element),
    h("dl", { class: "stats" }, Object.values(stats).map((s) => s.element)),
    h("div", { class: "charts" }, Object.values(charts).map((c) => c.element)),
  );

  const points = new Map<number, Point>();
  let slotSeconds = 5;
  let historyMinutes = 60;

  const liveText = (): string => `Live · one point per ${every(slotSeconds)} over the last ${historyMinutes === 60 ? "hour" : `${historyMinutes} min`}`;
  let refresh: ReturnType<typeof setTimeout> | undefined;

  async function loadHistory(asked: RangeName): Promise<void> {
    const mine = choice;
    // Another range was chosen meanwhile, or the page left.
    const current = (): boolean => mine === choice && !closed;
    status.textContent = `Loading the last ${RANGE_WORDS[asked]}…`;
    try {
      const history = await call<History>(`history?range=${asked}`);
      if (!current()) return;
      const from = history.source === "store" ? `from ${history.store}` : "from memory";
      status.textContent = `History ${from} · one point per ${every(history.bucketSeconds)} over the last ${RANGE_WORDS[asked]}${history.note === undefined ? "" : ` · ${history.note}`}`;
      draw(history.points);
    } catch (error) {
      if (current()) status.textContent = `Could not load the last ${RANGE_WORDS[asked]}: ${(error as Error).message}`;
    }
    if (current()) refresh = setTimeout(() => void loadHistory(asked), HISTORY_REFRESH_MS);
  }

  function draw(shown?: Point[]): void {
    const sorted = shown ?? [...points.values()].sort((a, b) => a.t - b.t);
    const t = sorted.map((p) => p.t);
    charts.rps.set([t, sorted.map((p) => p.rps)]);
    charts.latency.set([t, sorted.map((p) => p.p50), sorted.map((p) => p.p95), sorted.map((p) => p.p99)]);
    charts.ttft.set([t, sorted.map((p) => p.ttft50), sorted.map((p) => p.ttft95), sorted.map((p) => p.ttft99)]);
    charts.errors.set([t, ...FAULTS.map((f) => sorted.map((p) => p.errors[f]))]);
    charts.tokens.set([t, sorted.map((p) => p.tokensPerMin)]);
    charts.spend.set([t, sorted.map((p) => p.costPerMin)]);
  }

  function show(frame: Frame): void {
    const c = frame.current;
    stats.total.value.textContent = String(frame.totals.requests);
    stats.total.note.textContent = `${frame.totals.errors} failed since start`;
    stats.rps.value.textContent = c.rps.toFixed(2);
    stats.latency.value.textContent = triple(c.p50, c.p95, c.p99);
    stats.ttft.value.textContent = triple(c.ttft50, c.ttft95, c.ttft99);
    const errorShare = FAULTS.reduce((sum, f) => sum + c.errors[f], 0);
    stats.errors.value.textContent = percent(errorShare);
    stats.errors.note.textContent = FAULTS.filter((f) => c.errors[f] > 0).map((f) => `${f} ${percent(c.errors[f])}`).join(" · ") || "no errors";
    stats.inFlight.value.textContent = String(frame.inFlight);
    stats.inFlight.note.textContent = `refused: ${frame.rejections.rateLimit} rate limit · ${frame.rejections.budget} budget`;
    stats.tokens.value.textContent = count(c.tokensPerMin);
    stats.spend.value.textContent = usd(c.costPerMin);
    const q = frame.logQueue;
    stats.queue.value.textContent = q === null ? "no log plugin" : `${q.queued} / ${q.capacity}`;
    stats.queue.note.textContent = q === null ? "" : `${q.dropped} dropped`;
    for (const point of frame.points) points.set(point.t, point);
    const oldest = frame.now / 1000 - historyMinutes * 60;
    for (const t of points.keys()) if (t < oldest) points.delete(t);
    // A longer range keeps its stored points; the live ones wait for the last hour to come back.
    if (range === "1h") draw();
  }

  let source: EventSource | null = null;
  let closed = false;
  call<Frame & { slotSeconds: number; historyStore: string | null }>("overview")
    .then((first) => {
      if (closed) return;
      slotSeconds = first.slotSeconds;
      historyMinutes = first.historyMinutes;
      picker.setLive(historyMinutes === 60 ? "Last hour" : `Last ${historyMinutes} min`);
      picker.setStore(first.historyStore);
      show(first);
      source = new EventSource(`${BASE}/api/live`);
      source.addEventListener("open", () => range === "1h" && (status.textContent = liveText()));
      source.addEventListener("tick", (event) => show(JSON.parse((event as MessageEvent).data) as Frame));
      source.addEventListener("error", () => range === "1h" && (status.textContent = "Live feed interrupted; reconnecting…"));
    })
    .catch((error) => (status.textContent = `Could not load: ${error.message}`));

  const unwatch = onThemeChange(() => Object.values(charts).forEach((c) => c.restyle()));
  return () => {
    closed = true;
    clearTimeout(refresh);
    source?.close();
    unwatch();
    Object.values(charts).forEach((c) => c.destroy());
  };
}
