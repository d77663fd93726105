/**
 * Black-box: the control scenarios of the original's el-tests (EL-nn: docs/migration.md) as PID 1,
 * with a double-forking daemon in place of apache: EL-06 (a service's own oneshot stops a pidfile
 * service through ctl, killing the daemon) and EL-13 (a cron job resets a pidfile service, which
 * kills its daemon, and starts it again, re-running a finished simple service).
 */
import assert from "node:assert/strict";
import { canRunAsPid1, CHAPERONE, REPO } from "../_helpers/pid1.ts";
import { DEBUG_LOGGING, withChaperone } from "./ctl_helpers.ts";

const DAEMON = `${REPO}/tests/fixtures/bin/daemon`;

/** Asserts that the patterns occur in `text` in this order. */
function assertInOrder(text: string, patterns: (string | RegExp)[]): void {
  let from = 0;
  for (const pattern of patterns) {
    const rest = text.slice(from);
    const m = typeof pattern === "string"
      ? { index: rest.indexOf(pattern), length: pattern.length }
      : (() => {
        const found = rest.match(pattern);
        return { index: found?.index ?? -1, length: found?.[0].length ?? 0 };
      })();
    assert.ok(m.index >= 0, `missing ${pattern} after offset ${from} in:\n${text}`);
    from += m.index + m.length;
  }
}

const IS_RUNNING = `
# is_running PIDFILE: the daemon named in the pidfile is alive (not gone, not a zombie).
is_running() {
  pid=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$pid" ] || return 1
  # One read of the state: a process that vanishes mid-check counts as gone.
  state=$(sed -n 's/^State:[[:space:]]*\\(.\\).*/\\1/p' "/proc/$pid/status" 2>/dev/null)
  [ -n "$state" ] && [ "$state" != Z ]
}
# wait_gone PIDFILE: give the reaper up to 5 s to collect the killed daemon.
wait_gone() {
  i=0
  while is_running "$1" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}
`;

Deno.test({
  name:
    "EL-06: ctl stop of a pidfile service from a oneshot kills the daemon, then the system ends",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(
      `
test4-apache.service: {
  type: simple,
  pidfile: "@DIR@/apache.pid",
  command: "${DAEMON} --pidfile @DIR@/apache.pid sleep 1000",
}
test4-apache-verify.service: {
  type: oneshot,
  service_groups: IDLE,
  stdout: inherit,
  command: "sh @DIR@/verify.sh",
}
${DEBUG_LOGGING}`,
      async (p) => {
        const code = await p.waitExit(60_000);
        assertInOrder(p.stdout, [
          "test4-apache.service changing PID to",
          "test4-apache.service successfully started",
          "VERIFY: apache not running",
          "Final termination phase",
        ]);
        // The killed daemon is a zombie (gone for the script) a moment before PID 1 reaps it,
        // so the reset line may come before or after the script's verdict.
        assertInOrder(p.stdout, ["test4-apache.service received reset", "Final termination phase"]);
        // The reply races the reset line (the script echoes it after ctl returns).
        assert.match(p.stdout, /^VERIFY: services stopping\.$/m);
        assert.match(p.stdout, /test4-apache\.service exit status/);
        assert.equal(code, 0, p.output);
      },
      {
        files: {
          "verify.sh": `${IS_RUNNING}
is_running @DIR@/apache.pid && echo "VERIFY: apache running before the stop"
echo "VERIFY: $(${CHAPERONE} ctl stop test4-apache)"
wait_gone @DIR@/apache.pid
is_running @DIR@/apache.pid && echo "VERIFY: apache still running" || echo "VERIFY: apache not running"
`,
        },
      },
    ),
});

Deno.test({
  name: "EL-13: a cron job's ctl reset kills a pidfile daemon and ctl start runs the service again",
  ignore: !canRunAsPid1,
  fn: () =>
    withChaperone(
      `
test5-apache.service: {
  type: simple,
  pidfile: "@DIR@/apache.pid",
  command: "${DAEMON} --pidfile @DIR@/apache.pid sh -c 'echo launched >>@DIR@/launches; exec sleep 1000'",
}
test5-simrotate.service: {
  type: cron,
  service_groups: IDLE,
  interval: "* * * * * */2",
  stdout: inherit,
  command: "sh @DIR@/simulate-rotate.sh",
}
${DEBUG_LOGGING}`,
      async (p, dir) => {
        await p.waitForOutput("ROTATE DONE", 40_000);
        assertInOrder(p.stdout, [
          "test5-apache.service successfully started",
          "ROTATE SERIAL NUMBER: 1",
          "apache is running",
          "services reset.",
          "apache is NOT running",
          "service start-up queued.",
          "ROTATE SERIAL NUMBER: 2",
          "apache is running",
          "ROTATE DONE",
        ]);
        // The finished simple service really ran again: its daemon was launched twice.
        assert.equal(await Deno.readTextFile(`${dir}/launches`), "launched\nlaunched\n");
        await p.kill("SIGINT");
        assert.equal(await p.waitExit(), 130, p.output);
        assert.match(p.stdout, /Final termination phase/);
      },
      {
        files: {
          "simulate-rotate.sh": `${IS_RUNNING}
serial=$(( $(cat @DIR@/serial 2>/dev/null || echo 0) + 1 ))
echo $serial >@DIR@/serial
[ $serial -gt 2 ] && exit 0
echo "ROTATE SERIAL NUMBER: $serial"
is_running @DIR@/apache.pid && echo "apache is running" || echo "apache is NOT running"
if [ $serial -eq 2 ]; then echo "ROTATE DONE"; exit 0; fi
${CHAPERONE} ctl reset test5-apache
wait_gone @DIR@/apache.pid
is_running @DIR@/apache.pid && echo "apache is running" || echo "apache is NOT running"
${CHAPERONE} ctl start test5-apache
`,
        },
      },
    ),
});
