/**
 * Hostile input: 10,000 random and mutated datagrams to /dev/log and 10,000 to a notify
 * service's socket of a live PID 1 run. Neither listener dies: afterwards a well-formed
 * message still gets through, and the supervisor answers `ctl status`. Seeds are printed;
 * CHAPERONE_FUZZ_SEED=<n> replays a round.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, type Pid1, waitFor } from "../_helpers/pid1.ts";
import { withScenario } from "../integration/_scenario.ts";
import { assertServing, devPath, figure, fuzzSeed, mutateBytes, Rng } from "./_fuzz.ts";

const COUNT = 10_000;
const encoder = new TextEncoder();

const SYSLOG_CORPUS = [
  "<13>Jul 16 02:53:54 host tag[12]: text",
  "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
  "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 " +
  '[exampleSDID@32473 iut="3" eventSource="Application"] An application event log entry',
  "<165>1 - - - - - -",
  "<0>tag: emergency",
  "<191>x",
  "plain text without a header",
  "<14>Jul  6 02:53:54 tag[abc]: bad pid",
  "<13>Feb 30 25:61:61 host tag: impossible date",
  "",
];

const NOTIFY_CORPUS = [
  "READY=1",
  "STATUS=serving",
  "READY=1\nSTATUS=ok\n",
  "MAINPID=99999",
  "WATCHDOG=1",
  "WATCHDOG_USEC=1000000",
  "EXTEND_TIMEOUT_USEC=1000000",
  "BARRIER=1",
  "FDSTORE=1",
  "X_UNKNOWN=1",
  "STATUS=\u{1F600} multi\nbyte",
  "=",
  "",
];

/** One hostile datagram: random bytes, a mutated corpus message, or an oversized one. */
function datagram(rng: Rng, corpus: readonly string[]): Uint8Array {
  const roll = rng.int(100);
  if (roll < 25) return rng.bytes(rng.int(512));
  if (roll < 27) return rng.bytes(8192 + rng.int(56_000));
  if (roll < 29) return encoder.encode(rng.pick(corpus) + "A".repeat(8192 + rng.int(60_000)));
  return mutateBytes(rng, encoder.encode(rng.pick(corpus)));
}

/** Sends `COUNT` datagrams from a bound client; returns how many the kernel refused. */
async function barrage(
  client: Deno.DatagramConn,
  target: string,
  rng: Rng,
  corpus: readonly string[],
): Promise<{ sent: number; refused: number; bytes: number }> {
  let refused = 0;
  let bytes = 0;
  for (let i = 0; i < COUNT; i++) {
    const d = datagram(rng, corpus);
    try {
      await client.send(d, { transport: "unixpacket", path: target });
      bytes += d.length;
    } catch (e) {
      // Only a datagram too large for the socket may be refused; anything else is a failure
      // (the listener went away).
      if (!(e instanceof Error && /too long|EMSGSIZE|os error 90/i.test(e.message))) throw e;
      refused++;
    }
  }
  return { sent: COUNT - refused, refused, bytes };
}

async function socketReady(path: string): Promise<void> {
  await waitFor(() => {
    try {
      return Deno.statSync(path).isSocket ? true : undefined;
    } catch {
      return undefined;
    }
  }, { what: path });
}

async function notifyStatus(p: Pid1): Promise<string | null> {
  const rows = JSON.parse((await p.ctl("status", "--json")).stdout) as {
    name: string;
    note: string | null;
    status: string;
  }[];
  const row = rows.find((r) => r.name === "n.service");
  return row ? `${row.status} ${row.note}` : null;
}

Deno.test({
  name: "10,000 hostile datagrams to /dev/log and 10,000 to a notify socket leave both listening",
  ignore: !canRunAsPid1,
  fn: () =>
    withScenario(
      `all.logging: { selector: "*.*", file: "$(T)/all.log" }
n.service: {
  type: notify, process_timeout: 600,
  command: "bash -c 'echo $NOTIFY_SOCKET >$T/notify; systemd-notify --ready; exec sleep 1000'",
}
`,
      {},
      async ({ run, dir, read, waitForFile }) => {
        await assertServing(run, 1);
        const client = Deno.listenDatagram({ transport: "unixpacket", path: `${dir}/client.sock` });
        try {
          const log = await devPath(run, "log");
          await socketReady(log);
          const seed = fuzzSeed("datagrams to /dev/log");
          const began = performance.now();
          const s = await barrage(client, log, new Rng(seed), SYSLOG_CORPUS);
          const took = (performance.now() - began) / 1000;
          await assertServing(run, 1);
          // The listener still parses and routes a well-formed message.
          await client.send(encoder.encode("<13>Jul 16 02:53:54 host canary[1]: still here"), {
            transport: "unixpacket",
            path: log,
          });
          await waitFor(() => /canary\[1\]: still here/.test(read("all.log")) || undefined, {
            what: "the canary in all.log",
            detail: () => run.output,
          });
          figure(
            "datagrams to /dev/log",
            `${s.sent} delivered (${(s.bytes / 1e6).toFixed(1)} MB), ${s.refused} refused by ` +
              `the kernel as too large, in ${took.toFixed(1)} s; canary routed; ctl status ok`,
          );

          const inside = (await waitForFile("notify", /\S/)).trim();
          const notify = `/proc/${await run.hostPid()}/root${inside}`;
          await socketReady(notify);
          await waitFor(async () => /running/.test(await notifyStatus(run) ?? "") || undefined, {
            what: "n.service running",
          });
          const seed2 = fuzzSeed("datagrams to a notify socket");
          const began2 = performance.now();
          const n = await barrage(client, notify, new Rng(seed2), NOTIFY_CORPUS);
          const took2 = (performance.now() - began2) / 1000;
          await assertServing(run, 1);
          // Unless the fuzz sent a legitimate ERRNO=/STOPPING= that ended it, the service is
          // still followed and a well-formed STATUS= is still read.
          const state = await notifyStatus(run);
          if (/running/.test(state ?? "")) {
            await client.send(encoder.encode("STATUS=canary"), {
              transport: "unixpacket",
              path: notify,
            });
            await waitFor(async () => / canary$/.test(await notifyStatus(run) ?? "") || undefined, {
              what: "STATUS=canary in n.service's note",
            });
          }
          figure(
            "datagrams to a notify socket",
            `${n.sent} delivered, ${n.refused} refused as too large, in ${took2.toFixed(1)} s; ` +
              `service afterwards: ${state}; ctl status ok`,
          );
        } finally {
          client.close();
        }
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(), 0, run.output.slice(-3000));
      },
    ),
});
