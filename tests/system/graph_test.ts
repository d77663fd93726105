import assert from "node:assert/strict";
import {
  DependencyCycleError,
  DependencyGraph,
  type GraphService,
} from "../../src/system/graph.ts";

/** Shorthand: `svc("one", { groups: "system", before: "four.service" })`. */
function svc(
  short: string,
  options: { groups?: string; after?: string; before?: string } = {},
): GraphService {
  const words = (text?: string) => (text ?? "").split(/\s+/).filter((w) => w !== "");
  return {
    name: short === "CONSOLE" ? short : `${short}.service`,
    groups: words(options.groups),
    after: words(options.after),
    before: words(options.before),
  };
}

/** Asserts that each name comes before the next in the start-up order. */
function assertChain(graph: DependencyGraph, chain: string): void {
  const names = chain.split("<").map((s) => `${s.trim()}.service`);
  for (let i = 1; i < names.length; i++) {
    const a = graph.order.indexOf(names[i - 1]!);
    const b = graph.order.indexOf(names[i]!);
    assert.ok(a >= 0 && b >= 0, `${names[i - 1]} and ${names[i]} are both in the order`);
    assert.ok(a < b, `${names[i - 1]} starts before ${names[i]} in ${graph.order.join(", ")}`);
  }
}

// The original's service-order vector OT1 (its tests/service_order.py). Every relation below also
// held in the original without its group-level `after` spreading (step 4): the only group `after`
// is two's `after: default`, and two is the only member of foobar, so Decision 4 changes nothing
// here.
Deno.test("DependencyGraph.from() orders OT1 by before/after on services and groups", () => {
  const graph = DependencyGraph.from([
    svc("one"),
    svc("two", { groups: "foobar", after: "default" }),
    svc("three", { groups: "system", before: "four.service" }),
    svc("four", { groups: "system", before: "default" }),
    svc("five"),
    svc("six", { after: "seven.service" }),
    svc("seven"),
    svc("eight", { groups: "system", before: "default" }),
  ]);
  assertChain(graph, "three < four < seven < six < two");
  assertChain(graph, "three < one < two");
  assertChain(graph, "eight < one < two");
  assert.equal(graph.order.length, 8);
});

// The original's OT2: only service-level before/after; unaffected by Decision 4.
Deno.test("DependencyGraph.from() orders OT2 by chained before on services", () => {
  const graph = DependencyGraph.from([
    svc("one"),
    svc("two", { groups: "foobar", after: "default" }),
    svc("three", { groups: "system", before: "two.service" }),
    svc("four", { groups: "system", before: "three.service" }),
    svc("five"),
    svc("six"),
    svc("seven"),
  ]);
  assertChain(graph, "four < three < two");
});

// The original's OT3: two is in `default` and says `before: default`, so it waits for itself.
Deno.test("DependencyGraph.from() throws a circular error for OT3", () => {
  assert.throws(
    () =>
      DependencyGraph.from([
        svc("one"),
        svc("two", { before: "default" }),
        svc("three", { groups: "system", before: "four.service" }),
        svc("four", { groups: "system", before: "default" }),
        svc("five", { before: "two.service" }),
        svc("six", { after: "seven.service" }),
        svc("seven"),
      ]),
    (error: unknown) => {
      assert.ok(error instanceof DependencyCycleError);
      assert.match(error.message, /^circular/);
      return true;
    },
  );
});

Deno.test("DependencyGraph.from() names the services of a cycle in its message", () => {
  assert.throws(
    () =>
      DependencyGraph.from([
        svc("a", { after: "b.service" }),
        svc("b", { after: "c.service" }),
        svc("c", { after: "a.service" }),
        svc("d"),
      ]),
    (error: unknown) => {
      assert.ok(error instanceof DependencyCycleError);
      assert.equal(
        error.message,
        "circular dependency in service declaration: a.service -> b.service -> c.service -> a.service",
      );
      assert.deepEqual(error.cycle, ["a.service", "b.service", "c.service", "a.service"]);
      return true;
    },
  );
});

Deno.test("DependencyGraph.from() reports a service that waits for its own group", () => {
  assert.throws(
    () => DependencyGraph.from([svc("a", { groups: "web", after: "web" }), svc("b")]),
    {
      name: "DependencyCycleError",
      message: "circular dependency in service declaration: a.service -> a.service",
    },
  );
});

// The chart of `--show-dependencies`, in the original's layout; the original printed prerequisite
// lists in set order ("d | b, a", "c | d, b, a"); we sort them by name, so those two lines read "a,
// b" and "a, b, d".
Deno.test("DependencyGraph.format() prints the original's chart byte for byte", () => {
  const graph = DependencyGraph.from([
    svc("a", { groups: "INIT" }),
    svc("b"),
    svc("c", { groups: "IDLE" }),
    svc("d", { groups: "IDLE", before: "c.service" }),
  ]);
  assert.deepEqual(graph.order, ["a.service", "b.service", "d.service", "c.service"]);
  assert.equal(
    graph.format(),
    [
      "    a | b | d | c",
      "a | =",
      "b |  ====",
      "d |      ====",
      "c |          ====",
      "--> depends on...",
      "a | ",
      "b | a",
      "d | a, b",
      "c | a, b, d",
    ].join("\n"),
  );
});

