/**
 * What each key does on the kiosk screen, as a pure state machine: key actions in, the new input state and
 * the commands for the station out. It holds no circulation rules: only typing, the staff PIN and its lock.
 *
 * Choices where the brief was silent:
 * - A typed line is a scan only if it ends with Enter within 10 s of its last key: a stray key pressed
 *   earlier is dropped rather than glued to the front of the next scan, and a person copying a damaged
 *   label by hand has time to read the next digits. Esc clears a half-typed line. While a line waits,
 *   the screen shows one dot per character, never the characters (it may be a patron card).
 * - A line longer than the scanner drivers' limit (256 characters) is no barcode (a stuck key, a paste):
 *   it is rejected whole at Enter, with the reason, never truncated into something that might look valid.
 * - The end-session key never needs the PIN: ending a session only protects the patron.
 * - The admit key (staff override for a refused card) always needs the PIN, and does nothing without one.
 * - Three wrong PINs in a row (across prompts: cancelling doesn't reset the count) lock every PIN-guarded
 *   key for a minute. An open prompt nobody types into closes after 30 s, so a patron's scans don't land
 *   in a PIN prompt a staff member walked away from.
 */
import type { KioskCommand } from '../config/commands.js';
import type { Config } from '../config/schema.js';
import { DEFAULT_MAX_LINE } from '../devices/framing.js';
import type { FunctionKey, KeyAction } from './keys.js';

export const LINE_SILENCE_MS = 10_000;
export const MAX_LINE = DEFAULT_MAX_LINE;
export const PIN_ATTEMPTS = 3;
export const PIN_LOCK_MS = 60_000;
export const PIN_PROMPT_IDLE_MS = 30_000;
const MAX_PIN = 64;
/** The reason a typed line too long to be a scan is rejected with (the log keeps it; the screen words it). */
export const TYPED_TOO_LONG = `unreadable scan: more than ${MAX_LINE} characters before Enter`;

/** The keys a PIN can guard. */
export type Guarded = 'quit' | 'loan' | 'return' | 'admit';

export interface PinPromptState {
  for: Guarded;
  /** Typed so far; shown only as dots. */
  entered: string;
  lastKeyAt: number;
  /** Why the last try failed, shown beside the prompt. */
  error?: string;
}

export interface InputState {
  /** Typed since the last Enter; never shown (it may be a patron card). */
  line: string;
  overflow: boolean;
  lastKeyAt?: number;
  prompt?: PinPromptState;
  /** Wrong PINs in a row. */
  wrongPins: number;
  lockedUntil?: number;
}

export type InputEffect =
  | { type: 'command'; command: KioskCommand }
  /** The patron asks for a receipt (never PIN-guarded, like the end-session key). */
  | { type: 'receipt' }
  /** With `error`, the line could not be a scan (too long): the kiosk rejects it with that reason. */
  | { type: 'scan'; text: string; error?: string }
  | { type: 'quit' };

export interface InputRules {
  keys: Config['keys'];
  /** The salted hash from config staff.pin, if any. */
  pinHash?: string;
  pinFor: Config['staff']['pinFor'];
  verify(pin: string, hash: string): boolean;
}

export const initialInput = (): InputState => ({ line: '', overflow: false, wrongPins: 0 });

/** The rules from the config: which key does what and what the PIN guards. */
export function inputRules(config: Pick<Config, 'keys' | 'staff'>, verify: InputRules['verify']): InputRules {
  return { keys: config.keys, pinHash: config.staff.pin, pinFor: config.staff.pinFor, verify };
}

/** Which action a function key is bound to, if any. */
export function boundAction(key: FunctionKey, keys: Config['keys']): keyof Config['keys'] | undefined {
  return (Object.keys(keys) as (keyof Config['keys'])[]).find((name) => keys[name] === key);
}

/** Whether pressing the key for `action` must ask for the PIN first. */
export function needsPin(action: Guarded, rules: InputRules): boolean {
  if (rules.pinHash === undefined) return false;
  if (action === 'admit') return true;
  return rules.pinFor.includes(action === 'quit' ? 'quit' : 'mode');
}

/** The state as time alone leaves it: an idle prompt closed, an expired lock lifted. */
export function settle(state: InputState, now: number): InputState {
  let next = state;
  if (next.prompt && now - next.prompt.lastKeyAt > PIN_PROMPT_IDLE_MS) next = { ...next, prompt: undefined };
  if (next.lockedUntil !== undefined && now >= next.lockedUntil) next = { ...next, lockedUntil: undefined };
  return next;
}

const effectFor = (action: Guarded | 'endSession'): InputEffect =>
  action === 'quit' ? { type: 'quit' } : { type: 'command', command: action };

