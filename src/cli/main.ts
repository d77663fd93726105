/** Subcommand table; maps errors to exit codes. */
export function main(_args: string[]): Promise<number> {
  return Promise.resolve(0);
}
