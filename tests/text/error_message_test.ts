import assert from "node:assert/strict";
import { errorMessage, errorStack } from "../../src/text/error_message.ts";

Deno.test("errorMessage() gives an Error's message without its name or stack", () => {
  assert.equal(
    errorMessage(new RangeError("Invalid signal specifier: TERMX")),
    "Invalid signal specifier: TERMX",
  );
  assert.equal(errorMessage(new Deno.errors.NotFound("no such file")), "no such file");
});

Deno.test("errorMessage() turns any other thrown value into text", () => {
  assert.equal(errorMessage("plain string"), "plain string");
  assert.equal(errorMessage(42), "42");
  assert.equal(errorMessage(undefined), "undefined");
  assert.equal(errorMessage(null), "null");
  assert.equal(errorMessage({ toString: () => "custom" }), "custom");
});

Deno.test("errorStack() gives an Error's stack, naming where it was thrown", () => {
  function thrower(): never {
    throw new TypeError("boom");
  }
  let caught: unknown;
  try {
    thrower();
  } catch (e) {
    caught = e;
  }
  const stack = errorStack(caught);
  assert.match(stack, /^TypeError: boom\n/);
  assert.match(stack, /at thrower /);
});

Deno.test("errorStack() falls back to name and message, and to text for non-errors", () => {
  const error = new SyntaxError("bad");
  delete error.stack;
  assert.equal(errorStack(error), "SyntaxError: bad");
  assert.equal(errorStack("just text"), "just text");
});
