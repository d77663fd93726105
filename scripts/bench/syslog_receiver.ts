/**
 * Chaperone's syslog pipeline on its own, for scripts/bench/syslog.ts: the /dev/log listener
 * (at a private path) feeding a LogRouter with either one `*.*` file section or five sections
 * with mixed selectors. Runs until SIGTERM, then flushes and exits.
 *
 * usage: deno run -A --unstable-net syslog_receiver.ts <socket path> <output dir> one|five
 */
import type { LoggingSpec } from "../../src/config/schema.ts";
import { parseSelector } from "../../src/log/selector.ts";
import { listenSyslog } from "../../src/syslog/listener.ts";
import { LogRouter } from "../../src/syslog/router.ts";

function section(name: string, selector: string, file: string, extended = false): LoggingSpec {
  return {
    name,
    selector: parseSelector(selector),
    file,
    stdout: false,
    stderr: false,
    enabled: true,
    overwrite: false,
    extended,
    format: "text",
    pos: { file: "bench", line: 1 },
  };
}

/** The sections of each benchmark case; the first one's file receives every message. */
export function benchSections(dir: string, mode: "one" | "five"): LoggingSpec[] {
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
  if (!socket || !dir || (mode !== "one" && mode !== "five")) {
    throw new TypeError("usage: syslog_receiver.ts <socket path> <output dir> one|five");
  }
  const router = new LogRouter(benchSections(dir, mode), {});
  const listener = listenSyslog(socket, router);
  const stop = new Promise<void>((resolve) => Deno.addSignalListener("SIGTERM", () => resolve()));
  await stop;
  await listener.close();
  await router.close();
  Deno.exit(0);
}
