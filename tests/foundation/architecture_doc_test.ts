/**
 * docs/architecture.md lists, for every state of the service table, the events that have a cell:
 * the list must be the table itself, so that a newcomer who reads it finds every cell.
 */
import assert from "node:assert/strict";
import { TABLE } from "../../src/service/machine.ts";

const DOC = new URL("../../docs/architecture.md", import.meta.url);
const ROW_REGEXP = /^\| `([a-z-]+)` +\|[^|]*\| ([^|]*?) *\|$/;

Deno.test("docs/architecture.md lists every cell of the service table, and no other", () => {
  const documented = new Map<string, string[]>();
  const text = Deno.readTextFileSync(DOC);
  const from = text.indexOf("<!-- The list below is checked");
  assert.ok(from >= 0, "the marker before the service table is missing");
  // The service table is the first table after the marker; it ends at the first blank line.
  const table = text.slice(from).split("\n\n")[1] ?? "";
  for (const line of table.split("\n")) {
    const m = ROW_REGEXP.exec(line);
    if (!m || !(m[1]! in TABLE)) continue;
    documented.set(m[1]!, [...m[2]!.matchAll(/`([a-z-]+)`/g)].map((x) => x[1]!).sort());
  }
  const cells = new Map(
    Object.entries(TABLE).map(([state, row]) => [state, Object.keys(row).sort()]),
  );
  assert.deepEqual(documented, cells);
});
