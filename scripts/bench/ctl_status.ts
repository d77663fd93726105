/**
 * Issue 8's control benchmark: `chaperone ctl status` against Chaperone running N services,
 * side by side with `supervisorctl status` against supervisord running the same N programs, in
 * one run; then `ctl status` while /dev/log is being flooded.
 *
 * Each supervisor is PID 1 of its own PID + mount namespace with a private /dev
 * (tests/_helpers/pid1.ts). supervisord runs in the foreground with its own config in a temp
 * dir and its unix_http_server on a private socket there, so the machine's own supervisor (if
 * any) is never touched. Both clients are run inside their namespace through nsenter, so
 * both pay the same launch overhead. Measured per round: wall time of the whole client command
 * (process start, connect, request, reply, print, exit), and the protocol round trip alone (the
 * bench itself connects and asks: a JSON line for Chaperone, XML-RPC `getAllProcessInfo` over
 * HTTP for supervisord). Reported: median and best of --rounds, and the ratios.
 *
 * The flood: scripts/bench/syslog_sender.c (compiled here with gcc) sends messages to the
 * namespace's /dev/log in a loop while `ctl status` is timed again.
 *
 * Everything is bounded: every wait has a deadline, --max-seconds bounds the whole bench, and
 * each namespace is killed when its part ends. Needs root, unshare, gcc and supervisor
 * (Debian packages util-linux, gcc, supervisor).
 *
 * usage: scripts/deno run -A --unstable-net scripts/bench/ctl_status.ts [--services 100]
 *        [--rounds 30] [--ctl PATH (default: scripts/chaperone)] [--max-seconds 300]
 */
import { parseArgs } from "node:util";
import { CHAPERONE, nsPath, type Pid1, startPid1 } from "../../tests/_helpers/pid1.ts";

const here = new URL(".", import.meta.url).pathname;
const enc = new TextEncoder();
const dec = new TextDecoder();
const say = (text: string) => Deno.stdout.writeSync(enc.encode(text + "\n"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { values } = parseArgs({
  options: {
    services: { type: "string", default: "100" },
    rounds: { type: "string", default: "30" },
    ctl: { type: "string", default: CHAPERONE },
    "max-seconds": { type: "string", default: "300" },
  },
});
const N = Number(values.services);
const ROUNDS = Number(values.rounds);
const CTL = values.ctl;

/** The namespaces running now, so that a timeout can take them down. */
const running = new Set<Pid1>();
const watchdog = setTimeout(() => {
  say(`bench: --max-seconds ${values["max-seconds"]} exceeded, stopping`);
  for (const p of running) p.forceKill();
  Deno.exit(1);
}, Number(values["max-seconds"]) * 1000);

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

interface Stats {
  median: number;
  best: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, best: sorted[0]! };
}

/** Times `run` ROUNDS times (after one warm-up); every run must succeed. */
async function time(run: () => Promise<void>): Promise<Stats> {
  await run();
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await run();
    samples.push(performance.now() - t0);
  }
  return stats(samples);
}

async function exec(p: Pid1, argv: string[], expect: RegExp): Promise<void> {
  const r = await p.exec(argv);
  if (!expect.test(r.stdout)) {
    throw new Error(`${argv.join(" ")} exited ${r.code}:\n${r.stdout}${r.stderr}`);
  }
}

/** One request line and one reply line over a Unix socket. */
async function roundTrip(path: string, request: string, done: (text: string) => boolean) {
  const conn = await Deno.connect({ transport: "unix", path });
  try {
    const bytes = enc.encode(request);
    for (let off = 0; off < bytes.length;) off += await conn.write(bytes.subarray(off));
    const buf = new Uint8Array(256 * 1024);
    let text = "";
    while (!done(text)) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += dec.decode(buf.subarray(0, n), { stream: true });
    }
    if (!done(text)) throw new Error(`short reply from ${path}`);
  } finally {
    conn.close();
  }
}

async function chaperonePart(root: string) {
  const dir = `${root}/chaperone`;
  await Deno.mkdir(`${dir}/chaperone.d`, { recursive: true });
  const services = Array.from(
    { length: N },
    (_, i) => `s${i}.service: { command: "sleep 100000" }`,
  );
  await Deno.writeTextFile(
    `${dir}/chaperone.d/10-bench.conf`,
    `${services.join("\n")}\nfile.logging: { selector: "*.info", file: "${dir}/all.log" }\n`,
  );
  const p = startPid1(["--config", `${dir}/chaperone.d`], { cwd: dir });
  running.add(p);
  try {
    const hostPid = await p.hostPid();
    const json = `{"cmd":"status"}\n`;
    const sock = nsPath(hostPid, `/dev/chaperone.sock`);
    await until(`${N} Chaperone services running`, async () => {
      const r = await p.exec([CTL, "ctl", "status", "--json"]);
      if (r.code !== 0) return undefined;
      const rows = JSON.parse(r.stdout) as { status: string }[];
      return rows.filter((s) => s.status === "running").length === N ? true : undefined;
    });
    const table = new RegExp(`Managed processes: ${N} \\(${N} enabled\\)`);
    const command = await time(() => exec(p, [CTL, "ctl", "status"], table));
    const protocol = await time(() => roundTrip(sock, json, (t) => t.endsWith("\n")));

    // Flood /dev/log from the host through the namespace's root while timing again.
    const sender = `${root}/syslog_sender`;
    let flooding = true;
    let sent = 0;
    const flood = (async () => {
      while (flooding) {
        const out = await new Deno.Command(sender, {
          args: [nsPath(hostPid, `/dev/log`), "20000"],
          stdout: "null",
          stderr: "piped",
        }).output();
        if (!out.success) throw new Error(`sender failed: ${dec.decode(out.stderr)}`);
        sent += 20000;
      }
    })();
    await sleep(300);
    let flooded: Stats;
    let floodedProtocol: Stats;
    try {
      flooded = await time(() => exec(p, [CTL, "ctl", "status"], table));
      floodedProtocol = await time(() => roundTrip(sock, json, (t) => t.endsWith("\n")));
    } finally {
      flooding = false;
      await flood;
    }
    return { command, protocol, flooded, floodedProtocol, sent };
  } finally {
    await p.dispose();
    running.delete(p);
  }
}

