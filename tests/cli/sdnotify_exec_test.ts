import assert from "node:assert/strict";
import { join } from "node:path";
import { openNotifySocket } from "../../src/notify/socket.ts";
import { pidAlive } from "../../src/process/proc_table.ts";
import { withTempDir } from "../_helpers/with_temp_dir.ts";
import { drainNotify } from "../_helpers/drain_notify.ts";
import { lacks } from "../_helpers/requires.ts";

// sdnotify-exec runs as a program of its own (it may leave its command running when it
// exits), started from a tiny entry file written into each test's temp dir.
const MODULE = new URL("../../src/cli/sdnotify_exec.ts", import.meta.url).href;

interface ExecResult {
  code: number;
  out: string;
  err: string;
  ms: number;
  pid: number;
}

async function runExec(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<ExecResult> {
  const entry = join(dir, "entry.ts");
  await Deno.writeTextFile(
    entry,
    `import { sdnotifyExecCommand } from ${JSON.stringify(MODULE)};\n` +
      "Deno.exit(await sdnotifyExecCommand(Deno.args));\n",
  );
  const started = Date.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-net", entry, ...args],
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = await child.output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    out: decoder.decode(out.stdout),
    err: decoder.decode(out.stderr),
    ms: Date.now() - started,
    pid: child.pid,
  };
}

/** Kills the process whose pid the command wrote to `file`, if it is still there. */
async function killFromPidFile(file: string): Promise<void> {
  try {
    const pid = Number((await Deno.readTextFile(file)).trim());
    if (pid > 0 && pidAlive(pid)) Deno.kill(pid, "SIGKILL");
  } catch {
    // No pid file: nothing was left running.
  }
}

Deno.test("sdnotifyExecCommand() without a wait mode exits with the command's status", {
  ignore: lacks("systemd-notify"),
}, async () => {
  await withTempDir(async (dir) => {
    const result = await runExec(dir, [
      "--verbose",
      "--socket",
      join(dir, "n.sock"),
      "sh",
      "-c",
      "systemd-notify --ready; systemd-notify --status=busy; exit 3",
    ]);
    assert.equal(result.code, 3, result.err);
    assert.equal(
      result.out,
      "info: running: sh\n" +
        "info: READY=1 (ignored)\n" +
        "info: Status message = 'busy' (ignored)\n" +
        "info: program sh exit(3), terminating since --wait not specified\n",
    );
    assert.throws(() => Deno.statSync(join(dir, "n.sock")), Deno.errors.NotFound);
  });
});

Deno.test("sdnotifyExecCommand() reports a signal death as 128+n", async () => {
  await withTempDir(async (dir) => {
    const result = await runExec(dir, [
      "--socket",
      join(dir, "n.sock"),
      "sh",
      "-c",
      "kill -TERM $$",
    ]);
    assert.equal(result.code, 143, result.err);
  });
});

Deno.test("sdnotifyExecCommand() --wait-ready exits 0 on READY=1 and leaves the command running", {
  ignore: lacks("systemd-notify"),
}, async () => {
  await withTempDir(async (dir) => {
    const pidFile = join(dir, "pid");
    try {
      const result = await runExec(dir, [
        "--wait-ready",
        "--verbose",
        "--socket",
        join(dir, "n.sock"),
        "sh",
        "-c",
        `echo $$ > ${pidFile}; sleep 0.2; systemd-notify --ready; exec sleep 30 >/dev/null 2>&1`,
      ]);
      assert.equal(result.code, 0, result.err);
      assert.equal(
        result.out,
        "info: running: sh\ninfo: ready notification received (will exit)\n",
      );
      assert.ok(result.ms < 5000, `took ${result.ms} ms`);
      const pid = Number(await Deno.readTextFile(pidFile));
      assert.equal(pidAlive(pid), true, "the command should still run");
    } finally {
      await killFromPidFile(pidFile);
    }
  });
});

Deno.test("sdnotifyExecCommand() --wait-ready exits with n on ERRNO=n", {
  ignore: lacks("systemd-notify"),
}, async () => {
  await withTempDir(async (dir) => {
    const pidFile = join(dir, "pid");
    try {
      const result = await runExec(dir, [
        "--wait-ready",
        "--verbose",
        "--socket",
        join(dir, "n.sock"),
        "sh",
        "-c",
        `echo $$ > ${pidFile}; systemd-notify ERRNO=7; exec sleep 30 >/dev/null 2>&1`,
      ]);
      assert.equal(result.code, 7, result.err);
      assert.match(result.out, /info: error notification \(7\) received from sh\n$/);
    } finally {
      await killFromPidFile(pidFile);
    }
  });
});

Deno.test("sdnotifyExecCommand() --wait-ready ends with the status of a command that fails first", async () => {
  await withTempDir(async (dir) => {
    const result = await runExec(dir, [
      "--wait-ready",
      "--socket",
      join(dir, "n.sock"),
      "sh",
      "-c",
      "exit 5",
    ]);
    assert.equal(result.code, 5, result.err);
  });
});

Deno.test("sdnotifyExecCommand() --wait-stop outlives the command until STOPPING=1", {
  ignore: lacks("systemd-notify"),
}, async () => {
  await withTempDir(async (dir) => {
    const result = await runExec(dir, [
      "--wait-stop",
      "--verbose",
      "--socket",
      join(dir, "n.sock"),
      "sh",
      "-c",
      "(sleep 0.5; systemd-notify STOPPING=1) & systemd-notify --ready; exit 4",
    ]);
    assert.equal(result.code, 4, result.err);
    assert.equal(
      result.out,
      "info: running: sh\n" +
        "info: READY=1 (ignored)\n" +
        "info: STOP notification received from sh (will exit)\n",
    );
  });
});

