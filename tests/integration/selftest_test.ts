/**
 * `chaperone selftest` as PID 1 (docs/docker.md, "selftest"): in a sound namespace every row
 * is ok and it exits 0; in a broken image (a shell-less root from scripts/rootfs-build whose
 * /dev and /tmp are read-only, with a service whose program is missing and one whose user is
 * not in /etc/passwd) the runtime directory, users and programs rows fail with advice, the
 * syslog row is skipped, the rest still pass, and it exits 1. Nothing is left behind.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, REPO, startPid1, tempTree } from "../_helpers/pid1.ts";

const ignore = !canRunAsPid1;

/** The table's rows by check name: status and the rest of the line. */
function rows(out: string): Map<string, { status: string; detail: string }> {
  const found = new Map<string, { status: string; detail: string }>();
  for (const m of out.matchAll(/^(ok|FAIL|skip) +(\S+(?: \S+)?) {2,}(.*)$/gm)) {
    found.set(m[2]!, { status: m[1]!, detail: m[3]! });
  }
  return found;
}

const CHECKS = [
  "pid 1",
  "signals",
  "orphans",
  "process groups",
  "runtime directory",
  "syslog socket",
  "control socket",
  "configuration",
  "users",
  "programs",
];

Deno.test({
  name: "selftest as PID 1 of a sound namespace: every row ok, exit 0",
  ignore,
  async fn() {
    const dir = await tempTree({
      "chaperone.d/app.conf": `web.service: { command: "sleep 100", uid: nobody }\n`,
    });
    const run = startPid1(["selftest", "--config", `${dir}/chaperone.d`]);
    try {
      const code = await run.waitExit(90_000);
      const table = rows(run.stdout);
      assert.deepEqual([...table.keys()], CHECKS, run.output);
      for (const [check, { status }] of table) {
        assert.equal(status, "ok", `${check}\n${run.output}`);
      }
      assert.equal(code, 0, run.output);
      assert.match(table.get("pid 1")!.detail, /^PID 1 of the container/);
      assert.match(table.get("syslog socket")!.detail, /^\/dev\/log received a message$/);
      assert.match(table.get("users")!.detail, /every user and group named exists/);
      assert.match(run.stdout, /10 checks: 10 ok, 0 FAIL, 0 skip/);
    } finally {
      await run.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

// In a private mount namespace: the root file system read-only (so is its /tmp), a read-only
// /dev with the usual device nodes, a writable /scratch as TMPDIR; then the program as PID 1
// of a new PID namespace with that root, with no environment but the image's.
const BROKEN_ROOT = `
set -e
root="$1"; shift
mkdir -p "$root/scratch"
mount --bind "$root" "$root"
mount -t tmpfs -o mode=0755,size=4m rootfs-dev "$root/dev"
for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
  IFS=: read -r name major minor <<<"$n"; mknod -m 666 "$root/dev/$name" c "$major" "$minor"
done
mount -o remount,ro rootfs-dev "$root/dev"
mount -t tmpfs -o size=16m scratch "$root/scratch"
mount -o remount,bind,ro "$root"
unshare="$(command -v unshare)"
exec env -i DENO_DIR=/deno-dir HOME=/root PATH=/ NO_COLOR=1 TMPDIR=/scratch \\
  CHAPERONE_ARGV0=/chaperone "$unshare" --pid --fork --mount-proc --root="$root" --wd=/ "$@"
`;

Deno.test({
  name:
    "selftest in a broken shell-less root: runtime directory, users and programs FAIL with advice, exit 1",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "chaperone-selftest-root-" });
    const root = `${dir}/root`;
    await Deno.mkdir(root);
    try {
      const built = await new Deno.Command(`${REPO}/scripts/rootfs-build`, {
        args: [root],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dec = new TextDecoder();
      assert.equal(built.code, 0, dec.decode(built.stderr));
      const entrypoint = dec.decode(built.stdout).trim().split("\n");
      await Deno.writeTextFile(
        `${root}/etc/chaperone.d/app.conf`,
        [
          `app.service: { command: "/app/bin/server --port 8080" }`,
          `worker.service: { command: "/deno --version", uid: www-data }`,
          "",
        ].join("\n"),
      );
      const child = new Deno.Command("unshare", {
        args: [
          "--mount",
          "--propagation",
          "private",
          "--",
          "bash",
          "-c",
          BROKEN_ROOT,
          "broken",
          root,
          ...entrypoint,
          "selftest",
        ],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
      const out = await child.output();
      clearTimeout(timer);
      const stdout = dec.decode(out.stdout);
      const text = `${stdout}\n--- stderr ---\n${dec.decode(out.stderr)}`;
      const table = rows(stdout);
      assert.deepEqual([...table.keys()], CHECKS, text);
      const status = Object.fromEntries([...table].map(([k, v]) => [k, v.status]));
      assert.deepEqual(status, {
        "pid 1": "ok",
        "signals": "ok",
        "orphans": "ok",
        "process groups": "ok",
        "runtime directory": "FAIL",
        "syslog socket": "skip",
        "control socket": "ok",
        "configuration": "ok",
        "users": "FAIL",
        "programs": "FAIL",
      }, text);
      assert.equal(out.code, 1, text);
      assert.match(
        table.get("runtime directory")!.detail,
        /^\/dev is not writable \(.*\), and \/tmp\/chaperone-0 cannot be created in \/tmp: .*Read-only file system/,
      );
      assert.match(
        table.get("users")!.detail,
        /app\.conf:2: worker\.service: uid: user 'www-data' does not exist$/,
      );
      assert.match(
        table.get("programs")!.detail,
        /app\.conf:1: app\.service: command: executable '\/app\/bin\/server' not found$/,
      );
      // One advice line under each failure.
      const advice = stdout.split("\n").filter((l) => /^ +advice: /.test(l));
      assert.equal(advice.length, 3, text);
      assert.match(stdout, /advice: run as root, or mount a writable tmpfs on \/tmp/);
      assert.match(stdout, /advice: add the users and groups to the image's \/etc\/passwd/);
      assert.match(stdout, /advice: copy the programs into the image/);
      assert.match(stdout, /10 checks: 6 ok, 3 FAIL, 1 skip/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
