import assert from "node:assert/strict";
import { strftime } from "../../src/syslog/strftime.ts";

// 2024-03-05 (a Tuesday) 07:08:09 local time.
const D = new Date(2024, 2, 5, 7, 8, 9);

const CASES: [string, string][] = [
  ["/var/log/plain.log", "/var/log/plain.log"],
  ["%Y-%m-%d", "2024-03-05"],
  ["%y%m%d-%H%M%S", "240305-070809"],
  ["%F %T", "2024-03-05 07:08:09"],
  ["%D %R", "03/05/24 07:08"],
  ["%a %A %b %B %h", "Tue Tuesday Mar March Mar"],
  ["%e|%j|%u|%w", " 5|065|2|2"],
  ["%I%p", "07AM"],
  ["%U %W %V %G %C", "09 10 10 2024 20"],
  ["100%%", "100%"],
  ["%Q stays", "%Q stays"],
  ["trailing %", "trailing %"],
];

for (const [format, expected] of CASES) {
  Deno.test(`strftime() gives "${expected}" when the format is "${format}"`, () => {
    assert.equal(strftime(format, D), expected);
  });
}

Deno.test("strftime() uses local time when formatting %s and %z", () => {
  assert.equal(strftime("%s", D), String(Math.floor(D.getTime() / 1000)));
  assert.match(strftime("%z", D), /^[+-]\d{4}$/);
});
