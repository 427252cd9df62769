import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LogRecord } from "../../core/log-record.ts";
import { listen, type Listener } from "../../runtimes/node.ts";
import { postgresSink } from "../../sinks/index.ts";
import { mockUpstream, sampleLogRecord } from "../../testing/index.ts";
import { ROOT, RUNTIMES, startCli, type RunningGateway, type Runtime } from "../helpers/cli.ts";
import { DATABASE_URL, dropTables, uniqueTable } from "../helpers/postgres.ts";

const ADMIN_KEY = "sk-admin-dashboard-0123456789";
const TRAFFIC_KEY = "sk-traffic-0123456789abcdef";
const UPSTREAM_KEY = "sk-upstream-secret-77";
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// UPDATE_SCREENSHOTS=1 writes them where the README shows them; otherwise to a scratch directory, so a test run leaves the tree clean.
const SHOTS = process.env.UPDATE_SCREENSHOTS === "1" ? join(ROOT, "docs", "dashboard") : join(tmpdir(), "switchyard-dashboard-screenshots");
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/**
 * A gateway config with every page's data: a good and a failing provider, keys in a store, a log
 * queue; with `table`, the log also goes to Postgres, whose history the Overview's longer ranges show.
 */
function writeConfig(goodUrl: string, badUrl: string, table?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-dashboard-"));
  const path = join(dir, "switchyard.config.ts");
  writeFileSync(
    path,
    `import { defineConfig } from "switchyard";
import { openai } from "switchyard/providers";
import { admin, auth, circuitBreaker, cost, dashboard, log, route } from "switchyard/plugins";
import { fileSink, postgresSink } from "switchyard/sinks";
import { memoryKeyStore } from "switchyard/stores";

const store = memoryKeyStore();

export default defineConfig({
  providers: {
    local: openai({ baseURL: ${JSON.stringify(goodUrl + "/v1")}, apiKey: ${JSON.stringify(UPSTREAM_KEY)} }),
    broken: openai({ baseURL: ${JSON.stringify(badUrl + "/v1")}, apiKey: "sk-broken-upstream-1" }),
  },
  plugins: [
    auth({ keys: [{ id: "traffic", key: ${JSON.stringify(TRAFFIC_KEY)}, team: "search" }], store }),
    admin({ keys: [{ id: "ops", key: ${JSON.stringify(ADMIN_KEY)} }], store, spendFlushMs: 500 }),
    route({ models: {
      fast: [{ provider: "local", model: "gpt-4o-mini" }],
      flaky: [{ provider: "broken", model: "gpt-4o-mini" }],
    } }),
    circuitBreaker({ failures: 3, cooldownMs: 600_000 }),
    cost({ prices: { "local/gpt-4o-mini": { input: 150, output: 600 } } }),
    log({ sinks: [fileSink({ path: ${JSON.stringify(join(dir, "requests.jsonl"))} })${table === undefined ? "" : `, postgresSink({ url: ${JSON.stringify(DATABASE_URL)}, table: ${JSON.stringify(table)} })`}] }),
    dashboard({ slotSeconds: 1, historyMinutes: 3 }),
  ],
});
`,
  );
  return path;
}

/** An upstream that always fails with a 503, so its circuit opens. */
function failingUpstream(): (request: Request) => Promise<Response> {
  return async () => new Response(JSON.stringify({ error: { message: "overloaded", type: "server_error", code: null } }), { status: 503, headers: { "content-type": "application/json" } });
}

async function startGateway(runtime: Runtime, table?: string): Promise<{ gateway: RunningGateway; servers: Listener[] }> {
  const good = await listen(mockUpstream({ apiKey: UPSTREAM_KEY }).fetch, { port: 0 });
  const bad = await listen(failingUpstream(), { port: 0 });
  const gateway = await startCli(["--config", writeConfig(good.url, bad.url, table)], { cwd: tmpdir(), runtime });
  return { gateway, servers: [good, bad] };
}

/**
 * A day of traffic from before the gateway started, written through the Postgres sink: every
 * 5 minutes of the last 23 hours a few requests, busier and slower in the day's middle, with a
 * run of provider failures a few hours ago. Returns how many records it wrote.
 */
