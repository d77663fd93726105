/** `chaperone ctl logs` against a fake server: the printed lines, the timeout, a closed stdout. */
import assert from "node:assert/strict";
import { ctlCommand } from "../../src/cli/ctl.ts";
import { LogsPrinter } from "../../src/cli/logs_output.ts";
import type { ControlHandler, ControlReply, ControlRequest } from "../../src/control/protocol.ts";
import type { StreamFrame } from "../../src/control/stream.ts";
import { serveControl } from "../../src/control/server.ts";
import { CaptureOutput } from "../_helpers/capture_output.ts";
import { withTempDir } from "../_helpers/with_temp_dir.ts";

const at = Date.UTC(2025, 0, 2);
const line = (service: string, text: string): StreamFrame => ({
  kind: "line",
  service,
  time: at,
  text,
});

/** Answers `logs` with `frames` and ends, recording the request. */
function handler(frames: StreamFrame[], requests: ControlRequest[]): ControlHandler {
  return {
    handle(request): Promise<ControlReply> {
      requests.push(request);
      let sent = false;
      return Promise.resolve({
        ok: true,
        data: { services: ["web.service", "database.service", "CONSOLE"] },
        stream: {
          next: () => Promise.resolve(sent ? null : (sent = true, frames)),
          close() {},
        },
      });
    },
  };
}

Deno.test("ctl logs prints each line after its service's name, padded, and the dropped marker", async () => {
  await withTempDir(async (dir) => {
    const requests: ControlRequest[] = [];
    const frames = [
      line("web.service", "GET / 200"),
      line("database.service", "ready"),
      { kind: "dropped", count: 1 } as const,
      line("CONSOLE", "bell\x07 and escape\x1b[31m"),
      { kind: "dropped", count: 12 } as const,
    ];
    await using _server = serveControl({ socketPath: `${dir}/c.sock` }, handler(frames, requests));
    const output = new CaptureOutput();
    const code = await ctlCommand(["--socket", `${dir}/c.sock`, "logs", "-n", "5", "web"], {
      output,
    });
    assert.equal(code, 0, output.stderr);
    assert.equal(
      output.stdout,
      [
        "web      | GET / 200",
        "database | ready",
        "-- 1 line dropped --",
        "CONSOLE  | bell#007 and escape#033[31m",
        "-- 12 lines dropped --",
        "",
      ].join("\n"),
    );
    assert.deepEqual(requests, [{ cmd: "logs", services: ["web"], lines: 5 }]);
  });
});

Deno.test("ctl logs exits 0 quietly when its stdout is closed (ctl logs -f | head)", async () => {
  await withTempDir(async (dir) => {
    await using _server = serveControl(
      { socketPath: `${dir}/c.sock` },
      handler([line("web.service", "one"), line("web.service", "two")], []),
    );
    let err = "";
    const code = await ctlCommand(["--socket", `${dir}/c.sock`, "logs", "-f"], {
      output: {
        out: () => {
          throw new Deno.errors.BrokenPipe("Broken pipe (os error 32)");
        },
        err: (t) => err += t,
      },
    });
    assert.equal(code, 0);
    assert.equal(err, "");
  });
});

Deno.test("ctl logs reports a command error with exit status 1", async () => {
  await withTempDir(async (dir) => {
    await using _server = serveControl({ socketPath: `${dir}/c.sock` }, {
      handle: () => Promise.resolve({ ok: false, error: "no such service: nope" }),
    });
    const output = new CaptureOutput();
    const code = await ctlCommand(["--socket", `${dir}/c.sock`, "logs", "nope"], { output });
    assert.equal(code, 1);
    assert.equal(output.stderr, "Command error: no such service: nope\n");
  });
});

Deno.test("LogsPrinter needs no header to print", () => {
  const output = new CaptureOutput();
  const printer = new LogsPrinter(output);
  printer.frame(line("a.service", "x"));
  printer.frame({ kind: "end" });
  assert.equal(output.stdout, "a | x\n");
});
