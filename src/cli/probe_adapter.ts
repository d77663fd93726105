/**
 * ProbePort over src/probe/: one attempt of a ready or health probe, its timeout on the Clock.
 * An exec probe's command is started by the services' own Spawner (in a process group of its
 * own), so the reaper, which skips the pids that Spawner owns, never collects its exit status.
 */
import { attemptProbe } from "../probe/attempt_probe.ts";
import type { ProbeSpawner } from "../probe/probe_spawner.ts";
import { resolveExecutable, type Spawner } from "../process/spawn.ts";
import type { ProbePort } from "../supervisor/ports.ts";
import type { Clock } from "../sys/clock.ts";
import { SIGNO } from "../process/signals.ts";

/** The probe port of a run. */
export function realProbes(spawner: Spawner, clock: Clock): ProbePort {
  const probeSpawner = probeSpawnerOf(spawner);
  return {
    attempt: (source, timeoutMs, ctx) =>
      attemptProbe(source, {
        clock,
        timeoutMs,
        exec: {
          spawner: probeSpawner,
          env: ctx.env,
          ...(ctx.cwd !== undefined ? { cwd: ctx.cwd } : {}),
          ...(ctx.uid !== undefined ? { uid: ctx.uid } : {}),
          ...(ctx.gid !== undefined ? { gid: ctx.gid } : {}),
        },
      }),
  };
}

/** An exec probe's command, started by `spawner` in a process group of its own. */
export function probeSpawnerOf(spawner: Spawner): ProbeSpawner {
  return {
    spawn(request) {
      const [argv0, ...args] = request.argv;
      if (argv0 === undefined) throw new TypeError("Cannot spawn: argv is empty");
      const program = resolveExecutable(argv0, request.env.PATH, {
        ...(request.cwd !== undefined ? { cwd: request.cwd } : {}),
      });
      const child = spawner.spawn({
        argv: [program, ...args],
        env: request.env,
        ...(request.cwd !== undefined ? { cwd: request.cwd } : {}),
        ...(request.uid !== undefined ? { uid: request.uid } : {}),
        ...(request.gid !== undefined ? { gid: request.gid } : {}),
        detached: true,
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      });
      return {
        pid: child.pid,
        status: child.status,
        stderr: child.stderr,
        killGroup: () => void child.kill(SIGNO.SIGKILL, { group: true }),
      };
    },
  };
}
