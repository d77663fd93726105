/**
 * Security checks of a live PID 1 run (Decision 9): the control socket, FIFO and notify sockets
 * have their modes and owners; a service running as nobody cannot use the control socket or
 * FIFO, cannot send READY for a root service, and cannot read root-owned log files Chaperone
 * created, while it can notify for itself; and text from the environment, a datagram or a
 * control request never reaches a shell.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, type Pid1, waitFor } from "../_helpers/pid1.ts";
import { withScenario } from "../integration/_scenario.ts";
import { devPath, figure, timedRequest } from "./_fuzz.ts";

/** What the nobody service tries; it writes one verdict per attempt to spy.json. */
const SPY = `import json, os, socket, time
T = os.environ["T"]
def wait_for(path):
    for _ in range(400):
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return
        time.sleep(0.05)
    raise SystemExit("missing " + path)
for p in ("victim.path", "mine.path"):
    wait_for(T + "/" + p)
wait_for(T + "/logs/secret.log")
victim = open(T + "/victim.path").read().strip()
mine = open(T + "/mine.path").read().strip()
result = {"uid": os.getuid()}
def attempt(name, action):
    try:
        action()
        result[name] = "allowed"
    except PermissionError:
        result[name] = "denied"
    except Exception as e:
        result[name] = type(e).__name__ + ": " + str(e)
def ctl():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect("/dev/chaperone.sock")
    s.sendall(b'{"cmd":"stop","services":["web"]}\\n')
    s.recv(4096)
def fifo():
    fd = os.open("/dev/chaperone", os.O_WRONLY | os.O_NONBLOCK)
    os.write(fd, b"stop web\\n")
    os.close(fd)
def notify(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.sendto(b"READY=1", path)
attempt("ctl", ctl)
attempt("fifo", fifo)
attempt("ready_for_victim", lambda: notify(victim))
attempt("read_root_log", lambda: open(T + "/logs/secret.log").read())
attempt("ready_for_itself", lambda: notify(mine))
with open(T + "/spy.json.tmp", "w") as f:
    json.dump(result, f)
os.rename(T + "/spy.json.tmp", T + "/spy.json")
time.sleep(1000)
`;

const EVIL = "$(touch $T/pwned-env) `touch $T/pwned-env2`; touch $T/pwned-env3";

const CONFIG = `secret.logging: { selector: "*.*", file: "$(T)/logs/secret.log" }
web.service: { command: "sleep 1000" }
victim.service: {
  type: notify, process_timeout: 600,
  command: "bash -c 'echo $NOTIFY_SOCKET >$T/victim.path; exec sleep 1000'",
}
mine.service: {
  type: notify, uid: nobody, process_timeout: 600,
  command: "bash -c 'echo $NOTIFY_SOCKET >$T/mine.path; exec sleep 1000'",
}
spy.service: { uid: nobody, command: "python3 $(T)/spy.py" }
echo.service: {
  env_set: { COPY: "$(EVIL)" },
  command: "bash -c 'printf \\"%s|%s\\" \\"$COPY\\" \\"$EVIL\\" >$T/echo.out; exec sleep 1000'",
}
`;

interface Row {
  name: string;
  status: string;
  pid: number | null;
}

async function rows(p: Pid1): Promise<Map<string, Row>> {
  const r = await p.ctl("status", "--json");
  assert.equal(r.code, 0, r.stderr);
  return new Map((JSON.parse(r.stdout) as Row[]).map((row) => [row.name, row]));
}

