import assert from "node:assert/strict";
import { formatPrometheus, formatValue } from "../../src/http/prometheus.ts";

Deno.test("formatPrometheus() writes HELP, TYPE and one line per sample", () => {
  assert.equal(
    formatPrometheus([
      {
        name: "chaperone_service_up",
        help: "1 when up.",
        type: "gauge",
        samples: [
          { labels: { service: "web.service" }, value: 1 },
          { labels: { service: "db.service" }, value: 0 },
        ],
      },
      { name: "chaperone_up_seconds", help: "Uptime.", type: "gauge", samples: [{ value: 1.5 }] },
      { name: "chaperone_none_total", help: "Nothing yet.", type: "counter", samples: [] },
    ]),
    [
      "# HELP chaperone_service_up 1 when up.",
      "# TYPE chaperone_service_up gauge",
      'chaperone_service_up{service="web.service"} 1',
      'chaperone_service_up{service="db.service"} 0',
      "# HELP chaperone_up_seconds Uptime.",
      "# TYPE chaperone_up_seconds gauge",
      "chaperone_up_seconds 1.5",
      "# HELP chaperone_none_total Nothing yet.",
      "# TYPE chaperone_none_total counter",
      "",
    ].join("\n"),
  );
});

Deno.test("formatPrometheus() escapes label values and help text", () => {
  const text = formatPrometheus([{
    name: "m",
    help: "a \\ b\nc",
    type: "gauge",
    samples: [{ labels: { service: 'we"ird\\na\nme', other: "x" }, value: 2 }],
  }]);
  assert.equal(
    text,
    '# HELP m a \\\\ b\\nc\n# TYPE m gauge\nm{service="we\\"ird\\\\na\\nme",other="x"} 2\n',
  );
});

Deno.test("formatPrometheus() refuses invalid names", () => {
  assert.throws(
    () => formatPrometheus([{ name: "bad-name", help: "", type: "gauge", samples: [] }]),
    TypeError,
  );
  assert.throws(
    () =>
      formatPrometheus([{
        name: "ok",
        help: "",
        type: "gauge",
        samples: [{ labels: { "bad-label": "x" }, value: 1 }],
      }]),
    TypeError,
  );
});

Deno.test("formatValue() writes special values as Prometheus does", () => {
  assert.equal(formatValue(NaN), "NaN");
  assert.equal(formatValue(Infinity), "+Inf");
  assert.equal(formatValue(-Infinity), "-Inf");
  assert.equal(formatValue(1e21), "1e+21");
  assert.equal(formatValue(1796641096.691), "1796641096.691");
});
