import assert from "node:assert/strict";
import { type ParsedNotify, parseNotify } from "../../src/notify/protocol.ts";

const CASES: { text: string; want: ParsedNotify }[] = [
  { text: "READY=1", want: { messages: [{ type: "ready" }], invalid: [] } },
  { text: "ready=1\n", want: { messages: [{ type: "ready" }], invalid: [] } },
  { text: "Ready=1", want: { messages: [{ type: "ready" }], invalid: [] } },
  { text: "READY=0", want: { messages: [], invalid: [] } },
  { text: "READY=", want: { messages: [], invalid: [] } },
  { text: "", want: { messages: [], invalid: [] } },
  {
    text: "STATUS=Loading a=b c",
    want: { messages: [{ type: "status", text: "Loading a=b c" }], invalid: [] },
  },
  { text: "STATUS=", want: { messages: [], invalid: [] } },
  { text: "MAINPID=1234", want: { messages: [{ type: "mainpid", pid: 1234 }], invalid: [] } },
  { text: "MAINPID=abc", want: { messages: [], invalid: ["MAINPID=abc"] } },
  { text: "MAINPID=0", want: { messages: [], invalid: ["MAINPID=0"] } },
  { text: "MAINPID=-5", want: { messages: [], invalid: ["MAINPID=-5"] } },
  { text: "ERRNO=2", want: { messages: [{ type: "errno", errno: 2 }], invalid: [] } },
  { text: "ERRNO=0", want: { messages: [{ type: "errno", errno: 0 }], invalid: [] } },
  { text: "ERRNO=x", want: { messages: [], invalid: ["ERRNO=x"] } },
  {
    text: "BUSERROR=org.freedesktop.DBus.Error.TimedOut",
    want: {
      messages: [{ type: "buserror", error: "org.freedesktop.DBus.Error.TimedOut" }],
      invalid: [],
    },
  },
  { text: "STOPPING=1", want: { messages: [{ type: "stopping" }], invalid: [] } },
  {
    text: "EXTEND_TIMEOUT_USEC=5000000",
    want: { messages: [{ type: "extend-timeout", usec: 5000000 }], invalid: [] },
  },
  {
    text: "EXTEND_TIMEOUT_USEC=soon",
    want: { messages: [], invalid: ["EXTEND_TIMEOUT_USEC=soon"] },
  },
  { text: "WATCHDOG=1", want: { messages: [{ type: "watchdog" }], invalid: [] } },
  { text: "WATCHDOG=trigger", want: { messages: [], invalid: [] } },
  {
    text: "WATCHDOG_USEC=30000000",
    want: { messages: [{ type: "watchdog-usec", usec: 30000000 }], invalid: [] },
  },
  { text: "BARRIER=1", want: { messages: [{ type: "barrier" }], invalid: [] } },
  { text: "FDSTORE=1\nX_CUSTOM=yes", want: { messages: [], invalid: [] } },
  { text: "garbage", want: { messages: [], invalid: ["garbage"] } },
  { text: "=1", want: { messages: [], invalid: ["=1"] } },
  { text: "9LIVES=1", want: { messages: [], invalid: ["9LIVES=1"] } },
  {
    text: "STATUS=starting\nMAINPID=77\nnonsense line\nREADY=1\n",
    want: {
      messages: [
        { type: "status", text: "starting" },
        { type: "mainpid", pid: 77 },
        { type: "ready" },
      ],
      invalid: ["nonsense line"],
    },
  },
];

for (const { text, want } of CASES) {
  Deno.test(`parseNotify() handles ${JSON.stringify(text)}`, () => {
    assert.deepEqual(parseNotify(text), want);
  });
}
