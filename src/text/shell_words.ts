/**
 * Shell-word splitting and quoting with Python `shlex` POSIX rules (`shlex.split`,
 * `shlex.quote`), used for `command`, `_CHAP_OPTIONS` and control-command arguments.
 * No shell runs: no globbing, no `$VAR`, and `#` is an ordinary character (shlex.split
 * disables comments).
 */

const WHITESPACE = " \t\r\n";
const UNSAFE_REGEXP = /[^A-Za-z0-9_@%+=:,./-]/;

type State =
  | { kind: "between" }
  | { kind: "word" }
  | { kind: "quote"; quote: "'" | '"' }
  | { kind: "escape"; after: "word" | '"' };

/** Splits `text` into words like Python's `shlex.split(text)`; throws SyntaxError on open quotes. */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let state: State = { kind: "between" };
  for (const c of text) {
    switch (state.kind) {
      case "between":
      case "word":
        if (WHITESPACE.includes(c)) {
          if (state.kind === "word") {
            words.push(word);
            word = "";
          }
          state = { kind: "between" };
        } else if (c === "'" || c === '"') {
          // Entering a quote starts a word even if it stays empty: '' is a word of its own.
          state = { kind: "quote", quote: c };
        } else if (c === "\\") {
          state = { kind: "escape", after: "word" };
        } else {
          word += c;
          state = { kind: "word" };
        }
        break;
      case "quote":
        if (c === state.quote) {
          state = { kind: "word" };
        } else if (c === "\\" && state.quote === '"') {
          state = { kind: "escape", after: '"' };
        } else {
          word += c;
        }
        break;
      case "escape":
        // Inside double quotes only the quote and the backslash itself can be escaped.
        if (state.after === '"' && c !== '"' && c !== "\\") word += "\\";
        word += c;
        state = state.after === "word" ? { kind: "word" } : { kind: "quote", quote: '"' };
        break;
      default: {
        const _exhaustive: never = state;
        throw new TypeError(`Unexpected state ${JSON.stringify(_exhaustive)}`);
      }
    }
  }
  switch (state.kind) {
    case "between":
      break;
    case "word":
      words.push(word);
      break;
    case "quote":
      throw new SyntaxError("No closing quotation");
    case "escape":
      throw new SyntaxError("No escaped character");
    default: {
      const _exhaustive: never = state;
      throw new TypeError(`Unexpected state ${JSON.stringify(_exhaustive)}`);
    }
  }
  return words;
}

/** Quotes `word` so that {@linkcode splitShellWords} (or a POSIX shell) reads it back as one word. */
export function quoteShellWord(word: string): string {
  if (word === "") return "''";
  if (!UNSAFE_REGEXP.test(word)) return word;
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}
