/**
 * A service running as `nobody` attacks Chaperone (PID 1) through the log directory that
 * Chaperone created for it (`settings: { uid: nobody }` makes the directories and files
 * nobody's). In turn it sends a datagram with an embedded newline, swaps app.log for a
 * symlink to a root-owned file, for a hard link to it, for a FIFO (first with no reader, then
 * with one), each time giving the name back afterwards, and swaps a subdirectory for a symlink to a root-owned directory, sending
 * datagrams with forged lines all along. Root's file and directory stay untouched, PID 1
 * answers `ctl status` throughout, says once why each file is refused, recovers when the
 * service gives up, and stops on SIGTERM.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, waitFor } from "../_helpers/pid1.ts";
import { withScenario } from "../integration/_scenario.ts";
import { figure } from "./_fuzz.ts";

const ROOT_LINE = "root:x:0:0:root:/root:/bin/bash\n";

/** The attacker: one step per `go-<step>` file the test writes, a `done-<step>` JSON each. */
const EVIL = `import json, os, socket, time
T = os.environ["T"]
LOGS = T + "/logs/app"
LOG = LOGS + "/app.log"
def send(text):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        s.sendto(text.encode(), "/dev/log")
    finally:
        s.close()
def flood(tag, seconds=2.5):
    # Longer than two rotation checks, every datagram with a forged passwd line.
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        send("<14>evil: %s %d\\nowned%d::0:0:root:/root:/bin/bash" % (tag, i, i))
        i += 1
        time.sleep(0.05)
def remove(path):
    if os.path.lexists(path):
        os.remove(path)
def heal():
    # Gives the name back, so that the next attack is a new episode with its own warning.
    remove(LOG)
    flood("heal", 1.5)
def newline():
    send("<14>evil: x\\nowned::0:0:root:/root:/bin/bash")
def symlink():
    remove(LOG)
    os.symlink(T + "/target", LOG)
    flood("symlink")
    heal()
def hardlink():
    remove(LOG)
    try:
        os.link(T + "/target", LOG)
    except PermissionError:
        return {"linked": False}  # fs.protected_hardlinks refused it already
    flood("hardlink")
    heal()
    return {"linked": True}
def fifo():
    remove(LOG)
    os.mkfifo(LOG)
    flood("fifo-alone")
    fd = os.open(LOG, os.O_RDWR | os.O_NONBLOCK)  # a reader holding it open
    flood("fifo-read")
    try:
        got = os.read(fd, 65536)
    except BlockingIOError:
        got = b""
    os.close(fd)
    heal()
    return {"read": got.decode(errors="replace")}
def parent():
    sub = LOGS + "/sub"
    for name in os.listdir(sub):
        os.remove(sub + "/" + name)
    os.rmdir(sub)
    os.symlink(T + "/rootdir", sub)
    flood("parent")
def restore():
    remove(LOG)
    remove(LOGS + "/sub")
    flood("back")
for step in (newline, symlink, hardlink, fifo, parent, restore):
    name = step.__name__
    while not os.path.exists(T + "/go-" + name):
        time.sleep(0.02)
    try:
        result = {"ok": True, **(step() or {})}
    except Exception as e:
        result = {"ok": False, "error": repr(e)}
    with open(T + "/done-" + name + ".tmp", "w") as f:
        json.dump(result, f)
    os.rename(T + "/done-" + name + ".tmp", T + "/done-" + name)
time.sleep(1000)
`;

const CONFIG = `settings: { uid: nobody }
app.logging: { selector: "user.*", file: "$(T)/logs/app/app.log" }
sub.logging: { selector: "user.*", file: "$(T)/logs/app/sub/app.log" }
chaperone.logging: { selector: "*.info;!user.*", stdout: true }
evil.service: { command: "python3 $(T)/evil.py" }
`;

