/**
 * The log router: every record (a /dev/log datagram, a service output line, Chaperone's own
 * message) goes to each logging section, in configuration order, whose selector matches it, and
 * from there to the section's outputs (docs/logging.md, "Outputs"; Decisions 8 and 14 in
 * docs/migration.md). The router works the same whether or not the /dev/log listener runs. Sections
 * arrive fully resolved by the configuration (expanded, selector parsed, owner looked up): building
 * them cannot fail.
 *
 * A section's `format` chooses its line: `text` (format_line.ts) or `json`/`logfmt`
 * (structured_line.ts). Only the structured formats show a record's service; for a record that
 * does not carry one, the router asks options.serviceOfPid about the pid named after its tag,
 * at most once per record and only when a structured section selected it, so `text` sections
 * cost nothing more.
 *
 * An output's report of its own failure (a full disk, a refused file, a flood towards a
 * remote host) goes through options.report like any of Chaperone's messages; when no working
 * output other than the failing one took it, it also goes to options.unheard (stderr), so that
 * a disk-full warning never ends only in the full file.
 */
import type { LogFormat, LoggingSpec } from "../config/schema.ts";
import type { LogRecord, LogSink } from "../log/record.ts";
import { compileSelector, type Selector, type SelectorPredicate } from "../log/selector.ts";
import { escapeControls, escapeRecord, formatLine, type LineFormat } from "./format_line.ts";
import { formatStructured, recordService } from "./structured_line.ts";
import { ConsoleOutput, FileOutput, type OutputReporter, RemoteOutput } from "./outputs.ts";
import { MAX_MESSAGE_LENGTH, splitLongRecord } from "./parse.ts";

/** What the router needs from the rest of the program. */
export interface LogRouterOptions {
  /** Receives the router's own problems (an unwritable file ...), once per episode. */
  report?: OutputReporter;
  /** The machine's hostname for lines whose record names none (default Deno.hostname()). */
  hostname?: string;
  /** Initial forced minimum level (Decision 3 in docs/migration.md). */
  forcedLevel?: number;
  /** Replaces Chaperone's stdout/stderr (tests). */
  stdout?: { writeSync(p: Uint8Array): number };
  stderr?: { writeSync(p: Uint8Array): number };
  /** Clock for strftime file names (tests). */
  now?: () => Date;
  /** Monotonic milliseconds for the outputs' intervals (tests; default performance.now). */
  clock?: () => number;
  /**
   * Receives the record of an output's failure report when no working output other than the
   * failing one took it, and later the record saying that output recovered.
   */
  unheard?: LogSink;
  /**
   * The service a process belongs to (its process group or session is a service's), for the
   * `service` key of `json`/`logfmt` lines; undefined when it belongs to none. Called with the
   * pid a /dev/log message names (`app[42]: ...`); must not throw (a throw counts as none).
   */
  serviceOfPid?: (pid: number) => string | undefined;
}

type Output = FileOutput | ConsoleOutput | RemoteOutput;

// Who took the records routed while one output's report was being made.
interface Hearing {
  readonly output: Output;
  heard: boolean;
  record: LogRecord | undefined;
}

// A section's line: its format and what the text format needs besides.
interface SectionFormat extends LineFormat {
  readonly style: LogFormat;
}

interface Section {
  readonly name: string;
  readonly selector: Selector;
  predicate: SelectorPredicate;
  readonly format: SectionFormat;
  readonly lineOutputs: readonly (FileOutput | ConsoleOutput)[];
  readonly remotes: readonly RemoteOutput[];
}

// The service of a record not yet looked up (undefined is a valid answer: none).
const NOT_ASKED: unique symbol = Symbol("not asked");

function internFormat(
  formats: Map<string, SectionFormat>,
  format: SectionFormat,
): SectionFormat {
  const key = `${format.style}\0${format.extended}\0${format.logrecHostname ?? ""}`;
  const known = formats.get(key);
  if (known) return known;
  formats.set(key, format);
  return format;
}

/** Routes records to the outputs of matching logging sections. */
export class LogRouter implements LogSink {
  #sections: Section[] = [];
  #outputs = new Map<string, Output>();
  #forcedLevel: number | undefined;
  #closed = false;
  #unheard: LogSink | undefined;
  #hearing: Hearing | undefined;
  // Outputs whose failure report went to #unheard: their recovery goes there too.
  #echoed = new Set<Output>();
  // Lines lost by outputs that a reconfigure() closed.
  #droppedByClosed = 0;
  #serviceOfPid: ((pid: number) => string | undefined) | undefined;
  #options: LogRouterOptions;

