/** Chaperone: a process manager for containers. Entry point for `deno run` and `deno compile`. */
import { main } from "./src/cli/main.ts";

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
