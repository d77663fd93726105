/** `settings: log_buffer_lines` and `http_listen`: validated, resolved, and reported by check. */
import assert from "node:assert/strict";
import { parseConfigText } from "../../src/config/load.ts";
import { mergeConfigFiles } from "../../src/config/merge.ts";
import { validateConfig } from "../../src/config/validate.ts";
import { resolveConfig } from "../../src/config/resolve.ts";
import { formatListenAddress, parseListenAddress } from "../../src/config/listen_address.ts";
import { CHAPERONE, tempTree } from "../_helpers/pid1.ts";

const FILE = "/etc/chaperone.d/10-app.conf";

function validate(text: string): string[] {
  const { parsed, errors } = parseConfigText(text, FILE);
  assert.deepEqual(errors, []);
  return validateConfig(mergeConfigFiles([parsed])).map((e) => e.message);
}

function settingsOf(text: string) {
  const { parsed } = parseConfigText(text, FILE);
  const result = resolveConfig(mergeConfigFiles([parsed]), {
    env: {},
    users: { lookupUser: () => undefined, lookupGroup: () => undefined },
  });
  assert.deepEqual(result.errors, []);
  return result.config.settings;
}

Deno.test("parseListenAddress() takes host:port, [v6]:port and names", () => {
  assert.deepEqual(parseListenAddress("127.0.0.1:9090"), { hostname: "127.0.0.1", port: 9090 });
  assert.deepEqual(parseListenAddress("0.0.0.0:1"), { hostname: "0.0.0.0", port: 1 });
  assert.deepEqual(parseListenAddress("localhost:65535"), { hostname: "localhost", port: 65535 });
  assert.deepEqual(parseListenAddress("[::1]:9090"), { hostname: "::1", port: 9090 });
  assert.deepEqual(parseListenAddress("[::]:80"), { hostname: "::", port: 80 });
  assert.deepEqual(parseListenAddress(" my-host.example:8080 "), {
    hostname: "my-host.example",
    port: 8080,
  });
});

Deno.test("parseListenAddress() explains what is wrong", () => {
  const problems: Array<[unknown, RegExp]> = [
    ["9090", /expected "host:port"/],
    [":9090", /"" is not a host name or address/],
    ["host:", /the port must be a number from 1 to 65535 \(got ""\)/],
    ["host:http", /the port must be a number/],
    ["host:0", /the port must be from 1 to 65535 \(got 0\)/],
    ["host:65536", /the port must be from 1 to 65535 \(got 65536\)/],
    ["::1:9090", /expected "host:port" .*\(an IPv6 host in brackets/],
    ["[zz]:9090", /"zz" is not a host name or address/],
    ["a b:1", /"a b" is not a host name/],
    [9090, /expected "host:port" in quotes, .* got 9090/],
    [["a:1"], /got a list/],
  ];
  for (const [value, pattern] of problems) {
    const parsed = parseListenAddress(value);
    assert.equal(typeof parsed, "string", String(value));
    assert.match(parsed as string, pattern, String(value));
  }
});

Deno.test("formatListenAddress() brackets an IPv6 host", () => {
  assert.equal(formatListenAddress({ hostname: "::1", port: 9090 }), "[::1]:9090");
  assert.equal(formatListenAddress({ hostname: "127.0.0.1", port: 9 }), "127.0.0.1:9");
});

Deno.test("validateConfig() names file, line and directive for a bad http_listen or log_buffer_lines", () => {
  assert.deepEqual(
    validate('settings: {\n  http_listen: "127.0.0.1:99999",\n  log_buffer_lines: -1,\n}\n'),
    [
      `${FILE}:2: settings: http_listen: the port must be from 1 to 65535 (got 99999)`,
      `${FILE}:3: settings: log_buffer_lines: expected a non-negative integer, got -1`,
    ],
  );
  assert.deepEqual(validate('settings: { http_listen: "[::1]:9090", log_buffer_lines: 0 }'), []);
});

Deno.test("resolveConfig() defaults log_buffer_lines to 1000 and leaves the HTTP endpoint off", () => {
  const s = settingsOf("");
  assert.equal(s.logBufferLines, 1000);
  assert.equal(s.httpListen, undefined);
  const set = settingsOf('settings: { log_buffer_lines: 0, http_listen: "127.0.0.1:9090" }');
  assert.equal(set.logBufferLines, 0);
  assert.deepEqual(set.httpListen, { hostname: "127.0.0.1", port: 9090 });
});

/** `chaperone check` on a configuration of one file; the file's path is `file`. */
async function check(text: string) {
  const dir = await tempTree({ "c.d/a.conf": text });
  try {
    const r = await new Deno.Command(CHAPERONE, {
      args: ["check", "--config", `${dir}/c.d`],
      env: { NO_COLOR: "1", PATH: "/usr/bin:/bin" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return {
      file: `${dir}/c.d/a.conf`,
      code: r.code,
      out: dec.decode(r.stdout),
      err: dec.decode(r.stderr),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("chaperone check names the HTTP endpoint in its summary", async () => {
  const r = await check(
    'settings: { http_listen: "[::1]:9090" }\nok.service: { command: "true" }\n',
  );
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /: ok \(1 file, 1 service, .*, HTTP endpoint on \[::1\]:9090\)\n/);
});

Deno.test("chaperone check reports a bad http_listen with its file and line", async () => {
  const r = await check(
    'settings: {\n  http_listen: "localhost:port",\n}\nok.service: { command: "true" }\n',
  );
  assert.equal(r.code, 1, r.err);
  assert.ok(
    r.err.includes(
      `error: ${r.file}:2: settings: http_listen: the port must be a number from 1 to 65535 (got "port")`,
    ),
    r.err,
  );
});
