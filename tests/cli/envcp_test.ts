import assert from "node:assert/strict";
import { envcpCommand } from "../../src/cli/envcp.ts";
import { withTempDir } from "../_helpers/with_temp_dir.ts";
import { CaptureOutput } from "../_helpers/capture_output.ts";

const ENV = { HOME: "/home/u", NAME: "world", NESTED: "$(NAME)", EMPTY: "" };

function streamOf(text: string): ReadableStream<Uint8Array> {
  return new Blob([text]).stream();
}

async function run(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) {
  const output = new CaptureOutput();
  const code = await envcpCommand(args, {
    output,
    env: options.env ?? ENV,
    ...(options.stdin !== undefined ? { stdin: streamOf(options.stdin) } : {}),
  });
  return { code, stdout: output.stdout, stderr: output.stderr };
}

const STDIN_CASES: { args: string[]; input: string; want: string }[] = [
  { args: ["-"], input: "Hello $(NAME) from ${HOME}\n", want: "Hello world from /home/u\n" },
  { args: ["-"], input: "raw $(NESTED) stays raw\n", want: "raw $(NAME) stays raw\n" },
  { args: ["-"], input: "$(MISSING) and $(MISSING:-dflt)", want: "$(MISSING) and dflt" },
  { args: ["-"], input: "a $(NAME:+multi\nline) b", want: "a multi\nline b" },
  { args: ["-"], input: "escaped \\$(NAME)", want: "escaped $(NAME)" },
  { args: ["-"], input: "no $[NAME] by default", want: "no $[NAME] by default" },
  { args: ["--xgrouping", "[", "-"], input: "$[NAME] $(NAME)", want: "world $(NAME)" },
  { args: ["--xprefix", "%%", "-"], input: "%%(NAME) $(NAME)", want: "world $(NAME)" },
  { args: ["-"], input: "`echo hi` $(`echo hi`)", want: "`echo hi` `echo hi`" },
  { args: ["--shell-enable", "-"], input: "`echo hi` $(`echo hi`)", want: "`echo hi` hi" },
];

for (const c of STDIN_CASES) {
  Deno.test(`envcpCommand() ${c.args.join(" ")} turns ${JSON.stringify(c.input)} into ${JSON.stringify(c.want)}`, async () => {
    assert.deepEqual(await run(c.args, { stdin: c.input }), {
      code: 0,
      stdout: c.want,
      stderr: "",
    });
  });
}

Deno.test("envcpCommand() copies one file to another, expanding it", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/in.tpl`, "name=$(NAME)\n");
    const r = await run(["-v", `${dir}/in.tpl`, `${dir}/out.conf`]);
    assert.deepEqual(r, { code: 0, stdout: `envcp ${dir}/in.tpl ${dir}/out.conf\n`, stderr: "" });
    assert.equal(await Deno.readTextFile(`${dir}/out.conf`), "name=world\n");
  });
});

Deno.test("envcpCommand() copies several files into a directory, --strip removing the suffix", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/dest`);
    await Deno.writeTextFile(`${dir}/hotel.tpl`, "h $(NAME)");
    await Deno.writeTextFile(`${dir}/plain.conf`, "p $(HOME)");
    const r = await run([
      "--strip",
      ".tpl",
      `${dir}/hotel.tpl`,
      `${dir}/plain.conf`,
      `${dir}/dest`,
    ]);
    assert.deepEqual(r, { code: 0, stdout: "", stderr: "" });
    // Decision 14: "hotel.tpl" becomes "hotel", not "hote" (no character-set strip).
    assert.equal(await Deno.readTextFile(`${dir}/dest/hotel`), "h world");
    assert.equal(await Deno.readTextFile(`${dir}/dest/plain.conf`), "p /home/u");
  });
});

Deno.test("envcpCommand() refuses to overwrite without --overwrite, before copying anything", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/dest`);
    await Deno.writeTextFile(`${dir}/a`, "A $(NAME)");
    await Deno.writeTextFile(`${dir}/b`, "B $(NAME)");
    await Deno.writeTextFile(`${dir}/dest/b`, "old");
    const r = await run([`${dir}/a`, `${dir}/b`, `${dir}/dest`]);
    assert.deepEqual(r, {
      code: 1,
      stdout: `error: file ${dir}/dest/b exists, won't overwrite\n`,
      stderr: "",
    });
    assert.equal(await Deno.readTextFile(`${dir}/dest/b`), "old");
    await assert.rejects(() => Deno.stat(`${dir}/dest/a`), Deno.errors.NotFound);
    const again = await run(["--overwrite", `${dir}/a`, `${dir}/b`, `${dir}/dest`]);
    assert.equal(again.code, 0);
    assert.equal(await Deno.readTextFile(`${dir}/dest/b`), "B world");
  });
});

