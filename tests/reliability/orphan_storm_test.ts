/**
 * Reliability: an orphan storm. A oneshot forks 10,000 short-lived processes through batch
 * leaders that exit at once, so every one of them ends as an orphan of PID 1. All are reaped
 * (each with its own exit status), none is left as a zombie, and the services' own exit
 * statuses, collected in the middle of the storm, are still right.
 */
import assert from "node:assert/strict";
import { canRunAsPid1, waitFor } from "../_helpers/pid1.ts";
import { DEBUG_LOG, withScenario } from "../integration/_scenario.ts";
import { figure, processes } from "./_fuzz.ts";

const BATCHES = 20;
const PER_BATCH = 500;
const ORPHANS = BATCHES * PER_BATCH;

// Each batch leader forks PER_BATCH children and exits; the children live 0.2 s as orphans of
// PID 1 and exit with i % 7. The storm service itself waits for its leaders, so only the
// grandchildren are orphans.
const STORM = `perl -e '
for my $b (1..${BATCHES}) {
  my $l = fork; die "fork: $!" unless defined $l;
  if (!$l) {
    for my $i (1..${PER_BATCH}) {
      my $c = fork; die "fork: $!" unless defined $c;
      if (!$c) { select(undef, undef, undef, 0.2); exit($i % 7) }
    }
    exit 0;
  }
  waitpid($l, 0);
  select(undef, undef, undef, 0.05);
}'`;

Deno.test({
  name:
    "an orphan storm of 10,000 is reaped with its statuses, no zombie left, services' statuses right",
  ignore: !canRunAsPid1,
  fn: () =>
    withScenario(
      `storm.service: { type: oneshot, process_timeout: 120, command: "$(T)/storm.sh" }
six.service: { startup_pause: 0.1, command: "bash -c 'sleep 1.5; exit 6'" }
zero.service: { type: oneshot, after: storm.service, command: "bash -c 'exit 0'" }
keeper.service: { command: "sleep 1000" }
${DEBUG_LOG}`,
      { files: { "storm.sh": `#!/bin/bash\n${STORM}\necho done >"$T/storm"\n` } },
      async ({ run, read }) => {
        const began = Date.now();
        // Sample the zombies while the storm goes on: the reaping keeps up when they stay few.
        let maxZombies = 0;
        let samples = 0;
        await waitFor(async () => {
          const ps = await run.exec(["ps", "-eo", "stat="]);
          maxZombies = Math.max(
            maxZombies,
            ps.stdout.split("\n").filter((l) => l.startsWith("Z")).length,
          );
          samples++;
          return /done/.test(read("storm")) ? true : undefined;
        }, { timeoutMs: 90_000, what: "the storm to end", detail: () => run.output.slice(-3000) });
        const forked = (Date.now() - began) / 1000;
        const caught = () => run.stdout.match(/Caught subprocess termination from unknown pid/g);
        await waitFor(() => (caught()?.length ?? 0) >= ORPHANS ? true : undefined, {
          timeoutMs: 30_000,
          what: `${ORPHANS} orphans reaped`,
          detail: () => `${caught()?.length} reaped\n${run.output.slice(-3000)}`,
        });
        const reapedAll = (Date.now() - began) / 1000;
        assert.ok(maxZombies < ORPHANS / 4, `${maxZombies} zombies at once`);
        const left = (await processes(run)).filter((p) => p.pid !== 1 && !/^ps /.test(p.args));
        assert.deepEqual(left.filter((p) => p.stat.startsWith("Z")), []);
        assert.deepEqual(left.map((p) => p.args), ["/usr/bin/sleep 1000"]);
        const statuses = [
          ...run.stdout.matchAll(
            /Caught subprocess termination from unknown pid: \d+ -> <ProcStatus exit_status=(\d+)>/g,
          ),
        ].map((m) => Number(m[1]));
        assert.equal(statuses.length, ORPHANS);
        const byStatus = new Map<number, number>();
        for (const s of statuses) byStatus.set(s, (byStatus.get(s) ?? 0) + 1);
        // i % 7 over 1..500 per batch: status 0 appears 71 times, 1 to 3 72 times, 4 to 6 71.
        for (let s = 0; s < 7; s++) {
          const per = Array.from({ length: PER_BATCH }, (_, i) =>
            (i + 1) % 7).filter((x) => x === s).length;
          assert.equal(byStatus.get(s), per * BATCHES, `status ${s}`);
        }
        const rows = JSON.parse((await run.ctl("status", "--json")).stdout) as {
          name: string;
          status: string;
          lastExit: string | null;
        }[];
        const row = (n: string) => rows.find((r) => r.name === n)!;
        assert.match(row("six.service").status, /exit\(6\)/);
        assert.equal(row("storm.service").status, "started");
        assert.equal(row("zero.service").status, "started");
        assert.equal(row("keeper.service").status, "running");
        figure(
          "orphan storm",
          `${ORPHANS} orphans forked in ${forked.toFixed(1)} s, all reaped ${
            reapedAll.toFixed(1)
          } s after the start, at most ${maxZombies} zombies in ${samples} samples during the storm, 0 after, ${byStatus.size} distinct exit statuses all counted`,
        );
        await run.kill("SIGTERM");
        assert.equal(await run.waitExit(), 0, run.output.slice(-3000));
      },
    ),
});
