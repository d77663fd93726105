/**
 * The process checks of `chaperone selftest` (docs/docker.md, "selftest"): PID 1 or a child
 * subreaper, an orphan adopted and reaped, a process group signalled as a whole, SIGTERM
 * caught. Child processes are Chaperone itself in its helper mode (selftest_helper.ts), so the
 * checks need nothing else in the image; every one is started through the run's own Spawner
 * and reaped by the run's own reaper.
 */
import type { Reaper } from "../process/reaper.ts";
import { becomeSubreaper } from "../process/reaper.ts";
import { isGone, readProcess } from "../process/proc_table.ts";
import type { ChildHandle, Spawner } from "../process/spawn.ts";
import { type HelperMode, selftestHelperInvocation } from "./selftest_helper.ts";
import { until, within } from "./selftest_wait.ts";
import { fail, ok, type Verdict } from "./selftest_row.ts";
import { errorMessage } from "../text/error_message.ts";

/** What the process checks share: the Spawner and the reaper the selftest runs. */
export interface ProcessCheckContext {
  readonly spawner: Spawner;
  readonly reaper: Reaper;
  readonly pid1: boolean;
}

/** How long a child may take to start (a helper run from source compiles first). */
const START_MS = 20_000;
/** How long a signal, an exit or a reap may take. */
const SETTLE_MS = 5_000;

const ENTRYPOINT_ADVICE =
  'make chaperone the image\'s ENTRYPOINT in exec form (["/chaperone"]), not started by a shell';

/** The first line a child prints, or undefined when it prints none in time. */
async function firstLine(child: ChildHandle, ms: number): Promise<string | undefined> {
  const reader = child.stdout!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const read = (async () => {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    return text.split("\n")[0];
  })();
  const line = await within(read, ms);
  reader.cancel().catch(() => {});
  return line;
}

function startHelper(ctx: ProcessCheckContext, mode: HelperMode, arg?: string): ChildHandle {
  const how = selftestHelperInvocation(mode, arg);
  return ctx.spawner.spawn({
    argv: [how.program, ...how.args],
    env: { ...Deno.env.toObject(), ...how.env },
    detached: true,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  });
}

/** The grandchild pid a helper printed, or a failed verdict. */
async function helperPid(child: ChildHandle, what: string): Promise<number | Verdict> {
  const line = await firstLine(child, START_MS);
  const pid = Number(line);
  if (line === undefined || !Number.isInteger(pid) || pid <= 0) {
    child.kill(9, { group: true });
    return fail(
      `the ${what} helper printed no pid within ${START_MS / 1000} s`,
      "chaperone could not run itself: keep its executable readable and executable in the image",
    );
  }
  return pid;
}

/** PID 1, or else a child subreaper (as a `--force` run makes itself). */
export function checkInit(pid1: boolean): Verdict {
  if (pid1) return ok("PID 1 of the container: every orphan comes here");
  try {
    becomeSubreaper();
  } catch (err) {
    return fail(
      `pid ${Deno.pid}, not PID 1, and ${errorMessage(err)}`,
      ENTRYPOINT_ADVICE,
    );
  }
  return ok(
    `pid ${Deno.pid}, not PID 1: made itself a child subreaper (a run needs --force)`,
  );
}

/** SIGTERM sent to itself reaches its handler (`docker stop` sends SIGTERM to PID 1). */
export async function checkSignals(): Promise<Verdict> {
  let caught = false;
  const onTerm = () => caught = true;
  Deno.addSignalListener("SIGTERM", onTerm);
  try {
    Deno.kill(Deno.pid, "SIGTERM");
    if (await until(() => caught, SETTLE_MS)) return ok("SIGTERM sent to itself was caught");
  } catch (err) {
    return fail(`cannot send SIGTERM to itself: ${errorMessage(err)}`, ENTRYPOINT_ADVICE);
  } finally {
    Deno.removeSignalListener("SIGTERM", onTerm);
  }
  return fail(
    `SIGTERM sent to itself did not arrive within ${SETTLE_MS / 1000} s (blocked by its parent?)`,
    `${ENTRYPOINT_ADVICE}; docker stop would wait and then SIGKILL everything`,
  );
}

/** A child leaves a grandchild behind: it must be adopted here and reaped once it exits. */
export async function checkOrphan(ctx: ProcessCheckContext): Promise<Verdict> {
  const child = startHelper(ctx, "orphan", "1500");
  const pid = await helperPid(child, "orphan");
  if (typeof pid !== "number") return pid;
  let reaped = false;
  const unsubscribe = ctx.reaper.subscribe(pid, () => reaped = true);
  try {
    await within(child.status, SETTLE_MS);
    const info = readProcess(pid);
    if (info !== null && info.ppid !== Deno.pid && !reaped) {
      return fail(
        `orphan ${pid} was adopted by pid ${info.ppid}, not by chaperone`,
        ctx.pid1 ? ENTRYPOINT_ADVICE : "run chaperone as PID 1 or allow PR_SET_CHILD_SUBREAPER",
      );
    }
    // The orphan lingers 1.5 s, then exits: its zombie must not stay.
    if (await until(() => reaped, 1500 + SETTLE_MS)) {
      return ok(`orphan ${pid} was adopted and reaped when it exited`);
    }
    const after = readProcess(pid);
    return fail(
      after !== null && isGone(after.state)
        ? `orphan ${pid} is left a zombie`
        : `orphan ${pid} was not reaped within ${(1500 + SETTLE_MS) / 1000} s`,
      ENTRYPOINT_ADVICE,
    );
  } finally {
    unsubscribe();
  }
}

/** SIGTERM to a process group ends its leader and the leader's child alike. */
export async function checkGroup(ctx: ProcessCheckContext): Promise<Verdict> {
  const leader = startHelper(ctx, "group");
  const pid = await helperPid(leader, "group");
  if (typeof pid !== "number") return pid;
  const member = () => {
    const info = readProcess(pid);
    return info !== null && !isGone(info.state) && info.pgid === leader.pid;
  };
  if (!member()) {
    leader.kill(9, { group: true });
    return fail(
      `pid ${pid} did not start in group ${leader.pid}`,
      "process groups do not work as Linux defines them here",
    );
  }
  leader.kill(15, { group: true });
  const ended = await within(leader.status, SETTLE_MS);
  const memberGone = await until(() => !member(), SETTLE_MS);
  if (ended !== undefined && memberGone) {
    return ok(`SIGTERM to group ${leader.pid} ended its leader and its child ${pid}`);
  }
  leader.kill(9, { group: true });
  return fail(
    ended === undefined
      ? `group leader ${leader.pid} survived SIGTERM to its group`
      : `child ${pid} survived SIGTERM to its group ${leader.pid}`,
    "a seccomp profile or a security module refuses kill(-pgid): services could not be stopped",
  );
}
