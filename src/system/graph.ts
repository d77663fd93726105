/**
 * Start-up ordering of services (docs/configuration.md, `after`, `before`, `service_groups`;
 * Decision 4 in docs/migration.md). Pure: turns the `after`,
 * `before` and `service_groups` directives into a prerequisite graph, a start order and the
 * text shown by `--show-dependencies` and `ctl dependencies`. The supervisor starts services
 * concurrently and only uses the prerequisite sets; the order matters for display and for
 * stopping dependents first.
 */

/** The fields of a service the graph needs (`ServiceSpec` satisfies it). */
export interface GraphService {
  /** Full name: `foo.service`, or `CONSOLE`. */
  readonly name: string;
  /** Groups as written; none means `default`. */
  readonly groups: readonly string[];
  /** Service or group names this service starts after. */
  readonly after: readonly string[];
  /** Service or group names this service starts before. */
  readonly before: readonly string[];
}

/** Thrown when the declarations make a service (indirectly) wait for itself. */
export class DependencyCycleError extends Error {
  /** The services on the cycle, the first repeated at the end. */
  readonly cycle: readonly string[];
  constructor(cycle: readonly string[]) {
    super(`circular dependency in service declaration: ${cycle.join(" -> ")}`);
    this.name = "DependencyCycleError";
    this.cycle = cycle;
  }
}

/** Group whose members start after every service outside it. */
const IDLE_GROUP = "IDLE";
/** Group whose members start before every service outside it. */
const INIT_GROUP = "INIT";
/** The command-line command's service; it always belongs to IDLE (docs/command-line.md). */
const CONSOLE_NAME = "CONSOLE";
const DEFAULT_GROUP = "default";
const SEPARATOR = " | ";

/** Orders by code units, like Python's `sorted()`, so output does not depend on locale. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Name shown in the graph text: without the `.service` suffix. */
function shortName(name: string): string {
  return name.endsWith(".service") ? name.slice(0, -".service".length) : name;
}

/** Prerequisite graph and start order of a set of services. */
export class DependencyGraph {
  /** Service names in start-up order: depth-first post-order, visiting in name order. */
  readonly order: string[];
  #prerequisites: Map<string, readonly string[]>;
  #dependents: Map<string, readonly string[]>;

  private constructor(order: string[], prerequisites: Map<string, readonly string[]>) {
    this.order = order;
    this.#prerequisites = prerequisites;
    const dependents = new Map<string, string[]>(order.map((name) => [name, []]));
    for (const [name, prereqs] of prerequisites) {
      for (const p of prereqs) dependents.get(p)?.push(name);
    }
    for (const list of dependents.values()) list.sort(byName);
    this.#dependents = dependents;
  }

  /**
   * Builds the graph (Decision 4: `after` naming a group delays only that member). Names in
   * `after`/`before` that are neither
   * a service nor a group are ignored. Throws DependencyCycleError on a cycle and RangeError
   * on a duplicate service name.
   */
  static from(specs: Iterable<GraphService>): DependencyGraph {
    const groupsOf = new Map<string, readonly string[]>();
    const after = new Map<string, Set<string>>();
    const before = new Map<string, Set<string>>();
    for (const spec of specs) {
      if (groupsOf.has(spec.name)) {
        throw new RangeError(`Cannot build dependency graph: duplicate service "${spec.name}"`);
      }
      let groups = spec.groups.length > 0 ? [...spec.groups] : [DEFAULT_GROUP];
      if (spec.name === CONSOLE_NAME && !groups.includes(IDLE_GROUP)) {
        groups = [...groups, IDLE_GROUP];
      }
      groupsOf.set(spec.name, groups);
      after.set(spec.name, new Set(spec.after));
      before.set(spec.name, new Set(spec.before));
    }
    const names = [...groupsOf.keys()].sort(byName);

    // Step 1: group → members.
    const members = new Map<string, string[]>();
    for (const name of names) {
      for (const g of groupsOf.get(name)!) {
        const list = members.get(g) ?? [];
        if (!list.includes(name)) list.push(name);
        members.set(g, list);
      }
    }

    // Step 2: IDLE members wait for everything outside IDLE; INIT members precede everything
    // outside INIT (expressed as `before`, converted in step 3 like any other).
    const inGroup = (name: string, group: string) => groupsOf.get(name)!.includes(group);
    for (const name of members.get(IDLE_GROUP) ?? []) {
      for (const other of names) if (!inGroup(other, IDLE_GROUP)) after.get(name)!.add(other);
    }
    for (const name of members.get(INIT_GROUP) ?? []) {
      for (const other of names) if (!inGroup(other, INIT_GROUP)) before.get(name)!.add(other);
    }

    // Step 3: "X before Y" becomes "Y after X"; a group Y means every member of Y.
    for (const name of names) {
      for (const target of before.get(name)!) {
        const group = members.get(target);
        if (group) {
          for (const m of group) after.get(m)!.add(name);
        } else if (after.has(target)) {
          after.get(target)!.add(name);
        }
      }
    }

    // Step 4 (Decision 4): `after: G` on a service makes that service, and only that one,
    // wait for every member of G. The original spread it to every member of the service's
    // own groups; the documentation says it applies to the one service.
    const prerequisites = new Map<string, readonly string[]>();
    for (const name of names) {
      const deps = new Set<string>();
      for (const target of after.get(name)!) {
        for (const m of members.get(target) ?? []) deps.add(m);
        if (after.has(target)) deps.add(target);
      }
      prerequisites.set(name, [...deps].sort(byName));
    }

    return new DependencyGraph(
      DependencyGraph.#sortTopologically(names, prerequisites),
      prerequisites,
    );
  }

