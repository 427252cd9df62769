import { connect, type Socket } from "node:net";

export interface RawExchange {
  /** Everything the server sent, as text. */
  readonly text: string;
  /** Bytes the client had written when the server closed the connection (or the wait ended). */
  readonly sent: number;
  /** True when the server closed (or reset) the connection; false when `waitMs` ran out first. */
  readonly closed: boolean;
}

/**
 * Open a TCP connection, let `script` write to it (it may keep writing: `sent` counts what went
 * out), and resolve when the server closes it, or after `waitMs` with `closed: false`.
 */
export function rawExchange(port: number, script: (socket: Socket, count: (bytes: number) => void) => void, waitMs = 10_000): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    let sent = 0;
    let settled = false;
    const finish = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, sent, closed });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on("data", (chunk) => (text += chunk));
    socket.on("error", () => {});
    socket.on("close", () => finish(true));
    socket.on("connect", () => script(socket, (bytes) => (sent += bytes)));
  });
}

/**
 * Send `head` (a request line and headers declaring a large body), then keep writing body bytes,
 * 64 KiB at a time, up to `total` whatever the server answers meanwhile: a client that does not
 * listen. Resolves like `rawExchange`; `sent` says how much the server let through.
 */
export function sendHugeBody(port: number, head: string, total: number, waitMs = 30_000): Promise<RawExchange> {
  return rawExchange(port, (socket, count) => {
    socket.write(head);
    const chunk = Buffer.alloc(64 * 1024, 32);
    let written = 0;
    const pump = (): void => {
      if (socket.destroyed || written >= total) return;
      socket.write(chunk, (error) => {
        if (error) return;
        written += chunk.length;
        count(chunk.length);
        setImmediate(pump);
      });
    };
    pump();
  }, waitMs);
}

/** The status codes of the HTTP responses in `text`, in order. */
export function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
}

/** The JSON body of the first response in `text` (a whole response with a content-length). */
export function firstJsonBody(text: string): unknown {
  const split = text.indexOf("\r\n\r\n");
  const length = Number(/content-length: (\d+)/i.exec(text.slice(0, split))?.[1] ?? -1);
  return JSON.parse(Buffer.from(text.slice(split + 4)).subarray(0, length).toString());
}

/** The value of `name` in the first response's headers. */
export function firstHeader(text: string, name: string): string | undefined {
  const head = text.slice(0, text.indexOf("\r\n\r\n"));
  return new RegExp(`^${name}: (.*)$`, "im").exec(head)?.[1]?.trim();
}