Deno.test({
  name:
    "a nobody service swapping its log file for a symlink, hard link or FIFO, or its directory for a symlink, cannot make root write there, block PID 1 or forge a line",
  ignore: !canRunAsPid1,
  fn: () =>
    withScenario(
      CONFIG,
      { files: { "evil.py": EVIL, "target": ROOT_LINE, "rootdir/keep": "" } },
      async ({ run, dir, read, waitForFile }) => {
        const step = async (name: string) => {
          await Deno.writeTextFile(`${dir}/go-${name}`, "");
          const done = JSON.parse(await waitForFile(`done-${name}`, /\}/, 30_000));
          assert.equal(done.ok, true, `${name}: ${JSON.stringify(done)}\n${run.output}`);
          return done as Record<string, unknown>;
        };
        const warned = (re: RegExp) => run.stdout.split("\n").filter((l) => re.test(l)).length;
        const untouched = async () => {
          assert.equal(await Deno.readTextFile(`${dir}/target`), ROOT_LINE);
          assert.deepEqual([...Deno.readDirSync(`${dir}/rootdir`)].map((e) => e.name), ["keep"]);
        };
        const log = "logs/app/app.log";
        await waitFor(() => {
          try {
            return Deno.statSync(`${dir}/${log}`).uid === 65534 || undefined;
          } catch {
            return undefined;
          }
        }, { what: "app.log owned by nobody", detail: () => run.output });
        const found: string[] = [];
        // After each attack the service gives the name back: the next write recovers.
        let episodes = 0;
        const recovered = () => {
          episodes++;
          return waitFor(
            () =>
              warned(/log file \S+\/logs\/app\/app\.log is writable again/) >= episodes ||
              undefined,
            { what: `app.log recovery ${episodes}`, detail: () => run.output },
          );
        };

        // One datagram, one line: the newline is written as #012.
        await step("newline");
        const text = await waitForFile(log, /evil: x#012owned::0:0:root:\/root:\/bin\/bash\n/);
        assert.doesNotMatch(text, /^owned/m);
        found.push("newline escaped");

        await step("symlink");
        await run.waitForOutput(
          /cannot open log file \S+\/logs\/app\/app\.log: a symbolic link in a directory owned by uid 65534: not followed/,
        );
        await untouched();
        await recovered();
        found.push("symlink refused");

        const hard = await step("hardlink");
        if (hard.linked) {
          await run.waitForOutput(/a hard link \(2 names\) to a file of uid 0 in a directory/);
          await recovered();
          found.push("hard link refused");
        } else {
          found.push("hard link refused by the kernel (protected_hardlinks)");
        }
        await untouched();

        // A blocking open() of the FIFO would freeze PID 1: it must answer all along.
        await Deno.writeTextFile(`${dir}/go-fifo`, "");
        let probes = 0;
        let slowest = 0;
        while (!read("done-fifo").includes("}")) {
          const began = performance.now();
          const status = await run.ctl("status");
          slowest = Math.max(slowest, performance.now() - began);
          assert.equal(status.code, 0, `${status.stderr}\n${run.output}`);
          assert.match(status.stdout, /evil\.service\s+true\s+running/);
          probes++;
        }
        const fifo = await step("fifo");
        assert.equal(fifo.read, "", "nothing was written into the FIFO");
        assert.ok(probes >= 2, `${probes} status probes during the FIFO step`);
        await run.waitForOutput(
          /cannot open log file \S+\/logs\/app\/app\.log: a FIFO or socket that no one is reading/,
        );
        await recovered();
        found.push(
          `FIFO refused (${probes} ctl status during it, slowest ${slowest.toFixed(0)} ms)`,
        );

        await step("parent");
        await run.waitForOutput(
          /cannot open log file \S+\/logs\/app\/sub\/app\.log: \S+\/logs\/app\/sub is a symbolic link in a directory owned by uid 65534: not followed/,
        );
        await untouched();
        found.push("symlinked directory refused");

        // The service gives up: both files come back, nobody's, regular.
        await step("restore");
        await run.waitForOutput(/log file \S+\/logs\/app\/sub\/app\.log is writable again/);
        for (const name of [log, "logs/app/sub/app.log"]) {
          await waitForFile(name, /evil: back \d+#012owned\d+::0:0/);
          const st = Deno.lstatSync(`${dir}/${name}`);
          assert.ok(st.isFile, name);
          assert.equal(st.uid, 65534, name);
          assert.doesNotMatch(read(name), /^owned/m);
        }
        await untouched();
        // One warning per refusal episode, not one per datagram.
        assert.equal(warned(/cannot open log file \S+\/logs\/app\/sub\/app\.log/), 1, run.stdout);
        assert.equal(warned(/cannot open log file \S+\/logs\/app\/app\.log/), episodes, run.stdout);
        figure("hostile log directory", found.join("; "));

        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(15_000), 0, run.output.slice(-3000));
      },
    ),
});
