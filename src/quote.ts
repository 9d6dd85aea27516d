/**
 * Text that comes from a file (a tensor name, a metadata value, a CSV field) made safe for a one-line message:
 * no control character of it reaches the terminal, and no long text floods it (DESIGN.md, "Reliability
 * contract").
 */

/**
 * The characters escaped: controls (C0, DEL, C1), format characters (the bidi controls, zero-width ones),
 * the line and paragraph separators, lone surrogates.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/** `c` as a `\uXXXX` escape (`\u{XXXXX}` beyond the basic plane). */
function unicodeEscape(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` in double quotes for a message: its quotes and backslashes escaped, every control character as
 * `\uXXXX`; past 60 characters it is cut, the cut marked by `...` after the closing quote.
 */
export function quoted(text: string): string {
  const shown = text.slice(0, 60);
  const body = shown.replace(/["\\]/g, '\\$&').replace(UNSAFE, unicodeEscape);
  return `"${body}"${shown === text ? '' : '...'}`;
}

/**
 * `text` that quotes a file in its own way (a parser's message), or is shown whole (a metadata value), with
 * every control character as `\uXXXX`; past `limit` characters (default 200) it is cut, the cut marked by `...`.
 */
export function escaped(text: string, limit = 200): string {
  const shown = text.slice(0, limit);
  return shown.replace(UNSAFE, unicodeEscape) + (shown === text ? '' : '...');
}
