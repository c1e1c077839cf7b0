/**
 * Turns raw terminal input into named key actions: F1–F12 in the xterm, VT220/rxvt and Linux console
 * forms, printable characters, Enter, Backspace, Escape; everything else is consumed whole and 'ignored'.
 * Stateful only to join sequences split across reads. Runs in O(n) time over the input.
 *
 * Choices where terminals disagree or the brief was silent:
 * - Modifier variants of an F-key (xterm `ESC[1;2P`, `ESC[15;5~`, `ESCO2P`; rxvt `ESC[11^`, `ESC[11$`,
 *   `ESC[11@`) are the same F-key: a staff member holding Shift by mistake still gets F10.
 * - CR, LF and CRLF are one Enter each; an LF right after a CR (even in the next read) is that CR's partner.
 * - ESC followed by a printable character is Alt+key and ignored (it never types into a scan); ESC followed
 *   by ESC or a control character is a lone Escape, and the next character is read on its own.
 * - An unfinished sequence stays pending until the next read shows what it is, or `flushPending()`
 *   (which the screen calls after a short silence) gives a lone Escape or an ignored fragment.
 * - A control sequence longer than 32 characters without its final byte is cut there and ignored, so
 *   garbage can never grow the pending buffer.
 */

export type FunctionKey =
  'F1' | 'F2' | 'F3' | 'F4' | 'F5' | 'F6' | 'F7' | 'F8' | 'F9' | 'F10' | 'F11' | 'F12';

export type KeyAction =
  | { type: 'function'; key: FunctionKey }
  | { type: 'char'; char: string }
  | { type: 'enter' }
  | { type: 'backspace' }
  | { type: 'escape' }
  | { type: 'ignored'; sequence: string };

const ESC = '\x1b';
const MAX_SEQUENCE = 32;

/** `ESC [ n ~` (xterm, VT220, rxvt): the number before the first ';' names the key. */
const TILDE_KEYS: Record<string, FunctionKey> = {
  '11': 'F1',
  '12': 'F2',
  '13': 'F3',
  '14': 'F4',
  '15': 'F5',
  '17': 'F6',
  '18': 'F7',
  '19': 'F8',
  '20': 'F9',
  '21': 'F10',
  '23': 'F11',
  '24': 'F12',
};
/** `ESC O P`…`ESC O S` and `ESC [ 1 ; m P`…: F1–F4. */
const PQRS_KEYS: Record<string, FunctionKey> = { P: 'F1', Q: 'F2', R: 'F3', S: 'F4' };
/** Linux console `ESC [ [ A`…`ESC [ [ E`: F1–F5. */
const CONSOLE_KEYS: Record<string, FunctionKey> = { A: 'F1', B: 'F2', C: 'F3', D: 'F4', E: 'F5' };
/** Final bytes rxvt uses for the `ESC [ n ~` keys with Shift, Ctrl, Ctrl+Shift. */
const TILDE_FINALS = new Set(['~', '^', '$', '@']);

type Parsed = { action: KeyAction; next: number } | 'pending';

const code = (text: string, i: number): number => text.charCodeAt(i);
const isParameter = (c: number) => c >= 0x30 && c <= 0x3f;
const isIntermediate = (c: number) => c >= 0x20 && c <= 0x2f;
const isFinal = (c: number) => c >= 0x40 && c <= 0x7e;
const isControl = (c: number) => c < 0x20 || c === 0x7f || (c >= 0x80 && c <= 0x9f);
const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;

const fkey = (key: FunctionKey | undefined, sequence: string): KeyAction =>
  key ? { type: 'function', key } : { type: 'ignored', sequence };

/** Names a complete CSI sequence: its parameters, intermediates and final byte. */
function nameCsi(
  sequence: string,
  console: boolean,
  params: string,
  intermediates: string,
  final: string,
): KeyAction {
  if (intermediates !== '') return { type: 'ignored', sequence };
  if (console) return fkey(params === '' ? CONSOLE_KEYS[final] : undefined, sequence);
  const [first = '', ...rest] = params.split(';');
  const modifiersOk = rest.every((m) => /^\d*(?::\d*)*$/.test(m));
  if (TILDE_FINALS.has(final) && /^\d+$/.test(first) && modifiersOk) return fkey(TILDE_KEYS[first], sequence);
  if (final in PQRS_KEYS && (params === '' || (first === '1' && modifiersOk)))
    return fkey(PQRS_KEYS[final], sequence);
  return { type: 'ignored', sequence };
}

