/**
 * The optional HTTP endpoint (`settings: http_listen`, docs/docker.md): Deno's own HTTP server
 * (`Deno.serve`, no framework) answering GET on a fixed set of paths. Every other path is 404,
 * every other method 405 (with `Allow: GET`). A route's answer is computed in the request's own
 * task from in-memory state, so a slow or garbage-sending client only ever holds its own
 * connection: Deno's server parses each connection on its own, and one that never completes
 * its request costs a socket and nothing else.
 */
import { errorMessage } from "../text/error_message.ts";

/** What a route answers. */
export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
}

/** Paths (`/healthz`) and the answer of a GET on each. */
export type HttpRoutes = Readonly<Record<string, () => HttpAnswer>>;

/** Where to listen. */
export interface HttpListen {
  readonly hostname: string;
  readonly port: number;
}

/** A running endpoint. */
export interface HttpEndpoint {
  /** The port actually bound (differs from the one asked for only when that was 0). */
  readonly port: number;
  /** Stops accepting; requests under way finish. */
  close(): Promise<void>;
}

const TEXT = "text/plain; charset=utf-8";

function plain(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { "content-type": TEXT, ...headers } });
}

/** Answers one request from `routes`. */
export function answer(routes: HttpRoutes, request: Request): Response {
  const path = new URL(request.url).pathname;
  const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
  if (route === undefined) return plain(404, "not found\n");
  if (request.method !== "GET") return plain(405, "method not allowed\n", { allow: "GET" });
  const a = route();
  return new Response(a.body, { status: a.status, headers: { "content-type": a.contentType } });
}

/**
 * Listens on `listen` and serves `routes`. Throws when the address cannot be bound (in use, not
 * an address of this host, not allowed), with a message naming it. `report` receives errors
 * a route throws (each is answered 500).
 */
export function serveHttp(
  listen: HttpListen,
  routes: HttpRoutes,
  report: (message: string) => void,
): HttpEndpoint {
  const server = Deno.serve({
    hostname: listen.hostname,
    port: listen.port,
    // Deno prints "Listening on ..." unless told otherwise; Chaperone's stdout is the log's.
    onListen() {},
    onError(error) {
      report(`http endpoint: ${errorMessage(error)}`);
      return plain(500, "internal error\n");
    },
  }, (request) => answer(routes, request));
  let closing: Promise<void> | undefined;
  return {
    port: server.addr.port,
    close: () => closing ??= server.shutdown(),
  };
}