Deno.test({
  name:
    "nobody cannot stop a service, send READY for root's service or read root's logs; nothing reaches a shell",
  ignore: !canRunAsPid1,
  fn: () =>
    withScenario(CONFIG, { files: { "spy.py": SPY }, env: { EVIL } }, async (s) => {
      const { run, dir, read, waitForFile } = s;
      const spy = JSON.parse(await waitForFile("spy.json", /\}/, 30_000)) as Record<
        string,
        unknown
      >;
      assert.deepEqual(spy, {
        uid: 65534,
        ctl: "denied",
        fifo: "denied",
        ready_for_victim: "denied",
        read_root_log: "denied",
        ready_for_itself: "allowed",
      });
      // The service's own READY got through; the root service is still waiting for its own.
      await waitFor(
        async () => (await rows(run)).get("mine.service")?.status === "running" || undefined,
        {
          what: "mine.service ready",
          detail: () => run.output,
        },
      );
      const r = await rows(run);
      assert.notEqual(r.get("victim.service")!.status, "running");
      await waitFor(
        async () => (await rows(run)).get("web.service")?.status === "running" || undefined,
        {
          what: "web.service running (not stopped by nobody)",
        },
      );

      const stat = await run.exec([
        "stat",
        "-c",
        "%n %a %U",
        "/dev/chaperone.sock",
        "/dev/chaperone",
        read("victim.path").trim(),
        read("mine.path").trim(),
        `${dir}/logs/secret.log`,
      ]);
      assert.equal(
        stat.stdout,
        [
          "/dev/chaperone.sock 600 root",
          "/dev/chaperone 600 root",
          `${read("victim.path").trim()} 600 root`,
          `${read("mine.path").trim()} 600 nobody`,
          `${dir}/logs/secret.log 600 root`,
          "",
        ].join("\n"),
      );
      assert.match(read("logs/secret.log"), /\S/);

      // Shell metacharacters from the environment, a datagram and a control request stay text.
      await waitForFile("echo.out", /\|/);
      assert.equal(read("echo.out"), `${EVIL}|${EVIL}`);
      const client = Deno.listenDatagram({ transport: "unixpacket", path: `${dir}/client.sock` });
      try {
        const payload = new TextEncoder().encode(
          `<13>Jul 16 02:53:54 host evil[1]: $(touch ${dir}/pwned-dgram) \`touch ${dir}/pwned-dgram2\``,
        );
        await client.send(payload, { transport: "unixpacket", path: await devPath(run, "log") });
        await client.send(
          new TextEncoder().encode(`STATUS=$(touch ${dir}/pwned-notify)\`touch ${dir}/pwned-n2\``),
          {
            transport: "unixpacket",
            path: `/proc/${await run.hostPid()}/root${read("victim.path").trim()}`,
          },
        );
      } finally {
        client.close();
      }
      const names = [
        `$(touch ${dir}/pwned-ctl)`,
        `\`touch ${dir}/pwned-ctl2\``,
        `web; touch ${dir}/pwned-ctl3`,
      ];
      for (const cmd of ["start", "stop", "restart", "reset", "enable", "disable"]) {
        const { reply } = await timedRequest(run, { cmd, services: names });
        assert.equal(reply.ok, false, JSON.stringify(reply));
      }
      const fifo = await run.exec([
        "sh",
        "-c",
        `echo 'start $(touch ${dir}/pwned-fifo)' >/dev/chaperone`,
      ]);
      assert.equal(fifo.code, 0, fifo.stderr);
      await waitFor(() => /evil\[1\]: \$\(touch/.test(read("logs/secret.log")) || undefined, {
        what: "the datagram in the log",
      });
      await waitFor(() => /pwned-fifo/.test(read("logs/secret.log")) || undefined, {
        what: "the refused FIFO command in the log",
      });
      const pwned = [...Deno.readDirSync(dir)].filter((e) => e.name.startsWith("pwned"));
      assert.deepEqual(pwned, []);
      figure(
        "security",
        `nobody: ctl, FIFO, READY for root's service, reading root's log all denied; own READY ` +
          `allowed; modes ${
            stat.stdout.trim().split("\n").map((l) => l.split(" ").slice(1).join(" ")).join(", ")
          }; ` +
          `0 of ${3 + 2 + names.length * 6 + 1} shell payloads executed`,
      );
      await run.kill("SIGTERM");
      assert.equal(await run.waitExit(), 0, run.output.slice(-3000));
    }),
});
