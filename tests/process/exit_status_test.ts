import assert from "node:assert/strict";
import {
  briefStatus,
  type ExitStatus,
  formatProcStatus,
  fromCommandStatus,
  fromWaitStatus,
  isNormalExit,
  toExitCode,
} from "../../src/process/exit_status.ts";

const WAIT_CASES: { raw: number; want: ExitStatus }[] = [
  { raw: 0, want: { code: 0, signal: null } },
  { raw: 1 << 8, want: { code: 1, signal: null } },
  { raw: 255 << 8, want: { code: 255, signal: null } },
  { raw: 15, want: { code: null, signal: 15 } },
  { raw: 9, want: { code: null, signal: 9 } },
  { raw: 11 | 0x80, want: { code: null, signal: 11 } }, // core dumped
];

for (const { raw, want } of WAIT_CASES) {
  Deno.test(`fromWaitStatus() decodes raw status 0x${raw.toString(16)}`, () => {
    assert.deepEqual(fromWaitStatus(raw), want);
  });
}

Deno.test("fromCommandStatus() maps Deno's signal name to a number", () => {
  assert.deepEqual(fromCommandStatus({ success: false, code: 143, signal: "SIGTERM" }), {
    code: null,
    signal: 15,
  });
  assert.deepEqual(fromCommandStatus({ success: false, code: 3, signal: null }), {
    code: 3,
    signal: null,
  });
  assert.deepEqual(fromCommandStatus({ success: true, code: 0, signal: null }), {
    code: 0,
    signal: null,
  });
});

Deno.test("fromCommandStatus() reads a real child killed by SIGKILL", async () => {
  const child = new Deno.Command("sleep", { args: ["30"], stdout: "null", stderr: "null" })
    .spawn();
  child.kill("SIGKILL");
  assert.deepEqual(fromCommandStatus(await child.status), { code: null, signal: 9 });
});

const FORMAT_CASES: {
  status: ExitStatus;
  proc: string;
  brief: string;
  code: number;
  normal: boolean;
}[] = [
  {
    status: { code: 0, signal: null },
    proc: "<ProcStatus exit_status=0>",
    brief: "exit(0)",
    code: 0,
    normal: true,
  },
  {
    status: { code: 3, signal: null },
    proc: "<ProcStatus exit_status=3>",
    brief: "exit(3)",
    code: 3,
    normal: false,
  },
  {
    status: { code: null, signal: 15 },
    proc: "<ProcStatus signal=15>",
    brief: "SIGTERM",
    code: 143,
    normal: false,
  },
  {
    status: { code: null, signal: 9 },
    proc: "<ProcStatus signal=9>",
    brief: "SIGKILL",
    code: 137,
    normal: false,
  },
  {
    status: { code: null, signal: 2 },
    proc: "<ProcStatus signal=2>",
    brief: "SIGINT",
    code: 130,
    normal: false,
  },
];

for (const c of FORMAT_CASES) {
  Deno.test(`formatProcStatus(), briefStatus(), toExitCode() and isNormalExit() render ${c.proc}`, () => {
    assert.equal(formatProcStatus(c.status), c.proc);
    assert.equal(briefStatus(c.status), c.brief);
    assert.equal(toExitCode(c.status), c.code);
    assert.equal(isNormalExit(c.status), c.normal);
  });
}

Deno.test("formatProcStatus() puts errno first when given", () => {
  assert.equal(
    formatProcStatus({ code: 1, signal: null }, { errno: 8 }),
    "<ProcStatus errno=8 exit_status=1>",
  );
});
