/**
 * The configuration dump `--debug` prints (docs/command-line.md), the successor of the
 * original's `FULL CONFIGURATION: {...}` debug line: the configuration as the run will use it,
 * resolved (defaults applied, users looked up, directives expanded), as indented JSON so that a
 * person can read it and a script can parse it.
 */
import type { Config, LoggingSpec, ServiceSpec, SourcePos } from "../config/schema.ts";

/** Where a section was written, as `file:line`. */
function where(pos: SourcePos): string {
  return pos.line === undefined ? pos.file : `${pos.file}:${pos.line}`;
}

function service(spec: ServiceSpec): Record<string, unknown> {
  return { ...spec, pos: where(spec.pos) };
}

function logging(spec: LoggingSpec): Record<string, unknown> {
  return { ...spec, selector: spec.selector.text, pos: where(spec.pos) };
}

/** Sorts an object's keys, so the dump of one configuration is always the same text. */
function sorted(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * The dump of `config` with `services` (the configured ones plus the command-line command, as
 * they will be started): `FULL CONFIGURATION: ` and the JSON text, ending with a newline.
 */
export function formatConfigDump(config: Config, services: readonly ServiceSpec[]): string {
  const dump = {
    path: config.path,
    ...(config.configDir !== undefined ? { configDir: config.configDir } : {}),
    settings: {
      ...config.settings,
      controlSocketMode: `0${config.settings.controlSocketMode.toString(8)}`,
    },
    ...(config.user !== undefined ? { user: config.user } : {}),
    // As configured, not expanded: expanding would run the settings' backticks a second time.
    environment: sorted(config.settingsEnv.raw()),
    services: services.map(service),
    logging: config.logging.map(logging),
  };
  return `FULL CONFIGURATION: ${JSON.stringify(dump, null, 2)}\n`;
}