Deno.test("sdnotifyExecCommand() --timeout ends a wait that gets no notification", async () => {
  await withTempDir(async (dir) => {
    const pidFile = join(dir, "pid");
    try {
      const result = await runExec(dir, [
        "--wait-ready",
        "--timeout",
        "0.3",
        "--verbose",
        "--socket",
        join(dir, "n.sock"),
        "sh",
        "-c",
        `echo $$ > ${pidFile}; exec sleep 30 >/dev/null 2>&1`,
      ]);
      assert.equal(result.code, 1, result.err);
      assert.equal(
        result.out,
        "info: running: sh\n" +
          "info: waiting 0.3 seconds for notification\n" +
          "ERROR: Timeout exceeded while waiting for notification from 'sh'\n",
      );
    } finally {
      await killFromPidFile(pidFile);
    }
  });
});

Deno.test("sdnotifyExecCommand() proxies messages to the parent NOTIFY_SOCKET unless --noproxy", {
  ignore: lacks("systemd-notify"),
}, async () => {
  await withTempDir(async (dir) => {
    await using parent = openNotifySocket(join(dir, "parent.sock"));
    const script = "systemd-notify --status=hi; systemd-notify --ready";
    const proxied = await runExec(dir, [
      "--verbose",
      "--socket",
      join(dir, "n.sock"),
      "sh",
      "-c",
      script,
    ], { NOTIFY_SOCKET: parent.path });
    assert.equal(proxied.code, 0, proxied.err);
    assert.match(proxied.out, /info: READY=1 \(ignored but passed on\)\n/);
    assert.deepEqual(await drainNotify(parent), ["STATUS=hi", "READY=1"]);
    const quiet = await runExec(dir, [
      "--noproxy",
      "--verbose",
      "--socket",
      join(dir, "n.sock"),
      "sh",
      "-c",
      script,
    ], { NOTIFY_SOCKET: parent.path });
    assert.equal(quiet.code, 0, quiet.err);
    assert.match(quiet.out, /info: READY=1 \(ignored\)\n/);
    assert.deepEqual(await drainNotify(parent), []);
  });
});

Deno.test("sdnotifyExecCommand() expands %{VAR} and re-splits %{SOCKET_ARGS} into words", async () => {
  await withTempDir(async (dir) => {
    const socket = join(dir, "n.sock");
    const result = await runExec(dir, [
      "--socket",
      socket,
      "sh",
      "-c",
      'printf "[%s]\\n" "$NOTIFY_SOCKET" "$PID" "$@"',
      "x",
      "%{SOCKET_ARGS}",
      "%{ORIG_NOTIFY_SOCKET}",
      "%{FOO:-dflt}",
      "a b",
    ], { NOTIFY_SOCKET: "/orig.sock" });
    assert.equal(result.code, 0, result.err);
    const pid = result.out.match(/notify-(\d+)\.sock/)?.[1];
    assert.ok(pid, result.out);
    assert.equal(
      result.out,
      [
        `[${socket}]`,
        "[]",
        "[--env]",
        `[NOTIFY_SOCKET=/tmp/notify-${pid}.sock]`,
        "[-v]",
        `[${socket}:/tmp/notify-${pid}.sock]`,
        "[/orig.sock]",
        "[dflt]",
        "[a b]",
      ].join("\n") + "\n",
    );
  });
});

Deno.test("sdnotifyExecCommand() uses --template and a default socket of mode 0777 in /tmp", async () => {
  await withTempDir(async (dir) => {
    const result = await runExec(dir, [
      "--template",
      "T-%{PID}",
      "sh",
      "-c",
      'stat -c %a "$NOTIFY_SOCKET"; echo "$NOTIFY_SOCKET" "$@"',
      "x",
      "%{SOCKET_ARGS}",
    ]);
    assert.equal(result.code, 0, result.err);
    const [mode, line] = result.out.trim().split("\n");
    assert.equal(mode, "777");
    const match = line?.match(/^\/tmp\/sdnotify-proxy-(\d+)\.sock T-(\d+)$/);
    assert.ok(match, result.out);
    assert.equal(match[1], match[2]);
    assert.throws(
      () => Deno.statSync(`/tmp/sdnotify-proxy-${match[1]}.sock`),
      Deno.errors.NotFound,
    );
  });
});

Deno.test("sdnotifyExecCommand() reports a command that cannot run with 127", async () => {
  await withTempDir(async (dir) => {
    const result = await runExec(dir, ["--socket", join(dir, "n.sock"), "no-such-command-xyz"]);
    assert.equal(result.code, 127);
    assert.equal(result.out, "Error running command: executable 'no-such-command-xyz' not found\n");
  });
});

Deno.test("sdnotifyExecCommand() needs a COMMAND and treats later options as the command's", async () => {
  await withTempDir(async (dir) => {
    const none = await runExec(dir, ["--verbose"]);
    assert.equal(none.code, 1);
    assert.match(none.err, /Usage:/);
    const later = await runExec(dir, ["--socket", join(dir, "n.sock"), "echo", "--verbose"]);
    assert.equal(later.code, 0, later.err);
    assert.equal(later.out, "--verbose\n");
  });
});

Deno.test("sdnotifyExecCommand() listens on an @abstract --socket", {
  ignore: lacks("systemd-notify"),
}, async () => {
  await withTempDir(async (dir) => {
    const name = `@chaperone-test/${crypto.randomUUID()}`;
    const result = await runExec(dir, [
      "--verbose",
      "--socket",
      name,
      "sh",
      "-c",
      'test "$NOTIFY_SOCKET" = "$0" && systemd-notify --status=abs',
      name,
    ]);
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /info: Status message = 'abs' \(ignored\)\n/);
  });
});
