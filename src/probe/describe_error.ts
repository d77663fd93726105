/**
 * Short words for what went wrong in an attempt (`connection refused`, `no such file`), shown
 * in log lines and `ctl status`, where Deno's messages (`Connection refused (os error 111)`,
 * `error sending request for url (...): client error (Connect): ...`) would be noise.
 */
import { errorMessage } from "../text/error_message.ts";

const OS_ERROR_REGEXP = /\s*\(os error \d+\)\s*$/;

/** The short description of an error thrown by Deno's network, file or process APIs. */
export function describeError(error: unknown): string {
  if (error instanceof Deno.errors.ConnectionRefused) return "connection refused";
  if (error instanceof Deno.errors.ConnectionReset) return "connection reset";
  if (error instanceof Deno.errors.NotFound) return "no such file";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.TimedOut) return "timed out";
  const message = errorMessage(error);
  if (/failed to lookup address|Name or service not known|dns error/i.test(message)) {
    return "cannot resolve the host name";
  }
  if (/connection refused/i.test(message)) return "connection refused";
  return message.replace(OS_ERROR_REGEXP, "").toLowerCase() || "failed";
}
