import assert from "node:assert/strict";
import { answer, type HttpRoutes, serveHttp } from "../../src/http/http_server.ts";
import { freePort } from "../_helpers/free_port.ts";

const ROUTES: HttpRoutes = {
  "/healthz": () => ({ status: 200, body: "healthy\n", contentType: "text/plain" }),
  "/readyz": () => ({ status: 503, body: "unhealthy\n", contentType: "text/plain" }),
};

Deno.test("answer() serves GET on its routes, 404 elsewhere, 405 for other methods", async () => {
  const get = (path: string, method = "GET") =>
    answer(ROUTES, new Request(`http://x${path}`, { method }));
  const ok = get("/healthz");
  assert.equal(ok.status, 200);
  assert.equal(await ok.text(), "healthy\n");
  assert.equal(ok.headers.get("content-type"), "text/plain");
  assert.equal(get("/readyz").status, 503);
  // A query string does not change the path.
  assert.equal(get("/healthz?verbose=1").status, 200);
  assert.equal(get("/").status, 404);
  assert.equal(get("/healthz/").status, 404);
  assert.equal(get("/toString").status, 404);
  const post = get("/healthz", "POST");
  assert.equal(post.status, 405);
  assert.equal(post.headers.get("allow"), "GET");
  assert.equal(get("/readyz", "HEAD").status, 405);
  await Promise.all(
    [get("/"), get("/healthz/"), get("/toString"), post].map((r) => r.body?.cancel()),
  );
});

Deno.test("serveHttp() serves over TCP and refuses a port in use", async () => {
  const port = freePort();
  const endpoint = serveHttp({ hostname: "127.0.0.1", port }, ROUTES, () => {});
  try {
    assert.equal(endpoint.port, port);
    const r = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(r.status, 200);
    assert.equal(await r.text(), "healthy\n");
    assert.throws(
      () => serveHttp({ hostname: "127.0.0.1", port }, ROUTES, () => {}),
      Deno.errors.AddrInUse,
    );
  } finally {
    await endpoint.close();
  }
});

Deno.test("serveHttp() answers 500 when a route throws, and reports it", async () => {
  const reports: string[] = [];
  const endpoint = serveHttp({ hostname: "127.0.0.1", port: 0 }, {
    "/boom": () => {
      throw new Error("broken route");
    },
  }, (m) => reports.push(m));
  try {
    const r = await fetch(`http://127.0.0.1:${endpoint.port}/boom`);
    assert.equal(r.status, 500);
    await r.body?.cancel();
    assert.deepEqual(reports, ["http endpoint: broken route"]);
  } finally {
    await endpoint.close();
  }
});