function pinKey(
  state: InputState,
  prompt: PinPromptState,
  action: KeyAction,
  now: number,
  rules: InputRules,
) {
  const typed = { ...prompt, lastKeyAt: now };
  switch (action.type) {
    case 'char':
      return {
        state: { ...state, prompt: { ...typed, entered: (typed.entered + action.char).slice(0, MAX_PIN) } },
      };
    case 'backspace':
      return { state: { ...state, prompt: { ...typed, entered: [...typed.entered].slice(0, -1).join('') } } };
    case 'escape':
      return { state: { ...state, prompt: undefined } };
    case 'enter': {
      if (typed.entered === '') return { state: { ...state, prompt: typed } };
      if (rules.pinHash !== undefined && rules.verify(typed.entered, rules.pinHash)) {
        return { state: { ...state, prompt: undefined, wrongPins: 0 }, effects: [effectFor(prompt.for)] };
      }
      const wrongPins = state.wrongPins + 1;
      if (wrongPins >= PIN_ATTEMPTS) {
        return { state: { ...state, prompt: undefined, wrongPins: 0, lockedUntil: now + PIN_LOCK_MS } };
      }
      const left = PIN_ATTEMPTS - wrongPins;
      const error = `wrong PIN, ${left} ${left === 1 ? 'try' : 'tries'} left`;
      return { state: { ...state, wrongPins, prompt: { ...typed, entered: '', error } } };
    }
    default:
      // F-keys and ignored keys do nothing while the prompt is open.
      return { state };
  }
}

function functionKey(state: InputState, key: FunctionKey, now: number, rules: InputRules) {
  const action = boundAction(key, rules.keys);
  if (action === undefined) return { state };
  if (action === 'endSession') return { state, effects: [effectFor('endSession')] };
  // Letting a refused card borrow is staff's alone: without a PIN configured the key does nothing.
  if (action === 'admit' && rules.pinHash === undefined) return { state };
  if (action === 'receipt') return { state, effects: [{ type: 'receipt' } as InputEffect] };
  if (!needsPin(action, rules)) return { state, effects: [effectFor(action)] };
  if (state.lockedUntil !== undefined) return { state };
  // The half-typed line is dropped: what is typed next belongs to the PIN.
  return {
    state: { ...state, line: '', overflow: false, prompt: { for: action, entered: '', lastKeyAt: now } },
  };
}

/** Whether what was typed has waited too long for Enter (or nothing was typed yet). */
const lineIsStale = (state: InputState, now: number) =>
  state.lastKeyAt === undefined || now - state.lastKeyAt > LINE_SILENCE_MS;

function lineKey(state: InputState, action: KeyAction, now: number) {
  const stale = lineIsStale(state, now);
  const line = stale ? '' : state.line;
  const overflow = stale ? false : state.overflow;
  switch (action.type) {
    case 'char': {
      const grown = line + action.char;
      if (overflow || grown.length > MAX_LINE)
        return { state: { ...state, line, overflow: true, lastKeyAt: now } };
      return { state: { ...state, line: grown, overflow: false, lastKeyAt: now } };
    }
    case 'backspace':
      return { state: { ...state, line: [...line].slice(0, -1).join(''), overflow, lastKeyAt: now } };
    case 'escape':
      return { state: { ...state, line: '', overflow: false, lastKeyAt: now } };
    case 'enter': {
      const cleared = { ...state, line: '', overflow: false, lastKeyAt: now };
      // Never truncated into something that might pass as a barcode: rejected whole, with the reason.
      if (overflow)
        return {
          state: cleared,
          effects: [{ type: 'scan', text: line, error: TYPED_TOO_LONG } as InputEffect],
        };
      if (line === '') return { state: cleared };
      return { state: cleared, effects: [{ type: 'scan', text: line } as InputEffect] };
    }
    default:
      return { state };
  }
}

/** How many characters of a typed line wait for Enter at `now`: none once the line has gone stale. */
export function typedLength(state: InputState, now: number): number {
  if (state.prompt || lineIsStale(state, now)) return 0;
  return [...state.line].length;
}

/** Applies one key action at time `now`; returns the next state and what the station should be asked to do. */
export function reduceKey(
  current: InputState,
  action: KeyAction,
  now: number,
  rules: InputRules,
): { state: InputState; effects: InputEffect[] } {
  const state = settle(current, now);
  const result: { state: InputState; effects?: InputEffect[] } = state.prompt
    ? pinKey(state, state.prompt, action, now, rules)
    : action.type === 'function'
      ? functionKey(state, action.key, now, rules)
      : lineKey(state, action, now);
  return { state: result.state, effects: result.effects ?? [] };
}