Deno.test("DependencyGraph.format() pads short names to the longest one", () => {
  const graph = DependencyGraph.from([svc("db"), svc("webapp", { after: "db.service" })]);
  assert.equal(
    graph.format(),
    [
      "         db | webapp",
      "db     | ==",
      "webapp |   =========",
      "-------> depends on...",
      "db     | ",
      "webapp | db",
    ].join("\n"),
  );
});

Deno.test("DependencyGraph.from() starts INIT members first and IDLE members last", () => {
  const graph = DependencyGraph.from([
    svc("boot", { groups: "INIT" }),
    svc("idle", { groups: "IDLE" }),
    svc("alpha"),
    svc("zeta", { groups: "system" }),
  ]);
  assert.deepEqual(graph.prerequisitesOf("boot.service"), []);
  assert.deepEqual(graph.prerequisitesOf("alpha.service"), ["boot.service"]);
  assert.deepEqual(graph.prerequisitesOf("zeta.service"), ["boot.service"]);
  assert.deepEqual(graph.prerequisitesOf("idle.service"), [
    "alpha.service",
    "boot.service",
    "zeta.service",
  ]);
  assert.equal(graph.order[0], "boot.service");
  assert.equal(graph.order.at(-1), "idle.service");
  assert.deepEqual(graph.dependentsOf("boot.service"), [
    "alpha.service",
    "idle.service",
    "zeta.service",
  ]);
});

Deno.test("DependencyGraph.from() keeps INIT members independent of each other", () => {
  const graph = DependencyGraph.from([
    svc("a", { groups: "INIT" }),
    svc("b", { groups: "INIT" }),
    svc("c"),
  ]);
  assert.deepEqual(graph.prerequisitesOf("a.service"), []);
  assert.deepEqual(graph.prerequisitesOf("b.service"), []);
  assert.deepEqual(graph.prerequisitesOf("c.service"), ["a.service", "b.service"]);
});

Deno.test("DependencyGraph.from() puts CONSOLE in IDLE after every other service", () => {
  const graph = DependencyGraph.from([
    svc("CONSOLE"),
    svc("web"),
    svc("db", { groups: "system" }),
    svc("late", { groups: "IDLE" }),
  ]);
  assert.deepEqual(graph.prerequisitesOf("CONSOLE"), ["db.service", "web.service"]);
  assert.deepEqual(graph.prerequisitesOf("late.service"), ["db.service", "web.service"]);
  assert.ok(graph.format().includes("\nCONSOLE | db, web"));
});

Deno.test("DependencyGraph.from() applies before/after naming a group to every member", () => {
  const graph = DependencyGraph.from([
    svc("setup", { before: "apps" }),
    svc("web", { groups: "apps" }),
    svc("api", { groups: "apps" }),
    svc("report", { after: "apps" }),
  ]);
  assert.deepEqual(graph.prerequisitesOf("web.service"), ["setup.service"]);
  assert.deepEqual(graph.prerequisitesOf("api.service"), ["setup.service"]);
  assert.deepEqual(graph.prerequisitesOf("report.service"), ["api.service", "web.service"]);
  assert.deepEqual(graph.dependentsOf("setup.service"), ["api.service", "web.service"]);
});

// Decision 4 in docs/migration.md: the original made four wait for setup too.
Deno.test("DependencyGraph.from() delays only the member whose after names a group", () => {
  const graph = DependencyGraph.from([
    svc("setup", { groups: "setup" }),
    svc("three", { groups: "sanity_checks", after: "setup" }),
    svc("four", { groups: "sanity_checks" }),
  ]);
  assert.deepEqual(graph.prerequisitesOf("three.service"), ["setup.service"]);
  assert.deepEqual(graph.prerequisitesOf("four.service"), []);
  assert.deepEqual(graph.order, ["four.service", "setup.service", "three.service"]);
});

Deno.test("DependencyGraph.from() ignores names that are neither services nor groups", () => {
  const graph = DependencyGraph.from([
    svc("a", { after: "ghost.service nogroup", before: "phantom" }),
    svc("b", { after: "a.service" }),
  ]);
  assert.deepEqual(graph.prerequisitesOf("a.service"), []);
  assert.deepEqual(graph.prerequisitesOf("b.service"), ["a.service"]);
});

Deno.test("DependencyGraph.from() orders independent services by name", () => {
  const graph = DependencyGraph.from([svc("c"), svc("a"), svc("b", { after: "c.service" })]);
  assert.deepEqual(graph.order, ["a.service", "c.service", "b.service"]);
  assert.deepEqual(graph.stopOrder(), ["b.service", "c.service", "a.service"]);
});

Deno.test("DependencyGraph.from() rejects a duplicate service name", () => {
  assert.throws(() => DependencyGraph.from([svc("a"), svc("a")]), RangeError);
});

Deno.test("DependencyGraph.prerequisitesOf() throws for an unknown service", () => {
  const graph = DependencyGraph.from([svc("a")]);
  assert.equal(graph.has("a.service"), true);
  assert.equal(graph.has("b.service"), false);
  assert.throws(() => graph.prerequisitesOf("b.service"), RangeError);
  assert.throws(() => graph.dependentsOf("b.service"), RangeError);
});
