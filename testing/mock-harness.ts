/**
 * What every mock upstream shares, whatever wire format it speaks: it records each call, injects
 * scripted faults (error statuses, delays, hangs, resets, streams cut after N events, slow
 * streams) and pauses streams at a gate. Each format's mock supplies its error bodies and routes.
 */

/** What the mock saw of one request, for assertions. */
export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Record<string, unknown> | null;
  readonly rawBody: string;
  /** True once the caller went away before the response finished. */
  aborted: boolean;
  /** True once the whole response was sent. */
  finished: boolean;
}

/** A scripted failure or behaviour for the next request(s). */
export interface MockFault {
  /** Answer with this status and body (the format's own error shape by default). */
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer (until the caller aborts). */
  hang?: boolean;
  /** Stream: send this many events, then break the connection. */
  cutAfterEvents?: number;
  /** Stream: wait this long between events (overrides the upstream's `chunkDelayMs`). */
  chunkDelayMs?: number;
  /**
   * Drop the connection before any response header is sent (answers `Response.error()`, which
   * the Node listener turns into a TCP reset and `inProcessUpstream` into a network error).
   */
  reset?: boolean;
}

/** A stream paused after some events until released, to observe what arrives before the end. */
export interface StreamGate {
  /** Resolves when the paused stream has sent its first `afterEvents` events. */
  readonly reached: Promise<void>;
  release(): void;
}

/** The recording and fault-injection controls every mock upstream exposes. */
export interface MockControls {
  readonly calls: RecordedCall[];
  /** Queue faults for the next requests, in order. */
  fail(...faults: MockFault[]): void;
  /** Pause the next streamed response after `afterEvents` events until `release()`. */
  gate(afterEvents: number): StreamGate;
  reset(): void;
}

/** What a format's mock tells the harness about its wire format. */
export interface HarnessFormat {
  /** The format's error body for an injected status without a body of its own. */
  errorBody(status: number): string;
  /** The answer to a body that is not JSON. */
  invalidJson(): { status: number; body: string };
  /** Headers on every answer (a request id …). */
  readonly headers: Record<string, string>;
  /** Default delay between stream events, in ms. */
  readonly chunkDelayMs?: number;
}

/** A request the harness has recorded and let through its faults: the format's mock answers it. */
export interface AdmittedCall {
  readonly call: RecordedCall;
  readonly body: Record<string, unknown> | null;
  readonly url: URL;
  readonly signal: AbortSignal;
  readonly fault: MockFault | undefined;
}

export interface MockHarness extends MockControls {
  /**
   * Record the request and apply the next fault. Returns the answer when the harness gives it
   * (bad JSON, a refused credential, an injected status, a reset or a hang), else the call for the
   * format to answer. `authorize` runs before any fault is used up, as a real server's auth does.
   */
  admit(request: Request, authorize?: (headers: Record<string, string>) => Response | null): Promise<Response | AdmittedCall>;
  json(text: string, status?: number, headers?: Record<string, string>): Response;
  /** Stream `events` (each a complete SSE event) with the delays, gate and cut the call asks for. */
  stream(events: readonly string[], admitted: AdmittedCall): Response;
}

const encoder = new TextEncoder();

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

export function mockHarness(format: HarnessFormat): MockHarness {
  const calls: RecordedCall[] = [];
  let faults: MockFault[] = [];
  let gates: { after: number; reached: () => void; released: Promise<void> }[] = [];

  function json(text: string, status = 200, headers: Record<string, string> = {}): Response {
    return new Response(text, { status, headers: { "content-type": "application/json", ...format.headers, ...headers } });
  }

  async function admit(request: Request, authorize?: (headers: Record<string, string>) => Response | null): Promise<Response | AdmittedCall> {
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const rawBody = request.method === "POST" ? await request.text() : "";
    let body: Record<string, unknown> | null = null;
    try {
      body = rawBody.length > 0 ? JSON.parse(rawBody) : null;
    } catch {
      const refused = format.invalidJson();
      return json(refused.body, refused.status);
    }
    const call: RecordedCall = { method: request.method, path: url.pathname, headers, body, rawBody, aborted: false, finished: false };
    calls.push(call);
    const signal = request.signal;
    const refused = authorize?.(headers) ?? null;
    if (refused !== null) return refused;
    const fault = faults.shift();
    if (fault?.delayMs) await sleep(fault.delayMs, signal);
    if (fault?.reset) {
      call.aborted = true;
      return Response.error();
    }
    if (fault?.hang) {
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
      call.aborted = true;
      return json("{}", 499);
    }
    if (fault?.status !== undefined) return json(fault.body ?? format.errorBody(fault.status), fault.status, fault.headers);
    return { call, body, url, signal, fault };
  }

  function stream(events: readonly string[], { call, signal, fault }: AdmittedCall): Response {
    const gate = gates.shift();
    let index = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (signal.aborted) {
          call.aborted = true;
          controller.error(new Error("aborted"));
          return;
        }
        if (index >= events.length) {
          call.finished = true;
          controller.close();
          return;
        }
        if (fault?.cutAfterEvents !== undefined && index >= fault.cutAfterEvents) {
          controller.error(new Error("mock upstream cut the stream"));
          return;
        }
        if (gate !== undefined && index === gate.after) {
          gate.reached();
          await gate.released;
        }
        if (index > 0) await sleep(fault?.chunkDelayMs ?? format.chunkDelayMs ?? 0, signal);
        controller.enqueue(encoder.encode(events[index++]));
      },
      cancel() {
        call.aborted = true;
      },
    });
    signal.addEventListener("abort", () => {
      if (!call.finished) call.aborted = true;
    }, { once: true });
    return new Response(body, { headers: { "content-type": "text/event-stream", ...format.headers } });
  }

  return {
    calls,
    admit,
    json,
    stream,
    fail(...more) {
      faults.push(...more);
    },
    gate(afterEvents) {
      let reached!: () => void;
      let release!: () => void;
      const reachedPromise = new Promise<void>((r) => (reached = r));
      const released = new Promise<void>((r) => (release = r));
      gates.push({ after: afterEvents, reached, released });
      return { reached: reachedPromise, release };
    },
    reset() {
      calls.length = 0;
      faults = [];
      gates = [];
    },
  };
}
