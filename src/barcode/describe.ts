/**
 * A safe, printable, length-capped rendering of any raw scan text for logs and screens: a scanner can
 * send escape sequences or megabytes of noise, and neither may reach a terminal or a log line as is.
 * O(min(n, maxChars)).
 */

/**
 * `text` with printable ASCII kept, `\` doubled and anything else shown as \xNN (or \u{…} above 0xFF),
 * so the output is unambiguous; cut after `maxChars` characters, saying the full length (in UTF-16 units).
 */
export function describeScan(text: string, maxChars = 64): string {
  let out = '';
  let shown = 0;
  let cut = false;
  for (const char of text) {
    if (shown === maxChars) {
      cut = true;
      break;
    }
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\') out += '\\\\';
    else if (code >= 0x20 && code <= 0x7e) out += char;
    else if (code <= 0xff) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += `\\u{${code.toString(16)}}`;
    shown++;
  }
  return cut ? `${out}... (length ${text.length})` : out;
}