Deno.test("envcpCommand() --archive keeps the source's mode and modification time", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/src`, "x");
    await Deno.chmod(`${dir}/src`, 0o640);
    const mtime = new Date("2020-01-02T03:04:05Z");
    await Deno.utime(`${dir}/src`, mtime, mtime);
    assert.equal((await run(["-a", `${dir}/src`, `${dir}/dst`])).code, 0);
    const info = await Deno.stat(`${dir}/dst`);
    assert.equal(info.mode! & 0o777, 0o640);
    assert.equal(info.mtime?.getTime(), mtime.getTime());
  });
});

const ERROR_CASES: {
  name: string;
  args: (dir: string) => string[];
  stdout: (dir: string) => string;
}[] = [
  {
    name: "a single file",
    args: (dir) => [`${dir}/a`],
    stdout: () => "error: must include two or more filename arguments\n",
  },
  {
    name: "no file at all",
    args: () => [],
    stdout: () => "error: must include two or more filename arguments\n",
  },
  {
    name: "'-' with other files",
    args: (dir) => ["-", `${dir}/a`],
    stdout: () => "error: '-' for stdin/stdout cannot be combined with other filename arguments\n",
  },
  {
    name: "three files and no destination directory",
    args: (dir) => [`${dir}/a`, `${dir}/a`, `${dir}/nodir`],
    stdout: () => "error: destination is not a directory and more than 2 files specified\n",
  },
  {
    name: "a missing source",
    args: (dir) => [`${dir}/missing`, `${dir}/out`],
    stdout: (dir) => `error: file does not exist, ${dir}/missing\n`,
  },
  {
    name: "an invalid --xgrouping",
    args: (dir) => ["--xgrouping", "(<", `${dir}/a`, `${dir}/out`],
    stdout: () =>
      "error: --xgrouping can accept one or more of '{', '[', or '(' only.  Not this: '(<'.\n",
  },
];

for (const c of ERROR_CASES) {
  Deno.test(`envcpCommand() exits 1 with a message on stdout for ${c.name}`, async () => {
    await withTempDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/a`, "a");
      const r = await run(c.args(dir));
      assert.deepEqual(r, { code: 1, stdout: c.stdout(dir), stderr: "" });
      await assert.rejects(() => Deno.stat(`${dir}/out`), Deno.errors.NotFound);
    });
  });
}

Deno.test("envcpCommand() exits 1 with usage for an unknown option", async () => {
  const r = await run(["--frobnicate", "-"], { stdin: "" });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^error: .*frobnicate/);
  assert.match(r.stdout, /Usage: chaperone envcp/);
});

Deno.test("envcpCommand() reports a failing $(V:?message) as an error", async () => {
  const r = await run(["-"], { stdin: "$(MISSING:?MISSING must be set)" });
  assert.deepEqual(r, { code: 1, stdout: "error: MISSING must be set\n", stderr: "" });
});

Deno.test("envcpCommand() as a process copies stdin to stdout with the real environment", async () => {
  await withTempDir(async (dir) => {
    const script = `${dir}/run.ts`;
    const module = new URL("../../src/cli/envcp.ts", import.meta.url).href;
    await Deno.writeTextFile(
      script,
      `import { envcpCommand } from ${JSON.stringify(module)};\n` +
        "Deno.exit(await envcpCommand(Deno.args));\n",
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", script, "-"],
      env: { ENVCP_TEST_VALUE: "from-env", NO_COLOR: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode("value=$(ENVCP_TEST_VALUE)\n"));
    await writer.close();
    const result = await child.output();
    assert.equal(new TextDecoder().decode(result.stderr), "");
    assert.equal(new TextDecoder().decode(result.stdout), "value=from-env\n");
    assert.equal(result.code, 0);
  });
});
