/**
 * Chaperone's syslog pipeline on its own, for scripts/bench/syslog.ts: the /dev/log listener
 * (at a private path) feeding a LogRouter with one `*.*` file section, five sections with
 * mixed selectors, or one `*.*` section with `format: json` whose `service` key is looked up
 * as a run does (src/cli/record_service.ts: /proc/<pid>/stat of the sender, matched against a
 * "service" leading the sender's process group). Runs until SIGTERM, then flushes and exits.
 *
 * usage: deno run -A --unstable-net syslog_receiver.ts <socket path> <output dir> one|five|json
 */
import type { LogFormat, LoggingSpec } from "../../src/config/schema.ts";
import { serviceOfPid } from "../../src/cli/record_service.ts";
import { readProcess } from "../../src/process/proc_table.ts";
import { parseSelector } from "../../src/log/selector.ts";
import { listenSyslog } from "../../src/syslog/listener.ts";
import { LogRouter } from "../../src/syslog/router.ts";

/** The benchmark's cases. */
export type BenchMode = "one" | "five" | "json";

function section(
  name: string,
  selector: string,
  file: string,
  extended = false,
  format: LogFormat = "text",
): LoggingSpec {
  return {
    name,
    selector: parseSelector(selector),
    file,
    stdout: false,
    stderr: false,
    enabled: true,
    overwrite: false,
    extended,
    format,
    pos: { file: "bench", line: 1 },
  };
}

/** The sections of each benchmark case; the first one's file receives every message. */
export function benchSections(dir: string, mode: BenchMode): LoggingSpec[] {
  if (mode === "json") return [section("all.logging", "*.*", `${dir}/all.log`, false, "json")];
  const all = section("all.logging", "*.*", `${dir}/all.log`);
  if (mode === "one") return [all];
  return [
    all,
    section("errors.logging", "*.err", `${dir}/errors.log`),
    section("bench.logging", "[bench].info;!local3.*", `${dir}/bench.log`),
    section("regex.logging", "/message 0000[0-4]/.*;*.!=debug", `${dir}/regex.log`),
    section("local.logging", "local0,local1.*;![cron].!warn", `${dir}/local-%Y%m%d.log`, true),
  ];
}

if (import.meta.main) {
  const [socket, dir, mode] = Deno.args;
  if (!socket || !dir || (mode !== "one" && mode !== "five" && mode !== "json")) {
    throw new TypeError("usage: syslog_receiver.ts <socket path> <output dir> one|five|json");
  }
  // The sender is started by the benchmark like this receiver, so it shares our process group.
  const group = readProcess(Deno.pid)?.pgid ?? -1;
  const router = new LogRouter(benchSections(dir, mode), {
    serviceOfPid: serviceOfPid({ services: () => [{ name: "bench.service", pids: [group] }] }),
  });
  const listener = listenSyslog(socket, router);
  const stop = new Promise<void>((resolve) => Deno.addSignalListener("SIGTERM", () => resolve()));
  await stop;
  await listener.close();
  await router.close();
  Deno.exit(0);
}
