import assert from "node:assert/strict";
import { CUT_MARK, cutLine, LogRing, type RingLine } from "../../src/log/log_ring.ts";

let seq = 0;
const line = (text: string): RingLine => ({ seq: ++seq, time: 0, text });
const texts = (ring: LogRing) => Array.from({ length: ring.size }, (_, i) => ring.at(i).text);

Deno.test("LogRing keeps the last maxLines lines, oldest first", () => {
  const ring = new LogRing(3, 1000);
  for (const t of ["a", "b", "c", "d", "e"]) ring.push(line(t));
  assert.deepEqual(texts(ring), ["c", "d", "e"]);
  assert.equal(ring.size, 3);
  assert.equal(ring.chars, 3);
  // Many more turns of the circle keep the order.
  for (let i = 0; i < 100; i++) ring.push(line(`x${i}`));
  assert.deepEqual(texts(ring), ["x97", "x98", "x99"]);
});

Deno.test("LogRing drops the oldest lines until a new one fits its characters", () => {
  const ring = new LogRing(100, 10);
  ring.push(line("aaaa"));
  ring.push(line("bbbb"));
  assert.deepEqual(texts(ring), ["aaaa", "bbbb"]);
  ring.push(line("cccccc"));
  assert.deepEqual(texts(ring), ["bbbb", "cccccc"]);
  assert.equal(ring.chars, 10);
  // A line as long as the whole budget leaves nothing else.
  ring.push(line("dddddddddd"));
  assert.deepEqual(texts(ring), ["dddddddddd"]);
  // Lines pushed after evictions left holes in the slots still come out in order.
  for (const t of ["1", "2", "3"]) ring.push(line(t));
  assert.deepEqual(texts(ring), ["1", "2", "3"]);
});

Deno.test("LogRing cuts a line longer than its whole budget", () => {
  const ring = new LogRing(10, 8);
  ring.push(line("0123456789abcdef"));
  assert.deepEqual(texts(ring), [`0123456${CUT_MARK}`]);
  assert.equal(ring.chars, 8);
});

Deno.test("LogRing never holds more than its bounds, whatever arrives", () => {
  const ring = new LogRing(50, 500);
  for (let i = 0; i < 5000; i++) {
    ring.push(line("x".repeat((i * 7919) % 97)));
    assert.ok(ring.size <= 50 && ring.chars <= 500, `at ${i}: ${ring.size} ${ring.chars}`);
  }
  // Sequence numbers stay increasing from the oldest line to the newest.
  for (let i = 1; i < ring.size; i++) assert.ok(ring.at(i).seq > ring.at(i - 1).seq);
});

Deno.test("cutLine() leaves short lines alone and marks cut ones", () => {
  assert.equal(cutLine("short", 10), "short");
  assert.equal(cutLine("exactly10!", 10), "exactly10!");
  assert.equal(cutLine("0123456789ab", 10), `012345678${CUT_MARK}`);
  assert.equal(cutLine("0123456789ab", 10).length, 10);
  // A surrogate pair torn by the cut becomes one replacement character.
  assert.equal(cutLine("ab😀cd", 4), `ab\uFFFD${CUT_MARK}`);
});
