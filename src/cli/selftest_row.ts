/**
 * One row of `chaperone selftest`'s table (docs/docker.md, "selftest"): a check's name, its
 * verdict (`ok`, `FAIL` with one line of advice, or `skip`), one line of detail and, for a
 * failure with several causes, one more line for each.
 */

/** What one check found. */
export type Verdict =
  | { readonly status: "ok"; readonly detail: string }
  | {
    readonly status: "FAIL";
    readonly detail: string;
    /** What to change in the image or the command line, one line. */
    readonly advice: string;
    /** Further causes, one per line (every configuration problem, every missing program). */
    readonly more?: readonly string[];
  }
  | { readonly status: "skip"; readonly detail: string };

/** A named verdict. */
export interface CheckRow {
  readonly check: string;
  readonly verdict: Verdict;
}

/** An `ok` verdict. */
export function ok(detail: string): Verdict {
  return { status: "ok", detail };
}

/** A `FAIL` verdict. */
export function fail(detail: string, advice: string, more: readonly string[] = []): Verdict {
  return { status: "FAIL", detail, advice, ...(more.length > 0 ? { more } : {}) };
}

/** A `skip` verdict: the check could not run, for a reason another row shows. */
export function skip(detail: string): Verdict {
  return { status: "skip", detail };
}

/** The table: one line per row, then the extra causes and the advice of a failure, indented. */
export function formatTable(rows: readonly CheckRow[]): string {
  const width = Math.max(...rows.map((r) => r.check.length));
  const indent = " ".repeat(6 + width + 2);
  const lines: string[] = [];
  for (const { check, verdict } of rows) {
    lines.push(`${verdict.status.padEnd(4)}  ${check.padEnd(width)}  ${verdict.detail}`);
    switch (verdict.status) {
      case "ok":
      case "skip":
        break;
      case "FAIL":
        for (const line of verdict.more ?? []) lines.push(`${indent}${line}`);
        lines.push(`${indent}advice: ${verdict.advice}`);
        break;
      default:
        verdict satisfies never;
    }
  }
  return lines.join("\n") + "\n";
}
