/**
 * Words that do not fit a grammar: `chaperone`'s command line, a `ctl` command, a line written
 * to the command FIFO. One class for all of them, so a caller that prints usage text (main,
 * ctl) recognises a usage error wherever it was found; the message says what is wrong and the
 * caller adds its own usage text.
 */
export class UsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}
