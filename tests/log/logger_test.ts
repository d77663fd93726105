import assert from "node:assert/strict";
import { createLogger, formatSyslogDate, MemorySink } from "../../src/log/logger.ts";
import { Facility, parseSeverity, Severity } from "../../src/log/record.ts";

Deno.test("createLogger() drops messages less severe than the threshold", () => {
  const sink = new MemorySink();
  const log = createLogger({ sink, threshold: Severity.INFO, tag: "chaperone", pid: 1 });
  log.debug("hidden");
  log.info("shown");
  log.withFacility(Facility.CRON).warn("cron");
  assert.deepEqual(sink.messages(), ["shown", "cron"]);
  assert.equal(sink.records[1]?.facility, Facility.CRON);
  assert.match(
    sink.records[0]?.raw ?? "",
    /^<174>\w{3} [ \d]\d \d\d:\d\d:\d\d chaperone\[1\]: shown$/,
  );
});

Deno.test("formatSyslogDate() pads the day with a space", () => {
  assert.equal(formatSyslogDate(new Date(2024, 5, 5, 2, 9, 3)), "Jun  5 02:09:03");
});

Deno.test("parseSeverity() accepts aliases, case and a *. prefix", () => {
  assert.equal(parseSeverity("WARNING"), 4);
  assert.equal(parseSeverity("*.err"), 3);
  assert.equal(parseSeverity("emerg"), 0);
  assert.equal(parseSeverity("bogus"), undefined);
});
