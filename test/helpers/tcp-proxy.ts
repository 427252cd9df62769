import { createServer, type Server, Socket } from "node:net";

/**
 * A TCP proxy in front of a shared service (the Postgres other test runs use), so a test can make
 * the service vanish for its own gateways — every connection cut, new ones refused — and come
 * back on the same port, without touching the service itself.
 */
export interface TcpProxy {
  readonly port: number;
  /** Cut every connection and refuse new ones, as if the service died. */
  stop(): Promise<void>;
  /** Accept connections again on the same port. */
  start(): Promise<void>;
  /**
   * Accept connections but pass nothing on, as a database too busy to answer would: what the
   * client sends waits in its socket until `release`.
   */
  hold(): void;
  /** Pass held connections (and new ones) on to the service. */
  release(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  let holding = false;
  let held: (() => void)[] = [];

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const next = createServer((client) => {
        const upstream = new Socket();
        sockets.add(client);
        sockets.add(upstream);
        const drop = (): void => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on("error", drop).on("close", drop);
        upstream.on("error", drop).on("close", drop);
        const forward = (): void => {
          if (client.destroyed) return;
          upstream.connect(targetPort, targetHost, () => {
            client.pipe(upstream);
            upstream.pipe(client);
          });
        };
        if (holding) held.push(forward);
        else forward();
      });
      next.once("error", reject);
      next.listen(port, "127.0.0.1", () => {
        port = (next.address() as { port: number }).port;
        server = next;
        resolve();
      });
    });

  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (server === null) return resolve();
      server.close(() => resolve());
      server = null;
    });

  await listen();
  return {
    get port() {
      return port;
    },
    stop,
    start: listen,
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      const waiting = held;
      held = [];
      for (const forward of waiting) forward();
    },
    close: stop,
  };
}
