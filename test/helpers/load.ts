/** Steady traffic for tests that change things under load: a few clients, each one request after another. */
export interface Load {
  /** Statuses seen so far, with what failed at the network level as 0. */
  readonly statuses: number[];
  /** `x-request-id` of every answer. */
  readonly ids: string[];
  /** Answers that were not 200, with their bodies, for the failure message. */
  readonly failures: string[];
  stop(): Promise<void>;
}

export function startLoad(url: string, body: unknown, headers: Record<string, string>, clients = 6): Load {
  const statuses: number[] = [];
  const ids: string[] = [];
  const failures: string[] = [];
  let stopped = false;
  const client = async (): Promise<void> => {
    while (!stopped) {
      try {
        const res = await fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
        const text = await res.text();
        statuses.push(res.status);
        const id = res.headers.get("x-request-id");
        if (id !== null) ids.push(id);
        if (res.status !== 200) failures.push(`${res.status} ${text.slice(0, 200)}`);
      } catch (error) {
        statuses.push(0);
        failures.push(`network: ${(error as Error).message} ${String((error as Error & { cause?: unknown }).cause ?? "")}`);
      }
    }
  };
  const running = Array.from({ length: clients }, client);
  return {
    statuses,
    ids,
    failures,
    async stop() {
      stopped = true;
      await Promise.all(running);
    },
  };
}

/** Poll `condition` until it holds; fail after `timeoutMs` naming `what`. Resolves with the time it took. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - started;
}
