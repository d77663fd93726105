/**
 * What a thrown value says. `catch` binds `unknown` (useUnknownInCatchVariables), and a library
 * or a service's protocol peer may throw a string or a plain object, so every message built from
 * a caught value goes through here instead of repeating `e instanceof Error ? … : …`.
 */

/** The message of an Error; any other thrown value as a string. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The stack of an Error (`Name: message` when it has none); any other value as a string. */
export function errorStack(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
