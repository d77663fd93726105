/**
 * The configuration checks of `chaperone selftest` (docs/docker.md, "selftest"): the
 * configuration directory loads through the run's own pipeline (the same as `chaperone
 * check`), the users and groups it names exist, and every service's program is found as the
 * run would find it. Three rows, so that an image missing a user is told so apart from a typo.
 */
import { checkConfig } from "../config/mod.ts";
import type { ConfigError } from "../config/config_error.ts";
import { lookupUser } from "../process/users.ts";
import { checkPrograms } from "./program_findings.ts";
import { type CheckRow, fail, ok, skip, type Verdict } from "./selftest_row.ts";

/** The directives whose problems are about users and groups. */
const USER_DIRECTIVE = /: (uid|gid|control_socket_group)$/;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function listed(errors: readonly ConfigError[]): { detail: string; more: string[] } {
  const [first, ...rest] = errors.map((e) => e.message);
  return { detail: first ?? "", more: rest };
}

/** The rows `configuration`, `users` and `programs` for `--config path` (and `--user`). */
export async function checkConfiguration(
  path: string,
  user: string | undefined,
): Promise<CheckRow[]> {
  const rows = (config: Verdict, users: Verdict, programs: Verdict): CheckRow[] => [
    { check: "configuration", verdict: config },
    { check: "users", verdict: users },
    { check: "programs", verdict: programs },
  ];
  if (user !== undefined && lookupUser(user) === undefined) {
    const missing = fail(
      `--user ${user} does not exist in /etc/passwd`,
      "add the user to the image (or use --create-user in the run)",
    );
    return rows(skip("needs the --user user"), missing, skip("needs the --user user"));
  }
  const warnings: string[] = [];
  const result = await checkConfig(path, {
    env: Deno.env.toObject(),
    ...(user !== undefined ? { user } : {}),
    onWarning: (m) => warnings.push(m),
  });
  const userErrors = result.errors.filter((e) => USER_DIRECTIVE.test(e.directive ?? ""));
  const otherErrors = result.errors.filter((e) => !userErrors.includes(e));
  const where = result.files.length > 0 ? path : `${path} (no configuration file)`;

  let config: Verdict;
  if (otherErrors.length > 0) {
    const { detail, more } = listed(otherErrors);
    config = fail(
      detail,
      `fix the ${plural(otherErrors.length, "line")} named; chaperone check prints the same`,
      more,
    );
  } else if ((result.partial?.services.length ?? 0) === 0) {
    config = fail(
      `no services configured in ${where}`,
      "copy your chaperone.d to /etc/chaperone.d in the image, or give --config",
    );
  } else {
    const services = result.partial!.services.length;
    config = ok(
      `${path}: ${plural(result.files.length, "file")}, ${plural(services, "service")}` +
        (warnings.length > 0 ? `, ${plural(warnings.length, "warning")}` : ""),
    );
  }

  let users: Verdict;
  if (userErrors.length > 0) {
    const { detail, more } = listed(userErrors);
    users = fail(
      detail,
      "add the users and groups to the image's /etc/passwd and /etc/group",
      more,
    );
  } else if (result.partial === undefined) {
    users = skip("the configuration did not load");
  } else {
    const named = result.partial.services.filter((s) => s.user !== undefined).length;
    users = ok(
      named === 0
        ? "no service runs as another user"
        : `every user and group named exists (${plural(named, "service")} with a user)`,
    );
  }

  let programs: Verdict;
  if (result.partial === undefined) {
    programs = skip("the configuration did not load");
  } else {
    const found = checkPrograms(result.partial);
    if (found.errors.length > 0) {
      const [first, ...more] = found.errors;
      programs = fail(
        first!,
        "copy the programs into the image, or correct command: (found on the service's own PATH)",
        more,
      );
    } else {
      const enabled = result.partial.services.filter((s) => s.enabled).length;
      programs = ok(
        `the programs of ${plural(enabled, "enabled service")} are found` +
          (found.warnings.length > 0 ? ` (${plural(found.warnings.length, "warning")})` : ""),
      );
    }
  }
  return rows(config, users, programs);
}