  /** Depth-first post-order in name order, as the original, so the display order matches it. */
  static #sortTopologically(
    names: readonly string[],
    prerequisites: ReadonlyMap<string, readonly string[]>,
  ): string[] {
    const order: string[] = [];
    const done = new Set<string>();
    const path: string[] = [];
    const onPath = new Set<string>();
    const visit = (name: string) => {
      if (onPath.has(name)) {
        throw new DependencyCycleError([...path.slice(path.indexOf(name)), name]);
      }
      if (done.has(name)) return;
      path.push(name);
      onPath.add(name);
      for (const p of prerequisites.get(name)!) visit(p);
      path.pop();
      onPath.delete(name);
      done.add(name);
      order.push(name);
    };
    for (const name of names) visit(name);
    return order;
  }

  /** True when the graph has a service of that name. */
  has(name: string): boolean {
    return this.#prerequisites.has(name);
  }

  /** Services that must be up before `name` starts, sorted by name. Throws RangeError if unknown. */
  prerequisitesOf(name: string): readonly string[] {
    const list = this.#prerequisites.get(name);
    if (!list) throw new RangeError(`Unknown service "${name}"`);
    return list;
  }

  /** Services that wait for `name`, sorted by name. Throws RangeError if unknown. */
  dependentsOf(name: string): readonly string[] {
    const list = this.#dependents.get(name);
    if (!list) throw new RangeError(`Unknown service "${name}"`);
    return list;
  }

  /** Service names in stopping order: dependents before their prerequisites. */
  stopOrder(): string[] {
    return [...this.order].reverse();
  }

  /**
   * The dependency chart (docs/command-line.md), lines joined by "\n" without a final newline. Each bar
   * starts after the column where its last prerequisite's name ends and runs to the end of the
   * service's own name; trailing spaces are kept as the original prints them.
   */
  format(): string {
    const shorts = this.order.map(shortName);
    const width = Math.max(0, ...shorts.map((s) => s.length));
    const endColumn = new Map<string, number>();
    let column = 0;
    this.order.forEach((name, i) => {
      const len = shorts[i]!.length;
      endColumn.set(name, column + len - 1);
      column += len + SEPARATOR.length;
    });
    const lines = [" ".repeat(width + SEPARATOR.length) + shorts.join(SEPARATOR)];
    this.order.forEach((name, i) => {
      const ends = this.prerequisitesOf(name).map((p) => endColumn.get(p)!);
      const start = ends.length > 0 ? Math.max(...ends) + 1 : 0;
      const bar = " ".repeat(start) + "=".repeat(endColumn.get(name)! - start + 1);
      lines.push(shorts[i]!.padEnd(width) + SEPARATOR + bar);
    });
    lines.push("-".repeat(width) + "-> depends on...");
    this.order.forEach((name, i) => {
      const prereqs = this.prerequisitesOf(name).map(shortName).join(", ");
      lines.push(shorts[i]!.padEnd(width) + SEPARATOR + prereqs);
    });
    return lines.join("\n");
  }
}
