/**
 * Resolves a `<name>.logging` section (docs/configuration.md) completely, as services are:
 * `selector`, `enabled`, `format`, `file`, `syslog_host` and `logrec_hostname` (settings' when
 * absent) expanded with the settings environment, `format` checked against the line formats, the
 * selector parsed (every bad element reported), `uid`/`gid` expanded and looked up. The log router
 * then only builds outputs, so `chaperone check` and a run reject exactly the same sections.
 */
import { parseSelector, type Selector, SelectorError } from "../log/selector.ts";
import { groupId, lookupCredentials } from "../users/credentials.ts";
import { bool, str } from "./scalars.ts";
import {
  LOG_FORMATS,
  type LogFormat,
  type LoggingSpec,
  type RawSection,
  type SourcePos,
} from "./schema.ts";
import { enabledOf, expandWith, type Fail, type SectionContext } from "./section_context.ts";
import { didYouMean } from "./suggest.ts";

/**
 * The section used when the configuration has no logging section at all (Decision 19 in
 * docs/migration.md).
 */
export const DEFAULT_LOGGING: {
  readonly name: string;
  readonly section: RawSection;
  readonly pos: SourcePos;
} = {
  name: "default.logging",
  section: { selector: "*.info", stdout: true },
  pos: { file: "(default logging: no logging section is configured)" },
};

/** The resolved section, or undefined when a problem was reported through `ctx.fail`. */
export function resolveLogging(
  name: string,
  s: RawSection,
  ctx: SectionContext,
): LoggingSpec | undefined {
  const { settings, settingsEnv: env, options } = ctx;
  let ok = true;
  const fail: SectionContext["fail"] = (directive, message, cause) => {
    ok = false;
    ctx.fail(directive, message, cause);
  };
  const expand = (directive: string, text = str(s[directive])): string | undefined =>
    expandWith(env, text, directive, fail);

  const selectorText = expand("selector");
  let selector: Selector | undefined;
  try {
    selector = parseSelector(selectorText?.trim() ? selectorText : "*.*");
  } catch (err) {
    if (!(err instanceof SelectorError)) throw err;
    for (const problem of err.problems) fail("selector", problem, err);
  }
  const enabled = enabledOf(s.enabled, (text) => expand("enabled", text), fail);
  const format = formatOf(expand("format"), fail);
  const logrecHostname = expand(
    "logrec_hostname",
    str(s.logrec_hostname) ?? settings.logrecHostname,
  );

  // A disabled section opens nothing: what only its outputs use is neither expanded nor looked up.
  let file: string | undefined;
  let syslogHost: string | undefined;
  let owner: { uid?: number; gid?: number } = {};
  if (enabled) {
    file = expand("file");
    syslogHost = expand("syslog_host");
    const uidText = expand("uid");
    const gidText = expand("gid");
    const settingsUser = ctx.settingsUser;
    if (uidText !== undefined) {
      const found = lookupCredentials(uidText, gidText, options.users);
      if (found.user !== undefined) owner = { uid: found.user.uid, gid: found.user.gid };
      else fail(found.problem.directive, found.problem.message);
    } else if (gidText !== undefined) {
      const gid = groupId(gidText, options.users);
      if (gid === undefined) fail("gid", `group '${gidText}' does not exist`);
      else owner = { ...(settingsUser ? { uid: settingsUser.uid } : {}), gid };
    } else if (settingsUser !== undefined) {
      owner = { uid: settingsUser.uid, gid: settingsUser.gid };
    }
  }
  if (!ok || selector === undefined || format === undefined) return undefined;

  return {
    name,
    selector,
    ...(file !== undefined && file !== "" ? { file } : {}),
    stdout: !options.noConsoleLog && (bool(s.stdout) ?? false),
    stderr: !options.noConsoleLog && (bool(s.stderr) ?? false),
    ...(syslogHost !== undefined && syslogHost !== "" ? { syslogHost } : {}),
    enabled,
    overwrite: bool(s.overwrite) ?? false,
    extended: bool(s.extended) ?? false,
    format,
    ...(logrecHostname ? { logrecHostname } : {}),
    ...owner,
    pos: ctx.pos,
  };
}

/** `format:` after expansion: absent or empty is `text`; anything but a format is a problem. */
function formatOf(text: string | undefined, fail: Fail): LogFormat | undefined {
  if (text === undefined || text.trim() === "") return "text";
  const known = LOG_FORMATS.find((f) => f === text.trim());
  if (known === undefined) {
    fail(
      "format",
      `expected ${LOG_FORMATS.join(", ")}, got ${JSON.stringify(text)}${
        didYouMean(text, LOG_FORMATS)
      }`,
    );
  }
  return known;
}
