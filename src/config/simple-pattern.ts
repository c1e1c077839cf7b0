/**
 * A cheap proof that recheck would accept a barcode pattern, so the config needs no recheck analysis
 * (regex-safety.ts: 2.9 MB to load, 1 ms to seconds a pattern) for the patterns technicians mostly
 * write, such as `^2\d{13}$`, `^97[89]\d{10}$`, `^[A-Z]{2}\d{6,10}$` or `^X\d+$`. O(pattern length).
 *
 * The grammar: optional `^`, then single-character atoms (letters, digits, a few punctuation marks, `.`,
 * `\d \D \w \W \s \S`, escaped syntax characters, plain character classes), each optionally quantified
 * (`* + ?`, `{n}`, `{n,}`, `{n,m}`, lazy or not), then optional `$`. No groups, no alternation, no
 * backreferences, no lookaround, nothing non-ASCII.
 *
 * Why such a pattern is fast: with no groups, every quantifier repeats one character class, so the only
 * loops of its automaton are single states looping on themselves; no state can come back to itself two
 * ways, which exponential backtracking needs. Polynomial backtracking has the degree of the longest chain
 * of loops a failing scan runs through, plus one for a pattern not anchored at the start (every start is
 * tried); counted here, to be safe, with every varying quantifier as a loop and one more for a pattern
 * not anchored at the end. Accepted only up to 2: recheck answers "safe" or "quadratic" (degree 2), both
 * of which regex-safety.ts accepts.
 *
 * Why recheck would say so in time: it decides by automata while the repeat counts add up to at most 30
 * (past that it fuzzes, and calls `\/{64}$` cubic), and its automata grow with the unrolled counts and
 * the character sets: `^\w{13}\d+$` takes it 2 s, `^\D{6}\s\W*` 5 s, against its 3 s limit. So the
 * counts here add up to at most 20, and a pattern with a loop (`* +`, `{n,}`) must also be short (at most
 * 6 characters' worth unrolled) and narrow (digits, literals, classes without `^`): measured at most
 * 300 ms on a busy machine, 11 ms without a loop. test/config/simple-pattern.test.ts checks the verdicts
 * against recheck itself on generated patterns. Anything else goes to recheck.
 */