async function supervisordPart(root: string) {
  const dir = `${root}/supervisord`;
  await Deno.mkdir(dir, { recursive: true });
  const sock = `${dir}/supervisor.sock`;
  const conf = [
    "[unix_http_server]",
    `file=${sock}`,
    "chmod=0700",
    "",
    "[supervisord]",
    "nodaemon=true",
    "user=root",
    `logfile=${dir}/supervisord.log`,
    `pidfile=${dir}/supervisord.pid`,
    `childlogdir=${dir}`,
    "",
    "[rpcinterface:supervisor]",
    "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
    "",
    "[supervisorctl]",
    `serverurl=unix://${sock}`,
    "",
  ];
  for (let i = 0; i < N; i++) {
    conf.push(`[program:s${i}]`, "command=sleep 100000", "startsecs=0");
    conf.push("stdout_logfile=NONE", "stderr_logfile=NONE", "");
  }
  const confPath = `${dir}/supervisord.conf`;
  await Deno.writeTextFile(confPath, conf.join("\n"));
  const p = startPid1(["-c", confPath], { program: "/usr/bin/supervisord", cwd: dir });
  running.add(p);
  try {
    const ctl = ["supervisorctl", "-c", confPath, "status"];
    await until(`${N} supervisord programs running`, async () => {
      const r = await p.exec(ctl);
      const up = r.stdout.split("\n").filter((l) => /\bRUNNING\b/.test(l)).length;
      return up === N ? true : undefined;
    });
    const command = await time(() => exec(p, ctl, /s99?\s+RUNNING/));
    const body = `<?xml version="1.0"?><methodCall><methodName>supervisor.getAllProcessInfo` +
      `</methodName><params></params></methodCall>`;
    const request = `POST /RPC2 HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\n` +
      `Content-Length: ${enc.encode(body).length}\r\nConnection: close\r\n\r\n${body}`;
    const protocol = await time(() =>
      roundTrip(sock, request, (t) => t.includes("</methodResponse>"))
    );
    return { command, protocol };
  } finally {
    await p.dispose();
    running.delete(p);
  }
}

const ms = (x: number) => `${x.toFixed(1)} ms`;

async function main() {
  if (Deno.uid() !== 0) throw new Error("needs root (PID namespaces)");
  const root = await Deno.makeTempDir({ prefix: "ctl-bench-" });
  try {
    const cc = await new Deno.Command("gcc", {
      args: ["-O2", "-o", `${root}/syslog_sender`, `${here}syslog_sender.c`],
    }).output();
    if (!cc.success) throw new Error(`gcc failed: ${dec.decode(cc.stderr)}`);
    say(`ctl status benchmark: ${N} services, ${ROUNDS} rounds (after one warm-up); ctl = ${CTL}`);
    const sup = await supervisordPart(root);
    const chap = await chaperonePart(root);
    say("");
    say("| client                                  | median    | best      | vs supervisorctl |");
    say("| --------------------------------------- | --------: | --------: | ---------------: |");
    const row = (name: string, s: Stats, base: Stats) =>
      say(
        `| ${name.padEnd(39)} | ${ms(s.median).padStart(9)} | ${ms(s.best).padStart(9)} | ${
          (s.median / base.median).toFixed(2).padStart(16)
        } |`,
      );
    row("supervisorctl status", sup.command, sup.command);
    row("chaperone ctl status", chap.command, sup.command);
    row("chaperone ctl status, /dev/log flooded", chap.flooded, sup.command);
    row("supervisord XML-RPC getAllProcessInfo", sup.protocol, sup.protocol);
    row('chaperone socket {"cmd":"status"}', chap.protocol, sup.protocol);
    row("chaperone socket, /dev/log flooded", chap.floodedProtocol, sup.protocol);
    say("");
    say(
      `ratio ctl/supervisorctl (median command round trip): ${
        (chap.command.median / sup.command.median).toFixed(2)
      }`,
    );
    say(`ratio protocol round trip: ${(chap.protocol.median / sup.protocol.median).toFixed(2)}`);
    say(
      `flood: ${chap.sent} messages sent to /dev/log while timing; ctl status under flood ${
        (chap.flooded.median / chap.command.median).toFixed(2)
      }x its quiet median`,
    );
  } finally {
    clearTimeout(watchdog);
    await Deno.remove(root, { recursive: true });
  }
}

await main();