  /** Compiles every section's selector and opens its outputs. */
  constructor(specs: readonly LoggingSpec[], options: LogRouterOptions) {
    this.#options = options;
    this.#unheard = options.unheard;
    this.#serviceOfPid = options.serviceOfPid;
    this.#forcedLevel = options.forcedLevel;
    this.#sections = this.#build(specs);
  }

  /**
   * Replaces the sections (`ctl reload`): the new ones are built, reusing every output both
   * configurations name (an open file stays open), and take over between two records, so no
   * line is lost or doubled; the outputs no section names any more are flushed and closed.
   * Returns the keys of the outputs it opened and closed.
   */
  async reconfigure(
    specs: readonly LoggingSpec[],
  ): Promise<{ opened: string[]; closed: string[] }> {
    if (this.#closed) return { opened: [], closed: [] };
    const before = new Set(this.#outputs.keys());
    const sections = this.#build(specs);
    const used = new Set(sections.flatMap((sec) => [...sec.lineOutputs, ...sec.remotes]));
    this.#sections = sections;
    const closed: string[] = [];
    const waits: Promise<void>[] = [];
    // What a closed output lost still counts (`dropped` never goes back), also what it loses
    // while it closes.
    const retired: [Output, number][] = [];
    for (const [key, out] of this.#outputs) {
      if (used.has(out)) continue;
      this.#outputs.delete(key);
      this.#echoed.delete(out);
      closed.push(key);
      retired.push([out, out.dropped]);
      this.#droppedByClosed += out.dropped;
      if (out.kind === "remote") waits.push(out.close());
      else out.close();
    }
    await Promise.all(waits);
    for (const [out, before] of retired) this.#droppedByClosed += out.dropped - before;
    const opened = [...this.#outputs.keys()].filter((k) => !before.has(k));
    return { opened, closed };
  }

  /** The sections of `specs`, their outputs shared with the ones already open. */
  #build(specs: readonly LoggingSpec[]): Section[] {
    const options = this.#options;
    const report = options.report ?? (() => {});
    const hostname = escapeControls(options.hostname ?? Deno.hostname());
    const built: Section[] = [];
    // Sections with equal formats share one LineFormat object, so #route can format a
    // record once for all of them.
    const formats = new Map<string, SectionFormat>();
    for (const spec of specs) {
      const lineOutputs: (FileOutput | ConsoleOutput)[] = [];
      const remotes: RemoteOutput[] = [];
      if (spec.enabled) {
        if (spec.file !== undefined) {
          const pattern = spec.file;
          // The owner and the overwrite flag are part of the key: a file reopened differently.
          const key = `file:${pattern}:${spec.uid ?? ""}:${spec.gid ?? ""}:${spec.overwrite}`;
          lineOutputs.push(this.#shared(key, () => {
            const f: FileOutput = new FileOutput({
              pattern,
              ...(spec.uid !== undefined ? { uid: spec.uid } : {}),
              ...(spec.gid !== undefined ? { gid: spec.gid } : {}),
              overwrite: spec.overwrite,
              report: this.#reporter(report, () => f),
              ...(options.now ? { now: options.now } : {}),
              ...(options.clock ? { clock: options.clock } : {}),
            });
            f.open();
            return f;
          }) as FileOutput);
        }
        for (const kind of ["stdout", "stderr"] as const) {
          if (!spec[kind]) continue;
          lineOutputs.push(
            this.#shared(kind, () => {
              const c: ConsoleOutput = new ConsoleOutput(
                kind,
                this.#reporter(report, () => c),
                options[kind],
              );
              return c;
            }) as ConsoleOutput,
          );
        }
        if (spec.syslogHost !== undefined) {
          const host = spec.syslogHost;
          remotes.push(
            this.#shared(`remote:${host}`, () => {
              const r: RemoteOutput = new RemoteOutput(
                host,
                this.#reporter(report, () => r),
                options.clock,
              );
              return r;
            }) as RemoteOutput,
          );
        }
      }
      built.push({
        name: spec.name,
        selector: spec.selector,
        predicate: compileSelector(spec.selector, this.#forcedLevel),
        format: internFormat(formats, {
          style: spec.format,
          extended: spec.extended,
          hostname,
          ...(spec.logrecHostname ? { logrecHostname: escapeControls(spec.logrecHostname) } : {}),
        }),
        lineOutputs,
        remotes,
      });
    }
    return built;
  }

  // The reporter of one output: `report`, watched for whether anyone else heard it.
  #reporter(report: OutputReporter, output: () => Output): OutputReporter {
    return (severity, message) => {
      const outer = this.#hearing;
      const hearing: Hearing = { output: output(), heard: false, record: undefined };
      this.#hearing = hearing;
      try {
        report(severity, message);
      } finally {
        this.#hearing = outer;
      }
      // No record: the message was not generated (a forced level) or not routed here yet
      // (reports made while the router is built reach the caller's own sink).
      if (this.#unheard === undefined || hearing.record === undefined) return;
      let echo: boolean;
      if (severity === "warn") {
        echo = !hearing.heard;
        if (echo) this.#echoed.add(hearing.output);
      } else {
        echo = this.#echoed.delete(hearing.output);
      }
      if (echo) this.#unheard.write(hearing.record);
    };
  }

  #hear(hearing: Hearing, section: Section): void {
    for (const out of section.lineOutputs) {
      if (out !== hearing.output && !out.failing) hearing.heard = true;
    }
    for (const out of section.remotes) {
      if (out !== hearing.output && !out.failing) hearing.heard = true;
    }
  }

  #shared(key: string, make: () => Output): Output {
    let out = this.#outputs.get(key);
    if (!out) {
      out = make();
      this.#outputs.set(key, out);
    }
    return out;
  }

  /** The forced minimum level, if any. */
  get forcedLevel(): number | undefined {
    return this.#forcedLevel;
  }

  /**
   * Sets or clears the forced minimum level; selectors are recompiled (Decision 3 in
   * docs/migration.md).
   */
  setForcedLevel(level: number | undefined): void {
    this.#forcedLevel = level;
    for (const s of this.#sections) s.predicate = compileSelector(s.selector, level);
  }

  /** Sends one record to every matching section's outputs. */
  write(record: LogRecord): void {
    if (this.#closed) return;
    if (this.#hearing !== undefined) this.#hearing.record ??= record;
    const body = record.formatError ? record.raw : record.rest;
    if (body.length > MAX_MESSAGE_LENGTH) {
      for (const part of splitLongRecord(record)) this.#route(part);
    } else {
      this.#route(record);
    }
  }

  #route(record: LogRecord): void {
    const sections = this.#sections;
    const hearing = this.#hearing;
    let lastFormat: SectionFormat | undefined;
    let line = "";
    // Selectors see the record as received; text lines show it escaped (Decision 15 in
    // docs/migration.md).
    let shown: LogRecord | undefined;
    let service: string | undefined | typeof NOT_ASKED = NOT_ASKED;
    for (let i = 0; i < sections.length; i++) {
      const s = sections[i]!;
      if (s.lineOutputs.length === 0 && s.remotes.length === 0) continue;
      if (!s.predicate(record)) continue;
      if (hearing !== undefined) this.#hear(hearing, s);
      if (s.format !== lastFormat) {
        lastFormat = s.format;
        const style = s.format.style;
        switch (style) {
          case "text":
            line = formatLine(shown ??= escapeRecord(record), s.format);
            break;
          case "json":
          case "logfmt":
            if (service === NOT_ASKED) service = recordService(record, this.#serviceOfPid);
            line = formatStructured(record, style, s.format, service);
            break;
          default:
            style satisfies never;
        }
      }
      for (let j = 0; j < s.lineOutputs.length; j++) s.lineOutputs[j]!.write(line);
      for (let j = 0; j < s.remotes.length; j++) {
        s.remotes[j]!.send(record.facility * 8 + record.severity, line);
      }
    }
  }

  /**
   * Lines the outputs lost so far (a file that cannot be written, a flooded or unreachable
   * syslog host, a closed console): `chaperone_syslog_dropped_total` of the HTTP metrics.
   */
  get dropped(): number {
    let n = this.#droppedByClosed;
    for (const out of this.#outputs.values()) n += out.dropped;
    return n;
  }

  /** Writes out everything buffered. */
  flush(): void {
    for (const out of this.#outputs.values()) {
      if (out.kind !== "remote") out.flush();
    }
  }

  /** Flushes and closes every output; later records are ignored. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const waits: Promise<void>[] = [];
    for (const out of this.#outputs.values()) {
      switch (out.kind) {
        case "file":
        case "stdout":
        case "stderr":
          out.close();
          break;
        case "remote":
          waits.push(out.close());
          break;
        default:
          out satisfies never;
      }
    }
    await Promise.all(waits);
  }

  /** Same as close(), for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
