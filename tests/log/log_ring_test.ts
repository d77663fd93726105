import assert from "node:assert/strict";
import { CUT_MARK, cutLine, LINE_OVERHEAD, LogRing } from "../../src/log/log_ring.ts";

/** Bytes for lines of these lengths. */
const weigh = (...lengths: number[]) => lengths.reduce((sum, n) => sum + n + LINE_OVERHEAD, 0);

let seq = 0;
/** Pushes one line with the next sequence number. */
function push(ring: LogRing, text: string): void {
  ring.push(++seq, 1000 + seq, text);
}
const texts = (ring: LogRing) => Array.from({ length: ring.size }, (_, i) => ring.at(i).text);

Deno.test("LogRing keeps the last maxLines lines, oldest first", () => {
  const ring = new LogRing(3, 10_000);
  for (const t of ["a", "b", "c", "d", "e"]) push(ring, t);
  assert.deepEqual(texts(ring), ["c", "d", "e"]);
  assert.equal(ring.size, 3);
  assert.equal(ring.bytes, weigh(1, 1, 1));
  // Many more turns of the circle keep the order.
  for (let i = 0; i < 100; i++) push(ring, `x${i}`);
  assert.deepEqual(texts(ring), ["x97", "x98", "x99"]);
});

Deno.test("LogRing drops the oldest lines until a new one fits its bytes", () => {
  const ring = new LogRing(100, weigh(4, 6));
  push(ring, "aaaa");
  push(ring, "bbbb");
  assert.deepEqual(texts(ring), ["aaaa", "bbbb"]);
  push(ring, "cccccc");
  assert.deepEqual(texts(ring), ["bbbb", "cccccc"]);
  assert.equal(ring.bytes, weigh(4, 6));
  // A line as heavy as the whole budget leaves nothing else.
  push(ring, "d".repeat(weigh(4, 6) - LINE_OVERHEAD));
  assert.equal(ring.size, 1);
  assert.equal(ring.bytes, weigh(4, 6));
  // Lines pushed after evictions left holes in the slots still come out in order.
  for (const t of ["1", "2", "3"]) push(ring, t);
  assert.deepEqual(texts(ring), ["2", "3"]);
});

Deno.test("LogRing cuts a line heavier than its whole budget", () => {
  const ring = new LogRing(10, weigh(8));
  push(ring, "0123456789abcdef");
  assert.deepEqual(texts(ring), [`0123456${CUT_MARK}`]);
  assert.equal(ring.bytes, weigh(8));
});

Deno.test("LogRing counts what each line costs besides its text: many empty lines are bounded", () => {
  const ring = new LogRing(1_000_000, weigh(0) * 10);
  for (let i = 0; i < 1000; i++) push(ring, "");
  assert.equal(ring.size, 10);
});

Deno.test("LogRing never holds more than its bounds, whatever arrives", () => {
  const ring = new LogRing(50, 2000);
  for (let i = 0; i < 5000; i++) {
    push(ring, "x".repeat((i * 7919) % 97));
    assert.ok(ring.size <= 50 && ring.bytes <= 2000, `at ${i}: ${ring.size} ${ring.bytes}`);
  }
  // Sequence numbers stay increasing from the oldest line to the newest.
  for (let i = 1; i < ring.size; i++) {
    assert.ok(ring.seqAt(i) > ring.seqAt(i - 1));
    assert.equal(ring.at(i).seq, ring.seqAt(i));
    assert.equal(ring.at(i).time, 1000 + ring.seqAt(i));
  }
});

Deno.test("cutLine() leaves short lines alone and marks cut ones", () => {
  assert.equal(cutLine("short", 10), "short");
  assert.equal(cutLine("exactly10!", 10), "exactly10!");
  assert.equal(cutLine("0123456789ab", 10), `012345678${CUT_MARK}`);
  assert.equal(cutLine("0123456789ab", 10).length, 10);
  // A surrogate pair torn by the cut becomes one replacement character.
  assert.equal(cutLine("ab😀cd", 4), `ab\uFFFD${CUT_MARK}`);
});

Deno.test("LogRing grows its columns without moving a line", () => {
  const ring = new LogRing(1000, 10_000_000);
  // Evictions by characters before the first growth leave the head away from slot 0.
  const small = new LogRing(40, weigh(3, 3, 3, 3, 3));
  for (let i = 0; i < 25; i++) push(small, `a${String(i).padStart(2, "0")}`);
  assert.deepEqual(
    Array.from({ length: small.size }, (_, i) => small.at(i).text),
    ["a20", "a21", "a22", "a23", "a24"],
  );
  for (let i = 0; i < 300; i++) push(ring, `n${i}`);
  assert.equal(ring.size, 300);
  assert.deepEqual([ring.at(0).text, ring.at(150).text, ring.at(299).text], ["n0", "n150", "n299"]);
  for (let i = 1; i < ring.size; i++) assert.ok(ring.seqAt(i) > ring.seqAt(i - 1));
});
