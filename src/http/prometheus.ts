/**
 * Prometheus' text exposition format (version 0.0.4), which `GET /metrics` answers with
 * (docs/docker.md, "Prometheus"): for each metric family a `# HELP` and a `# TYPE` line, then
 * one line per sample, `name{label="value",...} number`. Label values escape `\`, `"` and
 * newlines; help text escapes `\` and newlines. Pure.
 */

/** The content type of the format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** One sample: its labels and value. */
export interface Sample {
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A metric family: one name, one type, its samples. */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge";
  readonly samples: readonly Sample[];
}

const NAME_REGEXP = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_REGEXP = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => c === "\n" ? "\\n" : `\\${c}`);
}

function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => c === "\n" ? "\\n" : "\\\\");
}

/** A number as the format writes it (`NaN`, `+Inf`, `-Inf`, else JavaScript's shortest form). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/** The families as one document. Throws TypeError for an invalid metric or label name (a bug). */
export function formatPrometheus(families: readonly MetricFamily[]): string {
  let out = "";
  for (const family of families) {
    if (!NAME_REGEXP.test(family.name)) throw new TypeError(`bad metric name ${family.name}`);
    out += `# HELP ${family.name} ${escapeHelp(family.help)}\n`;
    out += `# TYPE ${family.name} ${family.type}\n`;
    for (const sample of family.samples) {
      const labels = Object.entries(sample.labels ?? {});
      let labelText = "";
      if (labels.length > 0) {
        labelText = "{" + labels.map(([key, value]) => {
          if (!LABEL_REGEXP.test(key)) throw new TypeError(`bad label name ${key}`);
          return `${key}="${escapeLabel(value)}"`;
        }).join(",") + "}";
      }
      out += `${family.name}${labelText} ${formatValue(sample.value)}\n`;
    }
  }
  return out;
}