/** Parses `ESC [ …` from `start`: a complete sequence, a malformed prefix to ignore, or pending. */
function parseCsi(text: string, start: number): Parsed {
  let j = start + 2;
  const console = text[j] === '[';
  if (console) j++;
  const paramsFrom = j;
  while (j < text.length && j - start < MAX_SEQUENCE && isParameter(code(text, j))) j++;
  const paramsTo = j;
  // rxvt ends Shift+F-keys with '$' (ESC [ 2 1 $), which is otherwise an intermediate byte.
  const rxvtShift = text[j] === '$' && /^\d+$/.test(text.slice(paramsFrom, paramsTo));
  while (!rxvtShift && j < text.length && j - start < MAX_SEQUENCE && isIntermediate(code(text, j))) j++;
  if (j - start >= MAX_SEQUENCE)
    return { action: { type: 'ignored', sequence: text.slice(start, j) }, next: j };
  if (j >= text.length) return 'pending';
  const c = code(text, j);
  // A byte that can't be in a sequence ends it as garbage; that byte is read again on its own.
  if (!rxvtShift && !isFinal(c))
    return { action: { type: 'ignored', sequence: text.slice(start, j) }, next: j };
  const sequence = text.slice(start, j + 1);
  const action = nameCsi(
    sequence,
    console,
    text.slice(paramsFrom, paramsTo),
    text.slice(paramsTo, j),
    text[j] ?? '',
  );
  return { action, next: j + 1 };
}

/** Parses `ESC O …` (SS3, optionally with xterm's old modifier digits as in `ESC O 2 P`). */
function parseSs3(text: string, start: number): Parsed {
  let j = start + 2;
  while (j < text.length && j - start < MAX_SEQUENCE && /[0-9;]/.test(text[j] ?? '')) j++;
  if (j - start >= MAX_SEQUENCE)
    return { action: { type: 'ignored', sequence: text.slice(start, j) }, next: j };
  if (j >= text.length) return 'pending';
  if (!isFinal(code(text, j)))
    return { action: { type: 'ignored', sequence: text.slice(start, j) }, next: j };
  const sequence = text.slice(start, j + 1);
  return { action: fkey(PQRS_KEYS[text[j] ?? ''], sequence), next: j + 1 };
}

/** Parses what starts with ESC at `start`. */
function parseEscape(text: string, start: number): Parsed {
  if (start + 1 >= text.length) return 'pending';
  const next = code(text, start + 1);
  if (next === 0x5b /* [ */) return parseCsi(text, start);
  if (next === 0x4f /* O */) return parseSs3(text, start);
  if (next === 0x1b || isControl(next)) return { action: { type: 'escape' }, next: start + 1 };
  if (isHighSurrogate(next) && start + 2 >= text.length) return 'pending';
  const width = isHighSurrogate(next) ? 2 : 1;
  return {
    action: { type: 'ignored', sequence: text.slice(start, start + 1 + width) },
    next: start + 1 + width,
  };
}

/** The stateful parser: feed it each chunk as it arrives; it returns the actions complete so far. */
export class KeyParser {
  private pending = '';
  private afterCarriageReturn = false;

  push(chunk: string): KeyAction[] {
    const text = this.pending + chunk;
    this.pending = '';
    const actions: KeyAction[] = [];
    const emit = (action: KeyAction) => {
      this.afterCarriageReturn = false;
      actions.push(action);
    };
    let i = 0;
    while (i < text.length) {
      const c = code(text, i);
      if (c === 0x1b) {
        const parsed = parseEscape(text, i);
        if (parsed === 'pending') {
          this.pending = text.slice(i);
          break;
        }
        emit(parsed.action);
        i = parsed.next;
      } else if (c === 0x0d) {
        emit({ type: 'enter' });
        this.afterCarriageReturn = true;
        i++;
      } else if (c === 0x0a) {
        if (this.afterCarriageReturn) this.afterCarriageReturn = false;
        else emit({ type: 'enter' });
        i++;
      } else if (c === 0x7f || c === 0x08) {
        emit({ type: 'backspace' });
        i++;
      } else if (isControl(c)) {
        emit({ type: 'ignored', sequence: text[i] ?? '' });
        i++;
      } else if (isHighSurrogate(c)) {
        if (i + 1 >= text.length) {
          this.pending = text.slice(i);
          break;
        }
        const low = code(text, i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          emit({ type: 'char', char: text.slice(i, i + 2) });
          i += 2;
        } else {
          emit({ type: 'ignored', sequence: text[i] ?? '' });
          i++;
        }
      } else if (c >= 0xdc00 && c <= 0xdfff) {
        emit({ type: 'ignored', sequence: text[i] ?? '' });
        i++;
      } else {
        emit({ type: 'char', char: text[i] ?? '' });
        i++;
      }
    }
    return actions;
  }

  /** True while an unfinished sequence waits for the next read (the screen then starts its short timer). */
  hasPending(): boolean {
    return this.pending !== '';
  }

  /** Gives up waiting: a lone ESC becomes Escape, any other unfinished fragment is ignored. */
  flushPending(): KeyAction[] {
    const pending = this.pending;
    this.pending = '';
    if (pending === '') return [];
    this.afterCarriageReturn = false;
    if (pending === ESC) return [{ type: 'escape' }];
    return [{ type: 'ignored', sequence: pending }];
  }
}
