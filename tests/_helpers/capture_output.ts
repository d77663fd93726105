import type { CommandOutput } from "../../src/cli/ctl.ts";

/** A CommandOutput that keeps what a subcommand prints, for the test to compare. */
export class CaptureOutput implements CommandOutput {
  stdout = "";
  stderr = "";
  out = (text: string): void => {
    this.stdout += text;
  };
  err = (text: string): void => {
    this.stderr += text;
  };
}