/** Characters that stand for themselves outside and inside a class. */
const LITERAL = /^[A-Za-z0-9 !"#%&',\-/:;<=>@_`~]$/;
/** Escapes of a character set; `\d` alone is narrow. */
const SET_ESCAPES = 'dDwWsS';
/** Escapes of a syntax character, standing for that character. */
const SYNTAX_ESCAPES = '^$\\.*+?()[]{}|/';
/** The most the numbers written in `{n}`, `{n,}` and `{n,m}` may add up to. */
const REPEAT_BUDGET = 20;
/** The most characters a pattern with a loop may take unrolled (each loop counting its minimum, or 1). */
const LOOP_PATTERN_SIZE = 6;
/** The largest number of loops (and unanchored ends) whose backtracking is at most quadratic. */
const MAX_DEGREE = 2;

interface Atom {
  /** Index just past the atom. */
  end: number;
  /** Digits, one literal, or a class of those without `^`: small character sets for recheck. */
  narrow: boolean;
}

/** The plain character class starting at `start` ('['), or undefined if it isn't one. */
function characterClass(source: string, start: number): Atom | undefined {
  let i = start + 1;
  let narrow = true;
  if (source[i] === '^') {
    narrow = false;
    i++;
  }
  const first = i;
  while (i < source.length) {
    const c = source[i]!;
    if (c === ']') return i > first ? { end: i + 1, narrow } : undefined;
    if (c === '\\') {
      const e = source[i + 1];
      if (e === undefined || !(SET_ESCAPES.includes(e) || SYNTAX_ESCAPES.includes(e) || e === '-'))
        return undefined;
      if (SET_ESCAPES.includes(e) && e !== 'd') narrow = false;
      i += 2;
      // An escape can't start a range ("[\d-z]"): such a '-' must end the class.
      if (source[i] === '-' && source[i + 1] !== ']') return undefined;
      continue;
    }
    if (!LITERAL.test(c)) return undefined;
    if (c === '-' && i !== first && source[i + 1] !== ']') return undefined;
    if (c !== '-' && source[i + 1] === '-' && source[i + 2] !== ']') {
      const to = source[i + 2];
      if (to === undefined || to === '-' || !LITERAL.test(to) || to < c) return undefined;
      i += 3;
      if (source[i] === '-' && source[i + 1] !== ']') return undefined;
      continue;
    }
    i++;
  }
  return undefined;
}

/** The atom at `at`, or undefined if none of the grammar's starts there. */
function atom(source: string, at: number): Atom | undefined {
  const c = source[at]!;
  if (c === '\\') {
    const e = source[at + 1];
    if (e === undefined || !(SET_ESCAPES.includes(e) || SYNTAX_ESCAPES.includes(e))) return undefined;
    return { end: at + 2, narrow: !SET_ESCAPES.includes(e) || e === 'd' };
  }
  if (c === '[') return characterClass(source, at);
  if (c === '.') return { end: at + 1, narrow: false };
  return LITERAL.test(c) ? { end: at + 1, narrow: true } : undefined;
}

interface Quantifier {
  end: number;
  /** The count varies (`? * +`, `{n,}`, `{n,m}` with n < m). */
  varies: boolean;
  /** Unbounded (`* +`, `{n,}`): a loop of the automaton. */
  loop: boolean;
  /** The numbers written in braces, added. */
  written: number;
  /** Characters' worth when unrolled: the most it takes, or for a loop its minimum (at least 1). */
  size: number;
}

const ONCE: Quantifier = { end: 0, varies: false, loop: false, written: 0, size: 1 };

/** The quantifier at `at` (ONCE with end `at` for none); undefined when `{` starts none accepted here. */
function quantifier(source: string, at: number): Quantifier | undefined {
  const c = source[at];
  let q: Quantifier;
  if (c === '*' || c === '+') q = { end: at + 1, varies: true, loop: true, written: 0, size: 1 };
  else if (c === '?') q = { end: at + 1, varies: true, loop: false, written: 0, size: 1 };
  else if (c === '{') {
    const m = /^\{(\d{1,2})(,(\d{0,2}))?\}/.exec(source.slice(at, at + 8));
    if (!m) return undefined;
    const min = Number(m[1]);
    const loop = m[3] === '';
    const max = m[2] === undefined ? min : loop ? Infinity : Number(m[3]);
    if (max < min) return undefined;
    q = {
      end: at + m[0].length,
      varies: max !== min,
      loop,
      written: min + (loop ? 0 : max !== min ? max : 0),
      size: loop ? Math.max(min, 1) : max,
    };
  } else return { ...ONCE, end: at };
  if (source[q.end] === '?') q.end++; // lazy: the same automaton, tried in the other order
  return q;
}

/** True when `source` is in the grammar above and within its limits: recheck would accept it. */
export function provablyFastPattern(source: string): boolean {
  let i = 0;
  let degree = 0;
  let written = 0;
  let size = 0;
  let loops = 0;
  let allNarrow = true;
  if (source[0] === '^') i = 1;
  else degree++;
  let anchoredEnd = false;
  while (i < source.length) {
    if (source[i] === '$') {
      if (i !== source.length - 1) return false;
      anchoredEnd = true;
      break;
    }
    const a = atom(source, i);
    if (!a) return false;
    const q = quantifier(source, a.end);
    if (!q) return false;
    i = q.end;
    if (q.varies) degree++;
    if (q.loop) loops++;
    allNarrow &&= a.narrow;
    written += q.written;
    size += q.size;
  }
  if (!anchoredEnd) degree++;
  if (degree > MAX_DEGREE || written > REPEAT_BUDGET) return false;
  return loops === 0 || (allNarrow && size <= LOOP_PATTERN_SIZE);
}
