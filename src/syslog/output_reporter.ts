/** How outputs and the listener report their problems: once per episode, never per line. */

/** Receives one message per failure episode (and one when the output recovers). */
export type OutputReporter = (severity: "warn" | "info", message: string) => void;
