import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import type { AddressInfo, ListenOptions as SocketListenOptions } from "node:net";
import type { Duplex } from "node:stream";
import type { GatewayError } from "../core/errors.ts";
import { clientErrorFor, missingHost, rawErrorResponse, serverRequestId, tooManyHeaders } from "./client-errors.ts";
import { type FetchHandler, nodeHandler } from "./node-bridge.ts";
import { DEFAULT_HOST, DEFAULT_PORT, displayUrl, type ListenOptions, serverLimits } from "./serve-options.ts";
import { reportError } from "./shutdown.ts";

/**
 * The HTTP server of every runtime: `node:http` as Node, Deno and Bun each implement it. All three
 * enforce the same slow-client limits natively (headers timeout, request timeout, keep-alive
 * timeout, header size) and answer pipelined requests in order, which `Bun.serve` does not when a
 * handler is asynchronous (it drops both requests) and `Deno.serve` cannot time out at all.
 */

export interface Listener {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Requests whose response has not finished (streams included). */
  readonly active: number;
  /** Stop accepting, let in-flight responses finish up to the deadline, then cut the rest. */
  close(timeoutMs?: number): Promise<void>;
  readonly server: HttpServer;
}

/** A written-off socket gets this long to take our error answer before it is cut. */
const ERROR_LINGER_MS = 1_000;

/** How often the server looks for connections past a timeout: a quarter of the shortest, within 0.1–30 s. */
function checkInterval(headersTimeoutMs: number, requestTimeoutMs: number): number {
  return Math.min(30_000, Math.max(100, Math.floor(Math.min(headersTimeoutMs, requestTimeoutMs) / 4)));
}

/** Answer a request the server refuses before the gateway sees it, and close its connection. */
function refuse(res: ServerResponse, error: GatewayError): void {
  const body = JSON.stringify(error.toJSON());
  res.writeHead(error.status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-request-id": serverRequestId(), connection: "close" });
  res.end(body);
}

/** Serve any fetch handler with node:http (the gateway, or a mock upstream in tests). */
export function listen(handler: FetchHandler, options: ListenOptions = {}): Promise<Listener> {
  const limits = serverLimits(options);
  const handle = nodeHandler(handler, reportError);
  // The response each connection is writing, so a timeout answers only a client that has none.
  const responding = new WeakMap<Duplex, ServerResponse>();
  let active = 0;
  let stopping = false;
  let idleWaiter: (() => void) | null = null;
  const server = createServer(
    {
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      maxHeaderSize: limits.maxHeaderBytes,
      connectionsCheckingInterval: checkInterval(limits.headersTimeoutMs, limits.requestTimeoutMs),
      // Node's own answer to an HTTP/1.1 request without Host is a bare 400 with no body and no
      // request id; the same refusal is made below, in the gateway's error shape.
      requireHostHeader: false,
    },
    (req: IncomingMessage, res: ServerResponse) => {
      active++;
      responding.set(req.socket, res);
      // While shutting down, every answer closes its connection so keep-alive clients move on.
      if (stopping) res.setHeader("connection", "close");
      res.once("close", () => {
        if (responding.get(req.socket) === res) responding.delete(req.socket);
        if (stopping) server.closeIdleConnections();
        if (--active === 0 && idleWaiter !== null) idleWaiter();
      });
      // Node keeps the first maxHeadersCount fields and drops the rest; one more is kept so the excess shows.
      if (req.rawHeaders.length > limits.maxHeaders * 2) return refuse(res, tooManyHeaders(limits.maxHeaders));
      if (req.headers.host === undefined && req.httpVersion === "1.1") return refuse(res, missingHost());
      void handle(req, res);
    },
  );
  // Some runtimes read these from the server rather than from the constructor's options.
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.maxHeadersCount = limits.maxHeaders + 1;
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    const pending = responding.get(socket);
    // A reset needs no answer; a response already under way must not be corrupted by one.
    if (error.code === "ECONNRESET" || !socket.writable || (pending !== undefined && pending.headersSent)) {
      socket.destroy();
      return;
    }
    socket.end(rawErrorResponse(clientErrorFor(error.code, limits), serverRequestId()));
    setTimeout(() => socket.destroy(), ERROR_LINGER_MS).unref();
  });
  const host = options.host ?? DEFAULT_HOST;
  // `exclusive` binds the socket here even in a cluster worker, rather than share the primary's.
  const where: SocketListenOptions & { reusePort?: boolean } = { port: options.port ?? DEFAULT_PORT, host, ...(options.reusePort === true ? { reusePort: true, exclusive: true } : {}) };
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(where, () => {
      server.off("error", reject);
      const port = (server.address() as AddressInfo).port;
      let closing: Promise<void> | null = null;
      resolve({
        url: displayUrl(host, port),
        port,
        host,
        server,
        get active() {
          return active;
        },
        close(timeoutMs = 10_000) {
          closing ??= new Promise<void>((done) => {
            stopping = true;
            const closed = new Promise<void>((r) => server.close(() => r()));
            server.closeIdleConnections();
            const drained = active === 0 ? Promise.resolve() : new Promise<void>((r) => (idleWaiter = r));
            const deadline = new Promise<void>((r) => setTimeout(r, timeoutMs).unref());
            void Promise.race([drained, deadline]).then(() => {
              server.closeAllConnections();
              return closed;
            }).then(done);
          });
          return closing;
        },
      });
    });
  });
}
