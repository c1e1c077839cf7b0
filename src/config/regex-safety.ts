/**
 * Finds the barcode patterns that can freeze the kiosk. JavaScript regular expressions backtrack, and a
 * group repeated without bound that itself holds a repetition without bound, such as `^(\d+)+$`, takes
 * time exponential in the length of a scan that almost matches: a 40-digit scan ending in a letter
 * would hold the kiosk for hours, with nothing journaled meanwhile. This is the usual "nested
 * quantifier" test (as safe-regex does); it does not catch every slow pattern (`(a|aa)+` slips by), but
 * it catches the one a technician writes by accident.
 */

/** An unbounded quantifier at `i` (`*`, `+`, `{n,}`); returns its length, or 0. */
function unboundedAt(source: string, i: number): number {
  const c = source[i];
  if (c === '*' || c === '+') return 1;
  if (c !== '{') return 0;
  const m = /^\{\d+,\}/.exec(source.slice(i));
  return m ? m[0].length : 0;
}

/**
 * The first group repeated without bound that holds a repetition without bound, as written in the
 * pattern (e.g. "(\d+)+"), or undefined when there is none. Expects a pattern that compiles.
 */
export function nestedRepetition(source: string): string | undefined {
  /** For each open group: where it starts, and whether an unbounded quantifier is inside it. */
  const open: { start: number; unbounded: boolean }[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++; // an escaped character is a literal (or a class such as \d): skip it
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      continue;
    }
    if (c === '(') {
      open.push({ start: i, unbounded: false });
      continue;
    }
    const length = unboundedAt(source, i);
    if (c === ')') {
      const group = open.pop();
      if (!group) continue;
      const after = unboundedAt(source, i + 1);
      if (after > 0 && group.unbounded) return source.slice(group.start, i + 1 + after);
      // What the group holds is inside its enclosing group too.
      const outer = open.at(-1);
      if (outer && (group.unbounded || after > 0)) outer.unbounded = true;
      if (after > 0) i += after;
      continue;
    }
    if (length > 0) {
      const inner = open.at(-1);
      if (inner) inner.unbounded = true;
      i += length - 1;
    }
  }
  return undefined;
}
