/** Splits a byte stream into UTF-8 lines (invalid bytes replaced, Decision 6). */

/** Longest line handed on in one piece; longer lines are split, never fatal. */
export const MAX_LINE = 64 * 1024;

/** Calls `onLine` for each line of `stream` (without its newline, right-trimmed). */
export async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  const decoder = new TextDecoder("utf-8", { fatal: false });
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    let nl = pending.indexOf("\n");
    while (nl >= 0) {
      onLine(pending.slice(0, nl).trimEnd());
      pending = pending.slice(nl + 1);
      nl = pending.indexOf("\n");
    }
    while (pending.length > MAX_LINE) {
      onLine(pending.slice(0, MAX_LINE));
      pending = pending.slice(MAX_LINE);
    }
  }
  pending += decoder.decode();
  if (pending.trimEnd() !== "") onLine(pending.trimEnd());
}
