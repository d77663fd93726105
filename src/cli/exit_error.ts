/**
 * A run that ends before anything starts (not PID 1, a configuration error, a user that does
 * not exist …): what it prints, where, and its exit status (docs/exit-codes.md). `run.ts`
 * throws it; `main.ts`, the one place that maps outcomes to exit codes, prints it and exits.
 */
export class ExitError extends Error {
  /** The text printed, as it is (with its final newline). */
  readonly text: string;
  readonly code: number;
  readonly stream: "stdout" | "stderr";

  constructor(text: string, options: { code?: number; stream?: "stdout" | "stderr" } = {}) {
    super(text.trimEnd());
    this.name = "ExitError";
    this.text = text;
    this.code = options.code ?? 1;
    this.stream = options.stream ?? "stderr";
  }
}
