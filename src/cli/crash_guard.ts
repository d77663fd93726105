/**
 * The last line of defence of PID 1: an exception that escapes a callback (a timer, a signal
 * handler, a socket's read loop) or a promise rejection nobody handles would end the Deno
 * process, and with PID 1 the whole container. Every event source already ends in a handler
 * of its own (the supervisor guards each effect); this catches what a bug lets through, logs it
 * at err with its stack, and keeps running.
 */
import { errorStack } from "../text/error_message.ts";

/**
 * Installs global `error` and `unhandledrejection` handlers that report the error through
 * `report` and prevent the default (ending the process). Returns a function that removes them.
 */
export function installCrashGuard(report: (message: string) => void): () => void {
  const say = (message: string) => {
    try {
      report(message);
    } catch {
      // Logging itself is broken: the console is all that is left.
      try {
        Deno.stderr.writeSync(new TextEncoder().encode(`${message}\n`));
      } catch {
        // Nowhere to say it; staying alive matters more.
      }
    }
  };
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    say(`uncaught exception (Chaperone carries on): ${errorStack(event.error ?? event.message)}`);
  };
  const onRejection = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    say(`unhandled promise rejection (Chaperone carries on): ${errorStack(event.reason)}`);
  };
  globalThis.addEventListener("error", onError);
  globalThis.addEventListener("unhandledrejection", onRejection);
  return () => {
    globalThis.removeEventListener("error", onError);
    globalThis.removeEventListener("unhandledrejection", onRejection);
  };
}
