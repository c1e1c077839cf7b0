/**
 * Says where and why a config file is not JSON, in words a technician acts on: the line and column, and
 * for the habits JSON doesn't allow (comments, a comma after the last entry, single quotes, keys without
 * quotes) what to change. V8's own message gives neither the line nor the habit. Only called after
 * JSON.parse failed; one pass with an explicit stack (no recursion, so any nesting depth is fine): O(n).
 */

export interface JsonSyntaxProblem {
  /** 1-based line and column (in UTF-16 units, as editors count for ASCII text) of the first error. */
  line: number;
  column: number;
  /** What is wrong there and what is expected, e.g. "a comment, which JSON doesn't allow, expected …". */
  message: string;
}

/** What the scanner may meet next. `firstKey`/`firstValue` follow an opening bracket, where it may close. */
type Expect = 'value' | 'firstValue' | 'key' | 'firstKey' | 'colon' | 'after' | 'end';

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z_$][\w$]*/y;
const VALUE = 'a value (a "string", a number, true, false, null, {…} or […])';

/** Shows the character at `i` so a message can name it: "end of file", "'x'" or a code for a control. */
function describeChar(text: string, i: number): string {
  if (i >= text.length) return 'the end of the file';
  const c = text.codePointAt(i) ?? 0;
  if (c < 0x20 || c === 0x7f) return `a control character (code ${c})`;
  if (c === 0xfeff) return 'a byte order mark';
  // Beyond ASCII by its code: some (U+2028) would break the message's line in a terminal.
  if (c > 0x7e) return `the character U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  return JSON.stringify(String.fromCodePoint(c));
}

/** The first syntax error of `text` as JSON, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | undefined {
  const at = (i: number, message: string): JsonSyntaxProblem => {
    let line = 1;
    let lineStart = 0;
    for (let j = text.indexOf('\n'); j !== -1 && j < i; j = text.indexOf('\n', j + 1)) {
      line++;
      lineStart = j + 1;
    }
    return { line, column: i - lineStart + 1, message };
  };
  const stack: ('}' | ']')[] = [];
  let expect: Expect = 'value';
  let i = 0;
  while (true) {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
    const c = text[i];
    if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*'))
      return at(i, "a comment, which JSON doesn't allow, expected the text without comments");
    if (c === undefined) {
      if (expect === 'end') return undefined;
      const open = stack.at(-1);
      return at(
        i,
        open
          ? `the file ends inside ${open === '}' ? 'an object' : 'a list'}, expected a closing "${open}"`
          : `the file is empty, expected ${VALUE}`,
      );
    }
    if (expect === 'end')
      return at(i, `${describeChar(text, i)} after the end of the JSON, expected nothing`);

    if (expect === 'after') {
      const close = stack.at(-1);
      if (c === ',') {
        let j = i + 1;
        while (j < text.length && ' \t\n\r'.includes(text[j]!)) j++;
        if (text[j] === '}' || text[j] === ']')
          return at(
            i,
            `a comma before "${text[j]}", which JSON doesn't allow, expected no comma after the last entry`,
          );
        expect = close === '}' ? 'key' : 'value';
        i++;
        continue;
      }
      if (c === close) {
        stack.pop();
        expect = stack.length === 0 ? 'end' : 'after';
        i++;
        continue;
      }
      return at(i, `${describeChar(text, i)}, expected "," or "${close}"`);
    }

    if (expect === 'colon') {
      if (c !== ':') return at(i, `${describeChar(text, i)} after a key, expected ":"`);
      expect = 'value';
      i++;
      continue;
    }

    if (expect === 'key' || expect === 'firstKey') {
      if (c === '}' && expect === 'firstKey') {
        stack.pop();
        expect = stack.length === 0 ? 'end' : 'after';
        i++;
        continue;
      }
      if (c === '"') {
        const end = scanString(text, i);
        if (typeof end !== 'number') return at(end.at, end.message);
        i = end;
        expect = 'colon';
        continue;
      }
      if (c === "'") return at(i, 'a key in single quotes, expected double quotes ("key")');
      WORD.lastIndex = i;
      const word = WORD.exec(text)?.[0];
      if (word !== undefined)
        return at(i, `the key ${word} without quotes, expected "${word}" in double quotes`);
      return at(
        i,
        `${describeChar(text, i)}, expected a key in double quotes${expect === 'firstKey' ? ' or "}"' : ''}`,
      );
    }

    // expect is 'value' or 'firstValue'
    if (c === ']' && expect === 'firstValue') {
      stack.pop();
      expect = stack.length === 0 ? 'end' : 'after';
      i++;
      continue;
    }
    if (c === '{' || c === '[') {
      stack.push(c === '{' ? '}' : ']');
      expect = c === '{' ? 'firstKey' : 'firstValue';
      i++;
      continue;
    }
    if (c === '"') {
      const end = scanString(text, i);
      if (typeof end !== 'number') return at(end.at, end.message);
      i = end;
    } else if (c === "'") {
      return at(i, 'a text in single quotes, expected double quotes ("text")');
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const number = NUMBER.exec(text)?.[0];
      if (number === undefined) return at(i, `a malformed number, expected digits such as 12 or -1.5`);
      i += number.length;
    } else {
      WORD.lastIndex = i;
      const word = WORD.exec(text)?.[0];
      if (word === 'true' || word === 'false' || word === 'null') {
        i += word.length;
      } else if (word !== undefined) {
        return at(i, `the word ${word}, expected ${VALUE}; text needs double quotes ("${word}")`);
      } else {
        return at(i, `${describeChar(text, i)}, expected ${VALUE}`);
      }
    }
    expect = stack.length === 0 ? 'end' : 'after';
  }
}

/** The index after the string starting at `start` (a `"`), or where and why it is broken. */
function scanString(text: string, start: number): number | { at: number; message: string } {
  let i = start + 1;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code < 0x20)
      return {
        at: i,
        message:
          code === 0x0a
            ? 'a line break inside a text, expected the closing " on the same line (or \\n)'
            : `a control character (code ${code}) inside a text, expected it escaped (such as \\t)`,
      };
    if (code === 0x5c) {
      const next = text[i + 1];
      if (next === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)))
          return { at: i, message: 'a \\u escape without four hex digits, expected such as \\u00e9' };
        i += 6;
        continue;
      }
      if (next === undefined || !'"\\/bfnrt'.includes(next)) {
        const what =
          next !== undefined && /^[\x21-\x7e]$/.test(next)
            ? `the escape \\${next}`
            : `a backslash before ${describeChar(text, i + 1)}`;
        return {
          at: i,
          message: `${what} which JSON doesn't know, expected \\\\ for a backslash (a pattern's \\d is written \\\\d)`,
        };
      }
      i += 2;
      continue;
    }
    i++;
  }
  return { at: start, message: 'a text that is never closed, expected a closing "' };
}