async function seedHistory(table: string): Promise<number> {
  const now = Date.now();
  const sample = sampleLogRecord();
  const records: LogRecord[] = [];
  const steps = 23 * 12;
  for (let step = 12; step < steps; step++) {
    const at = now - step * 300_000;
    const wave = Math.sin((step / steps) * Math.PI);
    const count = 1 + Math.round(4 * wave);
    for (let i = 0; i < count; i++) {
      const totalMs = 60 + 140 * wave + i * 40;
      const failed = step >= 48 && step < 60 && i === 0;
      records.push(sampleLogRecord({
        id: `seed-${step}-${i}`,
        time: new Date(at + i * 1_000).toISOString(),
        timings: { ...sample.timings, totalMs, firstByteMs: totalMs * 0.6 },
        costUsd: failed ? null : 0.002 * (1 + wave),
        ...(failed ? { status: 503, error: { code: "upstream_error", type: "api_error", fault: "provider" as const, message: "overloaded" } } : {}),
      }));
    }
  }
  const sink = postgresSink({ url: DATABASE_URL, table });
  try {
    await sink.write(records, new AbortController().signal);
  } finally {
    await sink.close!();
  }
  return records.length;
}

describe("dashboard in headless Chromium, against a gateway under traffic", () => {
  let gateway: RunningGateway;
  let servers: Listener[] = [];
  let browser: Browser;
  let traffic: ReturnType<typeof setInterval> | undefined;
  let client: OpenAI;
  const table = uniqueTable("dashboard_browser");
  let seeded = 0;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`The browser test needs Chromium at ${CHROMIUM} (Debian: apt-get install -y chromium; or set CHROMIUM_PATH).`);
    seeded = await seedHistory(table);
    ({ gateway, servers } = await startGateway("node", table));
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: TRAFFIC_KEY, maxRetries: 0 });
    // Steady background traffic, so the live figures move while the browser watches.
    traffic = setInterval(() => void client.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "tick" }] }).catch(() => {}), 100);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  }, 60_000);

  afterAll(async () => {
    clearInterval(traffic);
    await browser?.close();
    await gateway?.stop();
    for (const server of servers) await server.close(1000);
    await dropTables([table]);
  });

  async function logIn(page: Page, url: string): Promise<void> {
    await page.goto(`${url}/ui`);
    await page.getByLabel("Admin key").fill(ADMIN_KEY);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
  }

  /** Choose a range by keyboard, the way arrow keys move through a radio group, and wait for its history. */
  async function pickRange(page: Page, from: string, presses: number, range: string): Promise<{ source: string; store: string; bucketSeconds: number; points: { requests: number }[] }> {
    const answer = page.waitForResponse((r) => r.url().endsWith(`/ui/api/history?range=${range}`));
    await page.getByLabel(from, { exact: true }).focus();
    for (let i = 0; i < presses; i++) await page.keyboard.press("ArrowRight");
    const response = await answer;
    expect(response.status()).toBe(200);
    return response.json();
  }

  async function numberIn(page: Page, testId: string): Promise<number> {
    return Number((await page.getByTestId(testId).textContent()) ?? "NaN");
  }

  it("logs in, watches traffic, finds a request, manages a key and sees a circuit open", async () => {
    const context = await browser.newContext({ viewport: LAPTOP });
    const page = await context.newPage();
    page.on("dialog", (dialog) => void dialog.accept());
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(String(error)));
    page.on("console", (message) => {
      // The two 401s (no session yet, the virtual key's login) are the answers the test asks for.
      if (message.type() === "error" && !message.text().includes("status of 401")) problems.push(message.text());
    });

    // A virtual key is refused at the door.
    await page.goto(`${gateway.url}/ui`);
    await page.getByLabel("Admin key").fill(TRAFFIC_KEY);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Virtual keys cannot log in");

    // The second try by keyboard alone: the refused key is selected, typing replaces it, Enter submits.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("admin-key");
    await page.keyboard.type(ADMIN_KEY);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Overview" }).waitFor();

    // The request count moves on its own, over the live feed.
    await expect.poll(() => numberIn(page, "total-requests"), { timeout: 10_000 }).toBeGreaterThan(0);
    const before = await numberIn(page, "total-requests");
    await expect.poll(() => numberIn(page, "total-requests"), { timeout: 10_000 }).toBeGreaterThan(before);

    // The longer ranges come from Postgres: by keyboard from the live hour to 6 h, then 24 h.
    const status = page.getByRole("status").first();
    await expect.poll(() => page.getByLabel("24 h").isEnabled()).toBe(true);
    expect(await page.locator(".range-hint").textContent()).toContain("from postgres");
    expect((await pickRange(page, "Last 3 min", 1, "6h")).source).toBe("store");
    const day = await pickRange(page, "6 h", 1, "24h");
    expect(day).toMatchObject({ source: "store", store: "postgres", bucketSeconds: 300 });
    expect(day.points).toHaveLength(288);
    // Everything seeded is in the day, and what the live traffic has written since.
    expect(day.points.reduce((n, p) => n + p.requests, 0)).toBeGreaterThanOrEqual(seeded);
    await expect.poll(() => status.textContent()).toBe("History from postgres · one point per 5 min over the last 24 hours");
    expect(await page.getByLabel("24 h").isChecked()).toBe(true);
    // The charts are drawn from those points (each chart's text summary says how many it holds).
    const rpsChart = page.getByRole("group", { name: "Requests per second" });
    await expect.poll(() => rpsChart.locator(".visually-hidden").textContent()).toMatch(/^288 points; latest req\/s: /);
    expect(await page.getByRole("group", { name: "Spend per minute" }).locator(".visually-hidden").textContent()).toMatch(/^288 points;/);
    // Back to the live ring: the live feed draws again.
    await page.getByText("Last 3 min", { exact: true }).click();
    await expect.poll(() => status.textContent()).toMatch(/^Live · one point per 1 s/);
    await expect.poll(() => rpsChart.locator(".visually-hidden").textContent()).not.toMatch(/^288 points/);

    // One request, found by its id, with its attempts.
    await client.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "find me" }] }, { headers: { "x-request-id": "req-find-me-1" } });
    await page.getByRole("link", { name: "Requests" }).click();
    await page.getByLabel("Request id").fill("req-find-me-1");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("link", { name: "req-find-me-1" }).click();
    await page.getByRole("heading", { name: "Attempts (1)" }).waitFor();
    const attempts = page.getByRole("region", { name: "Attempts", exact: true });
    await expect.poll(() => attempts.textContent()).toContain("local/gpt-4o-mini");
    expect(await attempts.textContent()).toContain("ok");
    expect(await page.locator(".facts").first().textContent()).toContain("fast → local/gpt-4o-mini (ok)");

    // A key made in the browser works with the openai client, and stops working once disabled.
    await page.getByRole("link", { name: "Keys and teams" }).click();
    await page.getByLabel("Key id").fill("browser-key");
    await page.getByLabel("Models").last().fill("fast");
    await page.getByRole("button", { name: "Create key" }).click();
    const secret = (await page.getByTestId("new-secret").textContent())!;
    expect(secret).toMatch(/^sk-/);
    const made = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: secret, maxRetries: 0 });
    const answer = await made.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "hello" }] });
    expect(answer.choices[0].message.content).toBeTruthy();
    await page.getByRole("button", { name: "Disable browser-key" }).click();
    await expect.poll(() => page.getByTestId("key-state-browser-key").textContent()).toBe("disabled");
    await expect(made.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "again" }] })).rejects.toMatchObject({ status: 401 });

    // A provider that keeps failing: its circuit opens, and the page says so.
    for (let i = 0; i < 4; i++) await client.chat.completions.create({ model: "flaky", messages: [{ role: "user", content: "fail" }] }).catch(() => {});
    await page.getByRole("link", { name: "Providers and routes" }).click();
    await expect.poll(() => page.getByTestId("circuit-broken-gpt-4o-mini").textContent(), { timeout: 10_000 }).toMatch(/^open/);
    expect(await page.locator(".table-wrap[aria-label=Routes]").textContent()).toContain("local/gpt-4o-mini");

    // Screenshots of each page: laptop and phone width, light and dark.
    mkdirSync(SHOTS, { recursive: true });
    const pages = [
      ["overview", "#/overview"],
      ["overview-24h", "#/overview"],
      ["requests", "#/requests"],
      ["request", "#/requests/req-find-me-1"],
      ["keys", "#/keys"],
      ["providers", "#/providers"],
    ] as const;
    for (const [size, viewport] of [["laptop", LAPTOP], ["phone", PHONE]] as const) {
      await page.setViewportSize(viewport);
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const [name, hash] of pages) {
          await page.goto(`${gateway.url}/ui${hash}`);
          await page.getByRole("heading", { level: 1 }).first().waitFor();
          if (name === "overview-24h") {
            await expect.poll(() => page.getByLabel("24 h").isEnabled()).toBe(true);
            await page.getByText("24 h", { exact: true }).click();
            await expect.poll(() => page.getByRole("status").first().textContent()).toContain("History from postgres");
          }
          await page.waitForLoadState("networkidle").catch(() => {});
          await page.waitForTimeout(name.startsWith("overview") ? 600 : 200);
          // Away from every control, so no hover style shows.
          await page.mouse.move(viewport.width - 1, viewport.height - 1);
          // The request list runs long: its first screen says enough.
          await page.screenshot({ path: join(SHOTS, `${name}-${size}-${scheme}.png`), fullPage: name !== "requests" });
        }
      }
    }
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it("without a Postgres sink, offers only the live hour and says why the longer ranges are off", async () => {
    const plain = await startGateway("node");
    const context = await browser.newContext({ viewport: PHONE });
    try {
      const page = await context.newPage();
      const asked: string[] = [];
      page.on("request", (request) => void (request.url().includes("/api/history") && asked.push(request.url())));
      await logIn(page, plain.gateway.url);
      const hint = page.locator(".range-hint");
      await expect.poll(() => hint.textContent()).toBe("Longer ranges need a Postgres log sink (postgresSink in log()); none is configured.");
      for (const range of ["6 h", "24 h", "7 d"]) {
        expect(await page.getByLabel(range).isDisabled(), range).toBe(true);
        expect(await page.getByText(range, { exact: true }).getAttribute("title"), range).toMatch(/^The last .+: Longer ranges need a Postgres log sink \(postgresSink in log\(\)\); none is configured\.$/);
        // The reason is read out with the option too, not only shown on hover.
        expect(await page.getByLabel(range).getAttribute("aria-describedby")).toBe(await hint.getAttribute("id"));
      }
      // Arrow keys skip the disabled ranges; a click on one changes nothing.
      await page.getByLabel("Last 3 min").focus();
      await page.keyboard.press("ArrowRight");
      await page.getByText("24 h", { exact: true }).click({ force: true });
      expect(await page.getByLabel("Last 3 min").isChecked()).toBe(true);
      expect(asked).toEqual([]);
      await page.mouse.move(PHONE.width - 1, PHONE.height - 1);
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, "overview-no-store-phone-light.png") });
    } finally {
      await context.close();
      await plain.gateway.stop();
      for (const server of plain.servers) await server.close(1000);
    }
  }, 60_000);
});

