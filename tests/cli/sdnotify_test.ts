import assert from "node:assert/strict";
import { join } from "node:path";
import { sdnotifyCommand } from "../../src/cli/sdnotify.ts";
import { type NotifySocket, openNotifySocket } from "../../src/notify/socket.ts";
import { drainNotify } from "../_helpers/drain_notify.ts";

interface Run {
  code: number;
  out: string;
  err: string;
  received: string[];
}

/** Runs sdnotify against a fresh listener and returns what it printed and what arrived. */
async function run(
  args: string[],
  setup: { socket?: (listener: NotifySocket) => string | undefined } = {},
): Promise<Run> {
  const dir = await Deno.makeTempDir();
  try {
    await using listener = openNotifySocket(join(dir, "notify.sock"));
    let out = "";
    let err = "";
    const socket = setup.socket ? setup.socket(listener) : listener.path;
    const code = await sdnotifyCommand(args, {
      output: { out: (t) => out += t, err: (t) => err += t },
      env: socket === undefined ? {} : { NOTIFY_SOCKET: socket },
      pid: 4321,
    });
    return { code, out, err, received: await drainNotify(listener) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const CASES: { args: string[]; code: number; out?: string | RegExp; received: string[] }[] = [
  { args: ["--ready"], code: 0, received: ["READY=1"] },
  {
    args: ["foo=bar", "--ready", "--status=all good", "--pid", "77"],
    code: 0,
    received: ["MAINPID=77", "STATUS=all good", "READY=1", "FOO=bar"],
  },
  { args: ["--pid=self"], code: 0, received: ["MAINPID=4321"] },
  { args: ["--pid", "x1"], code: 1, out: "error: not a valid PID 'x1'\n", received: [] },
  {
    args: ["--ready", "a=b=c"],
    code: 1,
    out: "error: not a valid format for VARIABLE=VALUE, 'a=b=c'\n",
    received: [],
  },
  {
    args: ["--ready", "novalue"],
    code: 1,
    out: "error: not a valid format for VARIABLE=VALUE, 'novalue'\n",
    received: [],
  },
  { args: ["--booted"], code: 1, received: [] },
  { args: ["--ready", "--booted"], code: 1, received: ["READY=1"] },
  { args: ["ERRNO=3", "Status=x"], code: 0, received: ["ERRNO=3", "STATUS=x"] },
];

for (const c of CASES) {
  Deno.test(`sdnotifyCommand() ${c.args.join(" ")} exits ${c.code} and sends ${c.received.length}`, async () => {
    const result = await run(c.args);
    assert.equal(result.code, c.code);
    assert.deepEqual(result.received, c.received);
    if (typeof c.out === "string") assert.equal(result.out, c.out);
    else if (c.out) assert.match(result.out, c.out);
    else assert.equal(result.out, "");
  });
}

Deno.test("sdnotifyCommand() sends nothing and exits 0 without NOTIFY_SOCKET", async () => {
  const result = await run(["--ready"], { socket: () => undefined });
  assert.deepEqual(result, { code: 0, out: "", err: "", received: [] });
});

Deno.test("sdnotifyCommand() reports a failed send with exit 1 unless --ignore", async () => {
  const missing = (l: NotifySocket) => l.path + ".missing";
  const failed = await run(["--ready"], { socket: missing });
  assert.equal(failed.code, 1);
  assert.match(
    failed.out,
    /^error: could not send sd_notify message, Systemd notification failed: .*No such file/,
  );
  const ignored = await run(["--ready", "--ignore"], { socket: missing });
  assert.deepEqual(ignored, { code: 0, out: "", err: "", received: [] });
});

Deno.test("sdnotifyCommand() prints usage for --help and a usage error for an unknown option", async () => {
  const help = await run(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.out, /^Usage:\n {4}sdnotify \[options\]/);
  const bad = await run(["--nope"]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /--nope/);
  assert.match(bad.err, /Usage:/);
  assert.deepEqual(bad.received, []);
});

Deno.test("sdnotify run as a program reaches a listener through NOTIFY_SOCKET", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using listener = openNotifySocket(join(dir, "notify.sock"));
    const main = new URL("../../main.ts", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--unstable-net", main, "sdnotify", "--ready", "--status=up"],
      env: { NOTIFY_SOCKET: listener.path },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.deepEqual(await drainNotify(listener), ["STATUS=up", "READY=1"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
