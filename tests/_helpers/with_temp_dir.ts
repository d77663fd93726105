/** Runs `fn` with a fresh temporary directory and removes it afterwards, whatever `fn` did. */
export async function withTempDir<T>(
  fn: (dir: string) => T | Promise<T>,
  prefix?: string,
): Promise<T> {
  const dir = await Deno.makeTempDir(prefix === undefined ? {} : { prefix });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