// Every runtime serves the same app from dist/: the page, its assets and a session.
describe.each(RUNTIMES)("dashboard served on %s", (runtime: Runtime) => {
  let gateway: RunningGateway;
  let servers: Listener[] = [];

  beforeAll(async () => {
    ({ gateway, servers } = await startGateway(runtime));
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    for (const server of servers) await server.close(1000);
  });

  it("serves the page and its assets, logs an admin in and streams live figures", async () => {
    const page = await fetch(`${gateway.url}/ui`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const html = await page.text();
    for (const match of html.matchAll(/(?:src|href)="(\/ui\/assets\/[^"]+)"/g)) {
      const asset = await fetch(`${gateway.url}${match[1]}`);
      expect(asset.status, match[1]).toBe(200);
      expect((await asset.text()).length).toBeGreaterThan(1000);
    }
    expect((await fetch(`${gateway.url}/ui/api/overview`)).status).toBe(401);
    const login = await fetch(`${gateway.url}/ui/api/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key: ADMIN_KEY }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.get("set-cookie")!.split(";")[0];
    const live = await fetch(`${gateway.url}/ui/api/live`, { headers: { cookie } });
    expect(live.headers.get("content-type")).toBe("text/event-stream");
    const reader = live.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/^event: tick\ndata: \{/);
    await reader.cancel();
  });
});
